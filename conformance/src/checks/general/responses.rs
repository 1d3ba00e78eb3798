//! GEN-07, GEN-08: request ids and the schemas of successful bodies.

use super::*;

#[derive(Clone, Debug)]
enum RequestId {
    Absent,
    Sane(String),
    Insane(String),
}

pub(super) fn gen_07(ctx: &Ctx) -> Outcome {
    let ids = prop_oneof![
        Just(RequestId::Absent),
        "[!-~]{1,128}".prop_map(RequestId::Sane),
        "[!-~]{129,160}".prop_map(RequestId::Insane),
        "[!-~]{1,10} [!-~]{1,10}".prop_map(RequestId::Insane),
    ];
    let edges = [
        (0, RequestId::Sane("abc-123".into())),
        (1, RequestId::Sane("x".repeat(128))),
        (2, RequestId::Insane("y".repeat(129))),
        (0, RequestId::Absent),
    ];
    for_all(ctx.budget, edges, (0..3usize, ids), |(route, id)| {
        let mut request = match route {
            0 => Request::get("/openapi.json"),
            1 => Request::get("/users"),
            _ => Request::get("/no-such-route"),
        };
        if let RequestId::Sane(v) | RequestId::Insane(v) = id {
            request = request.header("X-Request-Id", v.clone());
        }
        let exchange = ctx.send(request)?;
        let seen = exchange.header("x-request-id");
        let sane =
            |v: &str| (1..=128).contains(&v.len()) && v.bytes().all(|b| (0x21..=0x7e).contains(&b));
        match (id, seen) {
            (_, None) => Err(exchange.fail(
                "the response has no X-Request-Id",
                "an X-Request-Id header",
                "none",
            )),
            (RequestId::Sane(sent), Some(seen)) => ensure(seen == sent, || {
                exchange.fail(
                    "a valid X-Request-Id was not echoed unchanged",
                    format!("X-Request-Id: {sent}"),
                    format!("X-Request-Id: {seen}"),
                )
            }),
            (RequestId::Insane(sent), Some(seen)) => ensure(seen != sent && sane(seen), || {
                exchange.fail(
                    "an invalid X-Request-Id was echoed instead of replaced",
                    "a newly generated id of 1-128 visible characters",
                    format!("X-Request-Id: {seen}"),
                )
            }),
            (RequestId::Absent, Some(seen)) => ensure(sane(seen), || {
                exchange.fail(
                    "the generated X-Request-Id is not 1-128 visible characters",
                    "1-128 visible ASCII characters",
                    format!("X-Request-Id: {seen}"),
                )
            }),
        }
    })
}

/// The body is `application/json` and matches `shape`.
fn matches(exchange: &Exchange, status: u16, shape: Shape, what: &str) -> Result<Value, Failure> {
    let body = expect::ok_json(exchange, status, what)?;
    ensure(exchange.media_type() == "application/json", || {
        exchange.fail(
            format!("{what}: the body is not application/json"),
            "Content-Type: application/json",
            format!(
                "Content-Type: {}",
                exchange.header("content-type").unwrap_or("(none)")
            ),
        )
    })?;
    let violations = shape.violations(&body);
    ensure(violations.is_empty(), || {
        exchange.fail(
            format!("{what}: the body does not match the {shape:?} schema"),
            format!("a body valid against #/components/schemas/{shape:?}"),
            violations.join("; "),
        )
    })?;
    Ok(body)
}

pub(super) fn gen_08(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let strategy = (
        inputs::username_tail(),
        inputs::full_name(),
        inputs::age(),
        1..=100u32,
    );
    for_all(
        ctx.budget,
        [],
        strategy,
        |(tail, full_name, age, page_size)| {
            let mut body = ctx.sign_up_body();
            body["username"] = json!(format!("{}{tail}", body["username"].as_str().unwrap_or("")));
            body["full_name"] = full_name.clone();
            body["age"] = age.clone();
            let created = ctx.send(Request::post("/users").json(&body))?;
            let user = matches(&created, 201, Shape::User, "POST /users")?;
            let id = user["id"].as_u64().unwrap_or_default();
            let username = user["username"].as_str().unwrap_or_default().to_owned();
            let login = ctx.send(
                Request::post("/auth/login")
                    .json(&json!({"username": username, "password": body["password"]})),
            )?;
            let token = matches(&login, 200, Shape::Token, "POST /auth/login")?;
            let token = token["access_token"].as_str().unwrap_or_default();
            let one = ctx.send(Request::get(format!("/users/{id}")).bearer(token))?;
            matches(&one, 200, Shape::User, "GET /users/{id}")?;
            let me = ctx.send(Request::get("/users/me").bearer(token))?;
            matches(&me, 200, Shape::User, "GET /users/me")?;
            let page = ctx
                .send(Request::get(format!("/users?page_size={page_size}")).bearer(&admin.token))?;
            matches(&page, 200, Shape::UserPage, "GET /users")?;
            let listed = [
                (format!("limit={page_size}"), Shape::CursorPage),
                (
                    format!("page_size={page_size}&fields=email,age"),
                    Shape::PartialUserPage,
                ),
                (
                    format!("limit={page_size}&fields=role"),
                    Shape::PartialCursorPage,
                ),
            ];
            for (query, shape) in listed {
                let page =
                    ctx.send(Request::get(format!("/users?{query}")).bearer(&admin.token))?;
                matches(&page, 200, shape, &format!("GET /users?{query}"))?;
            }
            let partial =
                ctx.send(Request::get(format!("/users/{id}?fields=username")).bearer(token))?;
            matches(
                &partial,
                200,
                Shape::PartialUser,
                "GET /users/{id}?fields=username",
            )?;
            let patched = ctx.send(
                Request::patch(format!("/users/{id}"))
                    .bearer(token)
                    .json(&json!({"full_name": "Schema Check"})),
            )?;
            matches(&patched, 200, Shape::User, "PATCH /users/{id}")?;
            let put = ctx.send(
                Request::put(format!("/users/{id}"))
                    .bearer(token)
                    .json(&json!({"username": username, "email": body["email"]})),
            )?;
            matches(&put, 200, Shape::User, "PUT /users/{id}").map(drop)
        },
    )
}
