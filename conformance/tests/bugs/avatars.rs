//! Avatars (CONTRACT §14): mistakes implementations ship.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "avatar-type-trusted",
        what: "the upload's Content-Type is believed and the content never looked at, so an SVG with a script sent as image/png is stored and served",
        caught_by: &["AVT-02"],
    },
    Bug {
        name: "avatar-size-checked-after-read",
        what: "the body is read into memory under a generous bound and measured afterwards, so a client declaring 10 MiB holds the request until it has sent it all",
        caught_by: &["AVT-03"],
    },
];
