//! Deliberate contract breaches, so the conformance suite can prove each check fails against a
//! server that breaks exactly its clause. Without the `violations` feature nothing can be broken.

use std::collections::HashSet;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct Violations(Arc<HashSet<String>>);

impl Violations {
    pub fn new(clauses: &[String]) -> Result<Violations, String> {
        if !cfg!(feature = "violations") && !clauses.is_empty() {
            return Err("--violate needs a build with the `violations` feature".into());
        }
        Ok(Violations(Arc::new(clauses.iter().cloned().collect())))
    }

    /// Whether this server breaks `clause` on purpose.
    #[inline]
    pub fn breaks(&self, clause: &str) -> bool {
        cfg!(feature = "violations") && !self.0.is_empty() && self.0.contains(clause)
    }
}
