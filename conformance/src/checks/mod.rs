//! One check per contract clause, named after its ID and grouped by the contract's sections.

mod auth;
mod avatars;
mod caching;
mod collections;
mod docs;
mod events;
mod general;
mod headers;
mod jobs;
mod keys;
mod links;
mod methods;
mod model;
mod orders;
mod precedence;
mod rate;
mod roles;
mod users;
mod users_fields;
mod versions;

use crate::context::Ctx;
use crate::failure::Failure;
use crate::target::Target;

pub type Outcome = Result<(), Failure>;

/// The check of one clause.
#[derive(Clone, Copy, Debug)]
pub struct Check {
    /// The clause ID in CONTRACT.md, which is also the check's name.
    pub id: &'static str,
    /// The contract section it belongs to, as its title names it (`general`, `users`, `orders`…).
    pub section: &'static str,
    /// What the clause requires, in a few words.
    pub title: &'static str,
    /// Where to look when the check fails.
    pub hint: &'static str,
    /// What the check needs to know of the target beyond its URL and admin account.
    pub needs: Needs,
    pub run: fn(&Ctx) -> Outcome,
}

/// The optional facts of CONTRACT §0; a check whose fact was not given is reported as ignored,
/// never as passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// The signing secret, to mint tokens.
    Secret,
    /// An origin the target's CORS policy allows.
    Origin,
}

impl Check {
    /// Whether the check cannot run against `target`, which lacks what it needs.
    pub fn ignored(&self, target: &Target) -> bool {
        match self.needs {
            Needs::Nothing => false,
            Needs::Secret => target.jwt_secret.is_none(),
            Needs::Origin => target.cors_origin.is_none(),
        }
    }

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
        caching::CHECKS,
        methods::CHECKS,
        headers::CHECKS,
        collections::CHECKS,
        precedence::CHECKS,
        model::CHECKS,
        docs::CHECKS,
        links::CHECKS,
        orders::CHECKS,
        versions::CHECKS,
        keys::CHECKS,
        avatars::CHECKS,
        jobs::CHECKS,
        events::CHECKS,
    ]
    .concat();
    checks.sort_by_key(|c| clause_order(c.id));
    checks
}

/// `GEN-02` before `GEN-10`, sections in the contract's order.
fn clause_order(id: &str) -> (usize, u32) {
    let (section, n) = id.split_once('-').unwrap_or((id, "0"));
    let rank = [
        "GEN", "USR", "AUTH", "ROLE", "RATE", "COL", "HTTP", "DOC", "LNK", "ORD", "VER", "KEY",
        "AVT", "JOB", "EVT",
    ]
    .iter()
    .position(|s| *s == section)
    .unwrap_or(usize::MAX);
    (rank, n.parse().unwrap_or(0))
}
