//! API keys (CONTRACT §13): mistakes implementations ship.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "key-manages-keys",
        what: "the key routes check the caller's role and not how they authenticated, so a leaked key of an admin can mint more keys",
        caught_by: &["KEY-02"],
    },
    Bug {
        name: "key-outlives-creator",
        what: "a key is checked for existence only, so it keeps acting for a creator who was deactivated",
        caught_by: &["KEY-04"],
    },
];
