//! USR-04, USR-05: usernames and emails unique ignoring case, on sign-up and on every update.

use super::*;

/// The first case variant of `name` that differs from it, as proptest chose or by swapping all.
fn variant(name: &str, mask: &[bool]) -> String {
    let chosen = inputs::recase(name, mask);
    if chosen != name {
        chosen
    } else {
        inputs::recase(name, &vec![true; name.len()])
    }
}

/// An update of `other` through `op` to `taken` (held by someone else, in another case) is `409`
/// and changes nothing.
fn taken_on_update(ctx: &Ctx, other: &Session, op: ops::Op, member: &str, taken: &str) -> Outcome {
    let before = ctx.fetch(other.id)?;
    let change = ctx.send(ops::send_one(ctx, op, other, member, &json!(taken)))?;
    let what = format!("{} to a {member} taken in another case", op.name());
    expect::problem(&change, 409, &what)?;
    let after = ctx.fetch(other.id)?;
    ensure(after == before, || {
        change.fail(
            format!("the refused {} changed the user", op.name()),
            before.to_string(),
            after.to_string(),
        )
    })
}

/// Once a user changes its `member` through an update operation, the value it held is held by no
/// one: a sign-up with it is `201`, on every update operation. A uniqueness index that keeps the
/// old entry when the member changes refuses it.
fn released_on_update(ctx: &Ctx, member: &str) -> Outcome {
    let user = ctx.user("user")?;
    for op in ops::UPDATES {
        let old = ctx.fetch(user.id)?[member].clone();
        let new = ctx.sign_up_body()[member].clone();
        let change = ctx.send(ops::send_one(ctx, op, &user, member, &new))?;
        expect::ok_json(&change, 200, &format!("{} of the {member}", op.name()))
            .map_err(|f| f.blocked(format!("changing a user's {member}")))?;
        let mut body = ctx.sign_up_body();
        body[member] = old;
        ctx.create(&body).map_err(|f| {
            let f = f.violation();
            let title = format!(
                "the {member} a user gave up by {} stays taken: {}",
                op.name(),
                f.title
            );
            f.retitled(title)
        })?;
    }
    Ok(())
}

pub(super) fn usr_04(ctx: &Ctx) -> Outcome {
    released_on_update(ctx, "username")?;
    let other = ctx.user("user")?;
    let edges = (0..ops::UPDATES.len()).map(|op| (String::new(), vec![true; 64], op));
    for_all(
        ctx.budget,
        edges,
        (
            inputs::username_tail(),
            inputs::case_mask(),
            0..ops::UPDATES.len(),
        ),
        |(tail, mask, op)| {
            let mut body = ctx.sign_up_body();
            body["username"] = json!(format!("{}{tail}", body["username"].as_str().unwrap_or("")));
            let holder = ctx.create(&body)?;
            let taken = variant(holder["username"].as_str().unwrap_or(""), mask);
            let mut second = ctx.sign_up_body();
            second["username"] = json!(taken);
            let exchange = ctx.send(Request::post("/users").json(&second))?;
            expect::problem(
                &exchange,
                409,
                "a sign-up with a username taken in another case",
            )?;
            let holder_id = holder["id"].as_u64().unwrap_or_default();
            let after = ctx.fetch(holder_id)?;
            ensure(after == holder, || {
                exchange.fail(
                    "the refused sign-up changed the holder of the username",
                    holder.to_string(),
                    after.to_string(),
                )
            })?;
            // Nothing was created: the refused sign-up's email is still free.
            let mut third = ctx.sign_up_body();
            third["email"] = second["email"].clone();
            ctx.create(&third).map_err(|f| {
                let f = f.violation();
                let title = format!("the refused sign-up kept its email: {}", f.title);
                f.retitled(title)
            })?;
            // The same holds for an update to a taken username, on every update operation.
            taken_on_update(ctx, &other, ops::UPDATES[*op], "username", &taken)
        },
    )
}

pub(super) fn usr_05(ctx: &Ctx) -> Outcome {
    released_on_update(ctx, "email")?;
    let other = ctx.user("user")?;
    let parts = || ("".to_owned(), "example.com".to_owned());
    let edges = (0..ops::UPDATES.len()).map(|op| (parts(), vec![true; 64], op));
    for_all(
        ctx.budget,
        edges,
        (
            inputs::email_parts(),
            inputs::case_mask(),
            0..ops::UPDATES.len(),
        ),
        |(parts, mask, op)| {
            let body = sign_up(ctx, "", parts);
            let holder = ctx.create(&body)?;
            let taken = variant(holder["email"].as_str().unwrap_or(""), mask);
            let mut second = ctx.sign_up_body();
            second["email"] = json!(taken);
            let exchange = ctx.send(Request::post("/users").json(&second))?;
            expect::problem(
                &exchange,
                409,
                "a sign-up with an email taken in another case",
            )?;
            let after = ctx.fetch(holder["id"].as_u64().unwrap_or_default())?;
            ensure(after == holder, || {
                exchange.fail(
                    "the refused sign-up changed the holder of the email",
                    holder.to_string(),
                    after.to_string(),
                )
            })?;
            let mut third = ctx.sign_up_body();
            third["username"] = second["username"].clone();
            ctx.create(&third).map_err(|f| {
                let f = f.violation();
                let title = format!("the refused sign-up kept its username: {}", f.title);
                f.retitled(title)
            })?;
            taken_on_update(ctx, &other, ops::UPDATES[*op], "email", &taken)
        },
    )
}
