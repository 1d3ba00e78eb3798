//! Versioning (CONTRACT §12): mistakes implementations ship.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "version-header-ignored",
        what: "X-API-Version is read by no one, so a client written for version 2 gets version 1's answers as if they were its own",
        caught_by: &["VER-02"],
    },
    Bug {
        name: "deprecation-on-every-page",
        what: "the Deprecation and Sunset fields are set on the route rather than on the requests that use the deprecated parameter",
        caught_by: &["VER-03"],
    },
];
