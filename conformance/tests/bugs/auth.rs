//! Authentication and permissions: a verifier that trusts a token's own header, and a route
//! that forgets to ask what the caller may do.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "asymmetric-alg-unverified",
        what: "only HMAC tokens are verified: one whose header names RS256 or ES256 is read unverified",
        caught_by: &["AUTH-10"],
    },
    Bug {
        name: "merge-patch-skips-permissions",
        what: "merge patches are served by a handler that authenticates but never checks permissions",
        caught_by: &["ROLE-02", "ROLE-03"],
    },
];
