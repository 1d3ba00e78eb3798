//! Mistakes that real implementations of the contract make, none of them a clause broken on
//! purpose: each is written into the reference server under its name (`--violate NAME`, the
//! `proofs` feature) and must be caught by the checks it lists. One file per area of the contract.

mod auth;
mod avatars;
mod collections;
mod events;
mod fields;
mod jobs;
mod keys;
mod links;
mod model;
mod orders;
mod rate;
mod schema;
mod versions;

/// One realistic bug and the checks that must catch it.
pub struct Bug {
    /// The name the reference server knows it by (`v.breaks(NAME)`).
    pub name: &'static str,
    /// What the bug does, as an implementer would have written it.
    pub what: &'static str,
    /// The checks, by clause ID, that must each fail against a server with this bug.
    pub caught_by: &'static [&'static str],
}

/// Every bug of every area.
pub fn all() -> impl Iterator<Item = &'static Bug> {
    let areas = [
        auth::BUGS,
        avatars::BUGS,
        collections::BUGS,
        events::BUGS,
        fields::BUGS,
        jobs::BUGS,
        keys::BUGS,
        links::BUGS,
        model::BUGS,
        orders::BUGS,
        rate::BUGS,
        schema::BUGS,
        versions::BUGS,
    ];
    areas.into_iter().flatten()
}
