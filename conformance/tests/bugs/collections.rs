//! Collections (CONTRACT §7), the order of checks (§1, GEN-12) and conditional requests and
//! idempotency keys (§8): mistakes implementations ship.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "page-drops-last-item",
        what: "the last offset page comes up one user short: the end of the final slice is off by one",
        caught_by: &["COL-02"],
    },
    Bug {
        name: "full-last-page-has-next",
        what: "has_next is computed as `len == limit`, so a full last page says more follow and its cursor leads to an empty page",
        caught_by: &["COL-03"],
    },
    Bug {
        name: "next-cursor-omitted",
        what: "the last cursor page leaves next_cursor out instead of sending null (skip_serializing_if on an Option)",
        caught_by: &["COL-03"],
    },
    Bug {
        name: "next-cursor-empty-string",
        what: "the last cursor page sends \"next_cursor\": \"\" instead of null",
        caught_by: &["COL-03"],
    },
    Bug {
        name: "last-page-next-page-null",
        what: "only the last offset page carries a `next_page: null` member that the schema does not have",
        caught_by: &["COL-02"],
    },
    Bug {
        name: "empty-page-items-null",
        what: "a page with no users answers \"items\": null, the way a nil slice serializes",
        caught_by: &["COL-01"],
    },
    Bug {
        name: "lenient-integers",
        what: "page, page_size and limit parsed leniently: `+5`, `007` and ` 5` taken for 5",
        caught_by: &["COL-01", "COL-03"],
    },
    Bug {
        name: "page-size-i32",
        what: "page_size and limit parsed as i32: a value past 2^31 fails with an unmapped overflow error, a 500",
        caught_by: &["COL-01", "COL-03"],
    },
    Bug {
        name: "page-offset-overflow",
        what: "the offset (page - 1) * page_size computed in i64: a page far past the last is a 500",
        caught_by: &["COL-01"],
    },
    Bug {
        name: "mixed-paging-names-all-four",
        what: "cursor and offset parameters together are refused naming all four, given or not",
        caught_by: &["COL-03"],
    },
    Bug {
        name: "mixed-paging-names-first-pair",
        what: "cursor and offset parameters together are refused naming only the first of each kind",
        caught_by: &["COL-03"],
    },
    Bug {
        name: "update-validated-before-ownership",
        what: "PUT and PATCH read and validate the body before refusing a non-admin's change to another user: 422 (or 412, 400) where the contract says 403",
        caught_by: &["GEN-12"],
    },
    Bug {
        name: "missing-user-forbidden-first",
        what: "the ownership check compares the path's id with the caller before looking the user up: another user's missing resource is 403, not 404",
        caught_by: &["GEN-12"],
    },
    Bug {
        name: "if-match-after-validation",
        what: "If-Match is checked only inside the write, after the body was read and validated: 415, 400 or 422 where the contract says 412",
        caught_by: &["GEN-12"],
    },
    Bug {
        name: "change-checked-after-uniqueness",
        what: "a taken username is refused before the caller's right to the change is checked: 409 where the contract says 403",
        caught_by: &["GEN-12"],
    },
    Bug {
        name: "idempotency-key-unbounded",
        what: "the Idempotency-Key's characters are checked but not its length: a key of 256 or more is kept, an empty one taken for none",
        caught_by: &["HTTP-09"],
    },
    Bug {
        name: "idempotency-key-any-characters",
        what: "only the Idempotency-Key's length is checked: a key with a space, a tab or a non-ASCII character is kept",
        caught_by: &["HTTP-09"],
    },
    Bug {
        name: "etag-of-mtime-and-size",
        what: "the ETag is built from Last-Modified and the body's size, as static file servers do: two changes of one size within a second share a tag",
        caught_by: &["HTTP-01"],
    },
    Bug {
        name: "etag-from-clock",
        what: "the ETag hashes the time of the response with the body: it changes when nothing did",
        caught_by: &["HTTP-01"],
    },
    Bug {
        name: "page-etag-from-collection-time",
        what: "a page's ETag is the digest of the collection's Last-Modified: a change to a user on no page moves every page's tag",
        caught_by: &["HTTP-01"],
    },
    Bug {
        name: "page-ignores-if-none-match",
        what: "only single users are revalidated: a page whose tag If-None-Match names is answered 200 again",
        caught_by: &["HTTP-02"],
    },
    Bug {
        name: "if-match-weak",
        what: "If-Match compares tags weakly, so W/\"<current>\" lets a write through",
        caught_by: &["HTTP-03"],
    },
];
