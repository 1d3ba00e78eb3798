//! Links (CONTRACT §10): mistakes implementations ship.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "links-absolute-localhost",
        what: "links are absolute URLs built from a configured public URL that defaults to http://localhost:8080, so they lead elsewhere when the server is reached by another host or port",
        caught_by: &["LNK-01", "LNK-02", "LNK-03"],
    },
    Bug {
        name: "links-without-base-path",
        what: "links are built from the router's own paths (`/users/42`), without the prefix the API is mounted under",
        caught_by: &["LNK-01", "LNK-02", "LNK-03"],
    },
    Bug {
        name: "page-self-without-query",
        what: "a page's self link is the collection's path alone, its filters, sort and paging dropped",
        caught_by: &["LNK-03"],
    },
];
