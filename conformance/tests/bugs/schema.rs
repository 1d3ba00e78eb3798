//! Bugs in what responses say that only holding every response to the OpenAPI document sees
//! wherever it happens: the check that meets one fails, whatever clause it tests.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "conflict-problem-without-detail",
        what: "a 409 answered with a bare title: no detail, no instance",
        caught_by: &["USR-04", "USR-05"],
    },
    Bug {
        name: "put-leaks-version",
        what: "PUT answers the user with an undocumented `version` member",
        caught_by: &["USR-12"],
    },
    Bug {
        name: "page-size-as-string",
        what: "an offset page's page_size is the string the query gave",
        caught_by: &["USR-11", "COL-01"],
    },
    Bug {
        name: "validation-error-as-plain-json",
        what: "a 422 sent as application/json rather than application/problem+json",
        caught_by: &["USR-06", "USR-09"],
    },
];
