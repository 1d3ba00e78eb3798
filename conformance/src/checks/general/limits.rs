//! GEN-13..14: repeated members make a body malformed, and a header section has a size bound.

use super::*;

/// Where the repeated member goes, and what it is called.
#[derive(Clone, Debug)]
struct Repeat {
    route: usize,
    name: String,
    /// 0: in the body itself; 1: in an object that is a member's value; 2: in an object in an
    /// array that is a member's value.
    depth: usize,
}

/// A body as text, its members in order: the only way to write one member twice.
fn text(members: &[(String, String)]) -> String {
    let inner: Vec<String> = members
        .iter()
        .map(|(name, value)| format!("{}: {value}", json!(name)))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

fn repeat() -> impl Strategy<Value = Repeat> {
    let name = prop_oneof![
        select(vec![
            "username",
            "email",
            "password",
            "full_name",
            "age",
            "role"
        ])
        .prop_map(str::to_owned),
        "[a-z][a-z_]{0,10}",
    ];
    (0..4usize, name, 0..3usize).prop_map(|(route, name, depth)| Repeat { route, name, depth })
}

pub(super) fn gen_13(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let edges = [
        (0, "username", 0),
        (0, "email", 0),
        (1, "password", 0),
        (2, "full_name", 0),
        (3, "age", 0),
        (0, "a", 1),
        (2, "b", 2),
    ]
    .map(|(route, name, depth)| Repeat {
        route,
        name: name.to_owned(),
        depth,
    });
    for_all(ctx.budget, edges, repeat(), |r| {
        let q = |v: &str| json!(v).to_string();
        let fresh = ctx.sign_up_body();
        let (request, mut base): (Request, Vec<(String, String)>) = match r.route {
            0 => (
                Request::post("/users"),
                ["username", "email", "password"]
                    .map(|m| (m.to_owned(), fresh[m].to_string()))
                    .to_vec(),
            ),
            1 => (
                Request::post("/auth/login"),
                vec![
                    ("username".into(), q(&user.username)),
                    ("password".into(), q(&user.password)),
                ],
            ),
            2 => (
                Request::patch(format!("/users/{}", user.id)).bearer(&user.token),
                Vec::new(),
            ),
            _ => (
                Request::put(format!("/users/{}", user.id)).bearer(&user.token),
                vec![
                    ("username".into(), q(&user.username)),
                    ("email".into(), q(&user.email)),
                ],
            ),
        };
        // Two values either of which a lenient reader might keep, each valid where it can be.
        let other = ctx.sign_up_body();
        let values = match r.name.as_str() {
            "username" | "email" if r.route == 0 => {
                (fresh[&r.name].to_string(), other[&r.name].to_string())
            }
            "age" => ("30".to_owned(), "31".to_owned()),
            _ => (q("Repeated One"), q("Repeated Two")),
        };
        let twice = vec![(r.name.clone(), values.0), (r.name.clone(), values.1)];
        match r.depth {
            0 => {
                base.retain(|(n, _)| *n != r.name);
                base.extend(twice);
            }
            1 => base.push(("full_name".into(), text(&twice))),
            _ => base.push((
                "full_name".into(),
                format!("[{{\"x\": 0}}, {}]", text(&twice)),
            )),
        }
        let before = match r.route {
            2 | 3 => Some(ctx.fetch(user.id)?),
            _ => None,
        };
        let exchange = ctx.send(request.raw("application/json", text(&base)))?;
        let problem = expect::problem(&exchange, 400, "a body with a repeated member")?;
        let named = problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&r.name));
        ensure(named, || {
            exchange.fail(
                "the problem's detail does not name the repeated member",
                format!("a detail naming `{}`", r.name),
                format!("\"detail\": {}", problem["detail"]),
            )
        })?;
        // Not acted on: the update changed nothing, and the sign-up's account does not exist.
        if let Some(before) = before {
            let after = ctx.fetch(user.id)?;
            ensure(after == before, || {
                exchange.fail(
                    "a refused update with a repeated member changed the user",
                    before.to_string(),
                    after.to_string(),
                )
            })?;
        }
        if r.route == 0 {
            let again = ctx.send(Request::post("/users").json(&fresh))?;
            ensure(again.status == 201, || {
                again.fail(
                    "a sign-up refused for a repeated member created the account",
                    "201 when the same user signs up without the repeat",
                    again.summary(),
                )
            })?;
        }
        Ok(())
    })
}

/// The bound GEN-14 sets on a header section, and the sizes it speaks of.
const SECTION_LIMIT: usize = 32 * 1024;
const PROBLEM_UP_TO: usize = 64 * 1024;
const NEVER_REFUSED: usize = 8 * 1024;
/// What a request's other fields (the client's own, `--header`, a token) are given room for.
const OTHERS: usize = 4 * 1024;

/// `size` bytes of fields spread over `fields` of them, each `name: value` as sent.
fn padding(size: usize, fields: usize) -> Vec<(String, String)> {
    let each = size / fields;
    (0..fields)
        .map(|i| {
            let name = format!("X-Pad-{i:03}");
            let value = "p".repeat(each.saturating_sub(name.len() + 4).max(1));
            (name, value)
        })
        .collect()
}

fn padded(mut request: Request, fields: &[(String, String)]) -> Request {
    for (name, value) in fields {
        request = request.header(name, value.clone());
    }
    request
}

pub(super) fn gen_14(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let me = || Request::get("/users/me").bearer(&user.token);
    // A section within 8 KiB is served.
    let small = ctx.send(padded(me(), &padding(NEVER_REFUSED - OTHERS, 20)))?;
    expect::ok_json(
        &small,
        200,
        "GET /users/me with a header section under 8 KiB",
    )?;
    // Past 32 KiB and within 64 KiB: 431 with a problem, and a sign-up is not acted on.
    let edges = [
        (SECTION_LIMIT + 1024, 1),
        (PROBLEM_UP_TO - OTHERS, 40),
        (40 * 1024, 3),
    ];
    for_all(
        ctx.budget,
        edges,
        ((SECTION_LIMIT + 1024)..(PROBLEM_UP_TO - OTHERS), 1..60usize),
        |(size, fields)| {
            let fields = padding(*size, *fields);
            let exchange = ctx.send(padded(me(), &fields))?;
            expect::problem(&exchange, 431, "a header section over 32 KiB").map(drop)
        },
    )?;
    let body = ctx.sign_up_body();
    let fields = padding(SECTION_LIMIT + 1024, 2);
    let refused = ctx.send(padded(Request::post("/users").json(&body), &fields))?;
    expect::problem(&refused, 431, "a sign-up with a header section over 32 KiB")?;
    let again = ctx.send(Request::post("/users").json(&body))?;
    ensure(again.status == 201, || {
        again.fail(
            "a sign-up refused with 431 created the account",
            "201 when the same user signs up with a small header section",
            again.summary(),
        )
    })?;
    // Past 64 KiB, or past 100 fields: 431 with or without a body, or the connection closed.
    for (what, fields) in [
        ("a header section of 80 KB", padding(80_000, 1)),
        ("a header section of 150 fields", padding(3000, 150)),
    ] {
        match ctx.send(padded(me(), &fields)) {
            Ok(exchange) => ensure(exchange.status == 431, || {
                exchange.fail(
                    format!("{what} was not refused"),
                    "431, or the connection closed",
                    exchange.summary(),
                )
            })?,
            // The connection closed, or reset under the rest of the section: not served.
            Err(f) if f.kind == crate::failure::Kind::Violation && !f.undocumented => {}
            Err(f) => return Err(f),
        }
    }
    Ok(())
}
