//! USR-11: the bounded, id-ordered page.

use super::*;

#[derive(Clone, Debug)]
enum PageQuery {
    Valid {
        page: Option<u64>,
        size: Option<u64>,
    },
    BadPage(String),
    BadSize(String),
}

fn page_query() -> impl Strategy<Value = PageQuery> {
    let bad = |range: &'static str| {
        prop_oneof![
            Just("0".to_owned()),
            "-[1-9][0-9]{0,3}".prop_map(|s| s),
            "[a-z]{1,5}",
            "[1-9]\\.[0-9]",
            Just(String::new()),
            Just(range.to_owned()),
        ]
    };
    prop_oneof![
        (
            proptest::option::of(1..=6u64),
            proptest::option::of(1..=100u64)
        )
            .prop_map(|(page, size)| PageQuery::Valid { page, size }),
        bad("0").prop_map(PageQuery::BadPage),
        prop_oneof![bad("101"), (101..5000u64).prop_map(|n| n.to_string())]
            .prop_map(PageQuery::BadSize),
    ]
}

pub(super) fn usr_11(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    for _ in 0..3 {
        ctx.create(&ctx.sign_up_body())?;
    }
    let edges = [
        PageQuery::Valid {
            page: None,
            size: None,
        },
        PageQuery::Valid {
            page: Some(1),
            size: Some(1),
        },
        PageQuery::Valid {
            page: Some(1),
            size: Some(100),
        },
        PageQuery::BadSize("101".into()),
        PageQuery::BadSize("1000".into()),
        // Past 2^32, 2^63 and 2^64: out of range, never a 400, a 5xx or a wrapped integer.
        PageQuery::BadSize("4294967306".into()),
        PageQuery::BadSize("9223372036854775808".into()),
        PageQuery::BadSize("18446744073709551616".into()),
        PageQuery::BadPage("0".into()),
    ];
    for_all(ctx.budget, edges, page_query(), |query| {
        let mut params = Vec::new();
        let (name, bad) = match query {
            PageQuery::Valid { page, size } => {
                params.extend(page.map(|p| format!("page={p}")));
                params.extend(size.map(|s| format!("page_size={s}")));
                (None, None)
            }
            PageQuery::BadPage(v) => (Some("page"), Some(v)),
            PageQuery::BadSize(v) => (Some("page_size"), Some(v)),
        };
        if let (Some(name), Some(value)) = (name, bad) {
            let encoded =
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
            params.push(format!("{name}={encoded}"));
        }
        let path = if params.is_empty() {
            "/users".to_owned()
        } else {
            format!("/users?{}", params.join("&"))
        };
        let exchange = ctx.send(Request::get(path).bearer(&admin.token))?;
        let (page, size) = match (query, name) {
            (PageQuery::Valid { page, size }, _) => (page.unwrap_or(1), size.unwrap_or(20)),
            (_, Some(name)) => {
                return expect::names_fields(&exchange, &[name], "an out-of-range page parameter");
            }
            _ => unreachable!("every invalid query names its parameter"),
        };
        let body = expect::ok_json(&exchange, 200, "GET /users")?;
        let items = body["items"].as_array().cloned().unwrap_or_default();
        let total = body["total"].as_u64().unwrap_or_default();
        let expected =
            json!({"page": page, "page_size": size, "total_pages": total.div_ceil(size)});
        same_members(
            &exchange,
            "the page",
            &expected,
            &body,
            &["page", "page_size", "total_pages"],
        )?;
        ensure(items.len() as u64 <= size, || {
            exchange.fail(
                "the page holds more items than page_size",
                format!("at most {size} items"),
                format!("{} items", items.len()),
            )
        })?;
        let ids: Vec<u64> = items.iter().filter_map(|u| u["id"].as_u64()).collect();
        ensure(ids.windows(2).all(|w| w[0] < w[1]), || {
            exchange.fail(
                "the page is not in ascending id order",
                "ids ascending",
                format!("ids {ids:?}"),
            )
        })?;
        // Pages before the last are full; pages after it are empty.
        let full = page * size <= total;
        let past = (page - 1) * size >= total;
        let expected_len = if full {
            size
        } else if past {
            0
        } else {
            total - (page - 1) * size
        };
        ensure(items.len() as u64 == expected_len, || {
            exchange.fail(
                "the page's size disagrees with total",
                format!("{expected_len} items for page {page} of size {size} with total {total}"),
                format!("{} items", items.len()),
            )
        })
    })
}
