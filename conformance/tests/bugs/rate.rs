//! Rate limits and the headers that tell a client when to come back (RATE-03's bound on
//! `Retry-After`), and origin checks of the CORS policy (HTTP-10) that let look-alikes in.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "retry-after-from-window",
        what: "Retry-After is the policy's whole window (60 s), while an allowance comes back every 40 ms",
        caught_by: &["RATE-03"],
    },
    Bug {
        name: "retry-after-in-milliseconds",
        what: "Retry-After is written from the wait in milliseconds (`wait.as_millis()`), not seconds",
        caught_by: &["RATE-03"],
    },
    Bug {
        name: "retry-after-lockout",
        what: "a refusal announces a one-hour lockout (Retry-After: 3600) that the limiter does not enforce",
        caught_by: &["RATE-03"],
    },
    Bug {
        name: "cors-prefix-match",
        what: "the Origin is allowed when it starts with an allowed origin (`origin.starts_with(allowed)`)",
        caught_by: &["HTTP-10"],
    },
    Bug {
        name: "cors-suffix-match",
        what: "the Origin is allowed when it ends with an allowed host (`origin.ends_with(host)`)",
        caught_by: &["HTTP-10"],
    },
    Bug {
        name: "cors-unescaped-pattern",
        what: "allowed origins become a pattern without escaping their dots, so `.` matches any character",
        caught_by: &["HTTP-10"],
    },
    Bug {
        name: "cors-host-only",
        what: "origins are compared by host and port alone, so http:// passes for https://",
        caught_by: &["HTTP-10"],
    },
    Bug {
        name: "cors-ignores-port",
        what: "origins are compared without their port, so any port of an allowed host passes",
        caught_by: &["HTTP-10"],
    },
];
