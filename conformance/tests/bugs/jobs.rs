//! Background jobs (CONTRACT §15): mistakes implementations ship.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "export-answered-synchronously",
        what: "the export is made inside the request and answered 200, so a large one holds the connection and there is no job to follow",
        caught_by: &["JOB-01"],
    },
    Bug {
        name: "welcome-sent-twice",
        what: "the worker enqueues the welcome again when it picks it up, so every user is welcomed twice",
        caught_by: &["JOB-04"],
    },
];
