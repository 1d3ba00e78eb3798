//! Orders (CONTRACT §11): mistakes implementations ship.

use super::Bug;

pub const BUGS: &[Bug] = &[
    Bug {
        name: "order-total-of-one-each",
        what: "the total adds up the unit prices and forgets the quantities",
        caught_by: &["ORD-01"],
    },
    Bug {
        name: "order-zero-quantity",
        what: "quantity is checked as `>= 0`, so an item of none is accepted",
        caught_by: &["ORD-02"],
    },
    Bug {
        name: "order-of-another-user-forbidden",
        what: "an order is looked up by its id alone and one of another user is refused with 403 instead of being not found",
        caught_by: &["ORD-04"],
    },
    Bug {
        name: "orders-tagged-by-user-version",
        what: "the orders below a user are tagged with the version of the user they belong to, as a cache keyed by the parent resource is, so a page that gained an order keeps its tag",
        caught_by: &["HTTP-13"],
    },
];
