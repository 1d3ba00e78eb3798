use super::*;
use crate::domain::SortValue;

fn parse(raw: &str) -> Result<ListQuery, Vec<FieldError>> {
    let query: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    ListQuery::parse(&query, &Cursors::new("secret"), &Violations::default())
}

fn named(raw: &str) -> Vec<String> {
    let mut fields: Vec<String> = parse(raw)
        .expect_err("invalid")
        .into_iter()
        .map(|e| e.field)
        .collect();
    fields.sort();
    fields
}

fn sort(raw: &str) -> Sort {
    parse(raw).expect("valid").sort
}

#[test]
fn no_parameters_is_the_first_offset_page_in_id_order() {
    let query = parse("").expect("valid");
    assert_eq!(
        query.paging,
        Paging::Offset {
            page: 1,
            page_size: 20
        }
    );
    assert_eq!((query.sort, query.filter, query.fields), Default::default());
}

#[test]
fn a_limit_asks_for_a_cursor_page_from_the_start() {
    let paging = parse("limit=5").expect("valid").paging;
    assert_eq!(
        paging,
        Paging::Cursor {
            after: None,
            limit: 5,
            served: 0
        }
    );
}

#[test]
fn cursor_and_offset_parameters_together_name_each_given() {
    assert_eq!(named("limit=5&page=2"), ["limit", "page"]);
    assert_eq!(
        named("limit=5&page_size=2&page=1"),
        ["limit", "page", "page_size"]
    );
}

#[test]
fn descending_is_a_minus_or_order_desc_or_both() {
    let desc = Sort {
        key: SortKey::Username,
        direction: Direction::Desc,
    };
    assert_eq!(sort("sort=-username"), desc);
    assert_eq!(sort("sort=username&order=desc"), desc);
    assert_eq!(sort("sort=-username&order=desc"), desc);
    assert_eq!(sort("order=desc").key, SortKey::Id);
    assert_eq!(named("sort=-username&order=asc"), ["order"]);
}

#[test]
fn every_invalid_parameter_is_named_at_once() {
    assert_eq!(
        named("sort=password_hash&order=up&role=root&is_active=yes&fields=password_hash&limit=0"),
        ["fields", "is_active", "limit", "order", "role", "sort"]
    );
}

#[test]
fn a_search_is_kept_lowercase_and_an_empty_one_is_none() {
    assert_eq!(
        parse("search=AbC").expect("valid").filter.search.as_deref(),
        Some("abc")
    );
    assert_eq!(parse("search=").expect("valid").filter.search, None);
}

#[test]
fn a_cursor_carries_its_sort_and_filters_and_refuses_others() {
    let cursors = Cursors::new("secret");
    let issued = cursors.issue(&Cursor {
        sort: Sort {
            key: SortKey::Email,
            direction: Direction::Desc,
        },
        filter: Filter {
            role: Some(Role::User),
            is_active: None,
            search: Some("ab".into()),
        },
        after: Position {
            key: SortValue::Text("ab@example.com".into()),
            id: 7,
        },
        served: None,
    });
    let with = |rest: &str| format!("cursor={issued}{rest}");
    let carried = parse(&with("&search=AB&sort=-email&limit=3")).expect("the same");
    assert_eq!(carried.sort.key, SortKey::Email);
    assert_eq!(carried.filter.role, Some(Role::User));
    assert_eq!(parse(&with("")).expect("absent").filter, carried.filter);
    for other in [
        "&sort=email",
        "&order=asc",
        "&search=b",
        "&role=admin",
        "&is_active=true",
    ] {
        assert_eq!(named(&with(other)), ["cursor"], "{other}");
    }
    assert_eq!(named("cursor=garbage"), ["cursor"]);
}

#[test]
fn integers_are_canonical_decimal_digits_in_range() {
    for raw in ["+5", "007", "-0", "1e3", "5.0", " 5", "5 ", "", "0", "101"] {
        assert_eq!(
            named(&format!("limit={}", raw.replace(' ', "%20"))),
            ["limit"],
            "{raw:?}"
        );
    }
    assert_eq!(named("page=9223372036854775808"), ["page"]);
    assert_eq!(named("page_size=18446744073709551616"), ["page_size"]);
    let far = parse("page=9223372036854775807&page_size=100").expect("valid");
    assert_eq!(
        far.paging,
        Paging::Offset {
            page: MOST_PAGE,
            page_size: 100
        }
    );
}
