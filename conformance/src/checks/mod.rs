//! One check per contract clause, named after its ID and grouped by the contract's sections.

mod auth;
mod collections;
mod general;
mod rate;
mod roles;
mod users;
mod users_fields;

use crate::context::Ctx;
use crate::failure::Failure;

pub type Outcome = Result<(), Failure>;

/// The check of one clause.
#[derive(Clone, Copy)]
pub struct Check {
    /// The clause ID in CONTRACT.md, which is also the check's name.
    pub id: &'static str,
    /// The contract section: `general`, `users`, `auth`, `roles`, `rate limits` or `collections`.
    pub section: &'static str,
    /// What the clause requires, in a few words.
    pub title: &'static str,
    /// Where to look when the check fails.
    pub hint: &'static str,
    /// The check mints tokens, so it needs the target's signing secret.
    pub needs_secret: bool,
    pub run: fn(&Ctx) -> Outcome,
}

impl Check {
    /// Runs the check; a failure carries the clause ID in its title and the check's hint.
    pub fn run(&self, ctx: &Ctx) -> Outcome {
        (self.run)(ctx).map_err(|mut f| {
            f.title = format!("{} ({}): {}", self.id, self.title, f.title);
            f.with_hint(self.hint)
        })
    }
}

/// Every check, in contract order.
pub fn all() -> Vec<Check> {
    let mut checks = [
        general::CHECKS,
        users::CHECKS,
        users_fields::CHECKS,
        auth::CHECKS,
        roles::CHECKS,
        rate::CHECKS,
        collections::CHECKS,
    ]
    .concat();
    checks.sort_by_key(|c| clause_order(c.id));
    checks
}

/// `GEN-02` before `GEN-10`, sections in the contract's order.
fn clause_order(id: &str) -> (usize, u32) {
    let (section, n) = id.split_once('-').unwrap_or((id, "0"));
    let rank = ["GEN", "USR", "AUTH", "ROLE", "RATE", "COL"]
        .iter()
        .position(|s| *s == section)
        .unwrap_or(usize::MAX);
    (rank, n.parse().unwrap_or(0))
}
