//! Events (CONTRACT §16): mistakes implementations ship.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "events-refusal-after-upgrade",
        what: "the handshake is upgraded first and a bad credential answered with a close frame, which a client's handshake takes for success",
        caught_by: &["EVT-01"],
    },
    Bug {
        name: "event-before-write",
        what: "the event is published as the write is sent to the store, so a write the store refuses (a taken username) announces a change that never happened",
        caught_by: &["EVT-02"],
    },
    Bug {
        name: "event-of-stale-user",
        what: "the event is made from the record the handler read before the change, so it shows the user as it was",
        caught_by: &["EVT-02"],
    },
    Bug {
        name: "lagged-events-skipped",
        what: "a subscription that fell behind skips what it missed and goes on, so its client never learns it has a gap",
        caught_by: &["EVT-04"],
    },
    Bug {
        name: "events-token-only",
        what: "a subscription's token is verified again before each event, but not whom it names, so a deactivated user keeps receiving",
        caught_by: &["EVT-05"],
    },
];
