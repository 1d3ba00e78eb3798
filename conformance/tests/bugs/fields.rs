//! Field rules, uniqueness, timestamps, ids and bodies: mistakes at a bound, on one operation
//! only, in an error body, or with a number or body the server did not expect.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "username-50-refused",
        what: "the length check is `(3..50).contains(&len)`: a 50-character username is refused",
        caught_by: &["USR-06"],
    },
    Bug {
        name: "email-local-part-64-refused",
        what: "the local part is checked with `< 64`: a 64-character local part is refused",
        caught_by: &["USR-07"],
    },
    Bug {
        name: "email-case-kept-on-put",
        what: "the email is lowercased in the sign-up handler only: a PUT stores it as given",
        caught_by: &["USR-07"],
    },
    Bug {
        name: "merge-patch-skips-rules",
        what: "a merge patch is read into a loose map and checked for types only",
        caught_by: &["USR-06", "USR-07"],
    },
    Bug {
        name: "password-128-refused",
        what: "the length check is `len < 128`: a 128-character password is refused",
        caught_by: &["USR-08"],
    },
    Bug {
        name: "password-length-in-bytes",
        what: "the password's length is `raw.len()`, in bytes: 128 multibyte characters are refused",
        caught_by: &["USR-08"],
    },
    Bug {
        name: "full-name-length-in-bytes",
        what: "full_name's length is counted in bytes: 100 multibyte characters are refused",
        caught_by: &["USR-09"],
    },
    Bug {
        name: "full-name-length-in-utf16",
        what: "full_name's length is JavaScript's `length`: 100 astral characters count 200",
        caught_by: &["USR-09"],
    },
    Bug {
        name: "put-truncates-full-name",
        what: "PUT writes full_name to a VARCHAR(100) that truncates instead of refusing",
        caught_by: &["USR-09"],
    },
    Bug {
        name: "age-150-refused",
        what: "the range check is `age < 150`: age 150 is refused",
        caught_by: &["USR-09"],
    },
    Bug {
        name: "age-truncated-to-u8",
        what: "age is cast with `n as u8` before the range check: 256 is stored as 0",
        caught_by: &["USR-09"],
    },
    Bug {
        name: "age-integral-float-refused",
        what: "only numbers written as integers are read: age 103.0, 1E2 and -0 are refused",
        caught_by: &["USR-09"],
    },
    Bug {
        name: "put-skips-age-range",
        what: "PUT checks age's type only (a u8 column): 151 to 255 are stored",
        caught_by: &["USR-09"],
    },
    Bug {
        name: "number-out-of-range-400",
        what: "a number past a double's range (age 1e400) fails the JSON parser: 400, not 422",
        caught_by: &["USR-09"],
    },
    Bug {
        name: "patch-first-error-only",
        what: "PATCH returns at its first invalid member, naming only that one",
        caught_by: &["GEN-04"],
    },
    Bug {
        name: "unknown-members-answered-alone",
        what: "unknown members are refused first (deny_unknown_fields), the field rules never run",
        caught_by: &["GEN-04"],
    },
    Bug {
        name: "updated-at-ignores-age",
        what: "whether an update changed the user is computed over every field but age",
        caught_by: &["USR-17"],
    },
    Bug {
        name: "unique-case-sensitive-on-update",
        what: "updates look the new username up as given, not lowercased",
        caught_by: &["USR-04"],
    },
    Bug {
        name: "errors-echo-input",
        what: "each validation error carries the rejected value as `input`, a password too",
        caught_by: &["USR-03"],
    },
    Bug {
        name: "id-parsed-as-i64",
        what: "the path id is parsed as i64: a number past 2^63 is answered 400",
        caught_by: &["USR-02"],
    },
    Bug {
        name: "id-truncated-to-u32",
        what: "the path id is narrowed to u32: 2^32 + n answers user n",
        caught_by: &["USR-02"],
    },
    Bug {
        name: "page-size-truncated-to-u32",
        what: "page_size is narrowed to u32 before its range check: 2^32 + 10 is a page of 10",
        caught_by: &["USR-11"],
    },
    Bug {
        name: "missing-content-type-read-as-json",
        what: "a body without Content-Type is decoded as JSON",
        caught_by: &["GEN-05"],
    },
    Bug {
        name: "chunked-body-over-limit-accepted",
        what: "the limit is enforced on Content-Length only: a chunked body is read whole",
        caught_by: &["GEN-06"],
    },
];
