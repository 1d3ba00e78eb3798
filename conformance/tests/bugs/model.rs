//! Bugs of state: each shows only in a sequence of requests, where one request leaves the
//! server in a state that a later one reads (USR-19).

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "email-change-keeps-old-email",
        what: "an update of the email adds the new index entry but leaves the old one, so the \
               old email stays taken by no one",
        caught_by: &["USR-05"],
    },
    Bug {
        name: "delete-stays-listed",
        what: "a delete removes the record but not its entry in the list's index: totals count \
               the deleted user and pages come up short",
        caught_by: &["USR-19"],
    },
    Bug {
        name: "list-index-stale-on-update",
        what: "the list's index learns of sign-ups and deletes only: after a rename, a role or an \
               activation change, sorts, searches and filters read the old values",
        caught_by: &["USR-19"],
    },
    Bug {
        name: "if-match-write-not-applied",
        what: "a PUT, PATCH or DELETE with a matching If-Match answers success without writing \
               (a compare-and-swap whose row count is not checked)",
        caught_by: &["USR-19"],
    },
    Bug {
        name: "username-case-change-not-stored",
        what: "an update that only changes the case of the username answers 200 with it but is \
               not stored: the dirty check compares normalized fields",
        caught_by: &["USR-19"],
    },
];
