//! CONTRACT §5, Roles: who may change or delete whom.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use super::{Check, Needs, Outcome};
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::ensure;
use crate::http::{Exchange, Request};
use crate::inputs;
use crate::property::for_all;

pub const CHECKS: &[Check] = &[
    Check {
        id: "ROLE-01",
        section: "roles",
        title: "a role is user, moderator or admin",
        hint: "parse role into a closed set and answer 422 for anything else",
        needs: Needs::Nothing,
        run: role_01,
    },
    Check {
        id: "ROLE-02",
        section: "roles",
        title: "a non-admin cannot update another user",
        hint: "compare the caller with the target before applying an update",
        needs: Needs::Nothing,
        run: role_02,
    },
    Check {
        id: "ROLE-03",
        section: "roles",
        title: "a non-admin cannot change their own role or activation",
        hint: "only an admin may set role or is_active",
        needs: Needs::Nothing,
        run: role_03,
    },
    Check {
        id: "ROLE-04",
        section: "roles",
        title: "an admin may update any user, role and activation included",
        hint: "let admins past every ownership rule",
        needs: Needs::Nothing,
        run: role_04,
    },
    Check {
        id: "ROLE-05",
        section: "roles",
        title: "only an admin deletes other users",
        hint: "a non-admin may delete only themself",
        needs: Needs::Nothing,
        run: role_05,
    },
    Check {
        id: "ROLE-06",
        section: "roles",
        title: "a moderator may change only is_active of a user",
        hint: "allow a moderator a PATCH whose only member is is_active on role-user targets",
        needs: Needs::Nothing,
        run: role_06,
    },
];

fn id_path(user: &Session) -> String {
    format!("/users/{}", user.id)
}

/// The request was refused with 403 and the target is as it was.
fn forbidden_and_unchanged(
    ctx: &Ctx,
    exchange: &Exchange,
    target: u64,
    before: &Value,
    what: &str,
) -> Outcome {
    expect::problem(exchange, 403, what)?;
    let after = ctx.fetch(target)?;
    ensure(after == *before, || {
        exchange.fail(
            format!("{what}: refused, yet the user changed"),
            before.to_string(),
            after.to_string(),
        )
    })
}

fn role_01(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let target = ctx.member("user")?;
    let created = ctx.fetch(target.id)?;
    ensure(created["role"] == "user", || {
        crate::failure::Failure::new(
            "a new sign-up's role is not user",
            "\"role\": \"user\"",
            format!("\"role\": {}", created["role"]),
        )
    })?;
    let edges = ["superuser".to_owned(), "Admin".to_owned(), String::new()];
    for_all(ctx.budget, edges, inputs::invalid_role(), |role| {
        let before = ctx.fetch(target.id)?;
        let exchange = ctx.send(
            Request::patch(id_path(&target))
                .bearer(&admin.token)
                .json(&json!({"role": role})),
        )?;
        expect::names_fields(
            &exchange,
            &["role"],
            "an update to a role that does not exist",
        )?;
        let after = ctx.fetch(target.id)?;
        ensure(after == before, || {
            exchange.fail(
                "the refused role change changed the user",
                before.to_string(),
                after.to_string(),
            )
        })
    })
}

/// A change a non-admin might try on someone else.
fn change(ctx: &Ctx, kind: usize, target: &Session) -> Value {
    let fresh = ctx.unique();
    match kind {
        0 => json!({"full_name": "Not Yours"}),
        1 => json!({"username": fresh}),
        2 => json!({"email": format!("{fresh}@example.com")}),
        3 => json!({"age": 5}),
        4 => json!({"role": "admin"}),
        5 => json!({"is_active": false, "full_name": "Both"}),
        _ => json!({"username": target.username, "email": target.email, "full_name": "Replaced"}),
    }
}

/// How an update is sent: `PUT`, or `PATCH` as `application/json` or as a merge patch (HTTP-08),
/// which every permission applies to alike.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Update {
    Put,
    Patch,
    MergePatch,
}

fn update() -> impl Strategy<Value = Update> {
    select(vec![Update::Put, Update::Patch, Update::MergePatch])
}

fn send_update(path: String, how: Update, token: &str, body: &Value) -> Request {
    match how {
        Update::Put => Request::put(path).bearer(token).json(body),
        Update::Patch => Request::patch(path).bearer(token).json(body),
        Update::MergePatch => Request::patch(path)
            .bearer(token)
            .raw("application/merge-patch+json", body.to_string()),
    }
}

fn role_02(ctx: &Ctx) -> Outcome {
    let actors = select(vec!["user", "moderator"]);
    // Every change here is more than a moderator's one allowed change (ROLE-06).
    let strategy = (actors, inputs::role(), 0..7usize, any::<bool>());
    let edges = [
        ("user", "user", 0usize, false),
        ("moderator", "user", 0, false),
        ("user", "admin", 6, false),
        ("user", "user", 4, true),
    ];
    for_all(
        ctx.budget,
        edges,
        strategy,
        |(actor_role, target_role, kind, merge)| {
            let actor = ctx.user(actor_role)?;
            let target = ctx.member(target_role)?;
            let before = ctx.fetch(target.id)?;
            let body = change(ctx, *kind, &target);
            let how = match (*kind, *merge) {
                (6, _) => Update::Put,
                (_, true) => Update::MergePatch,
                _ => Update::Patch,
            };
            let exchange = ctx.send(send_update(id_path(&target), how, &actor.token, &body))?;
            forbidden_and_unchanged(
                ctx,
                &exchange,
                target.id,
                &before,
                &format!("a {actor_role} updating a {target_role} by {how:?}"),
            )
        },
    )
}

fn role_03(ctx: &Ctx) -> Outcome {
    let actors = select(vec!["user", "moderator"]);
    let edges = [
        ("user", 0usize, Update::Patch),
        ("user", 1, Update::Patch),
        ("moderator", 2, Update::Put),
        ("user", 0, Update::MergePatch),
    ];
    for_all(
        ctx.budget,
        edges,
        (actors, 0..3usize, update()),
        |(actor_role, kind, how)| {
            let actor = ctx.user(actor_role)?;
            let before = ctx.fetch(actor.id)?;
            let other_role = ["user", "moderator", "admin"]
                .into_iter()
                .find(|r| r != actor_role)
                .unwrap_or("admin");
            let mut body = match kind {
                0 => json!({"role": "admin"}),
                1 => json!({"role": other_role}),
                _ => json!({"is_active": false}),
            };
            if *how == Update::Put {
                body["username"] = json!(actor.username);
                body["email"] = json!(actor.email);
            }
            let exchange = ctx.send(send_update(id_path(&actor), *how, &actor.token, &body))?;
            forbidden_and_unchanged(
                ctx,
                &exchange,
                actor.id,
                &before,
                &format!("a {actor_role} changing their own role or activation by {how:?}"),
            )
        },
    )
}

fn role_04(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let edges = [
        ("user", "admin", true, false),
        ("moderator", "user", false, true),
    ];
    let strategy = (inputs::role(), inputs::role(), any::<bool>(), any::<bool>());
    for_all(
        ctx.budget,
        edges,
        strategy,
        |(target_role, new_role, active, put)| {
            let target = ctx.member(target_role)?;
            let mut body =
                json!({"role": new_role, "is_active": active, "full_name": "Set By Admin"});
            let request = if *put {
                body["username"] = json!(target.username);
                body["email"] = json!(target.email);
                Request::put(id_path(&target))
            } else {
                Request::patch(id_path(&target))
            };
            let exchange = ctx.send(request.bearer(&admin.token).json(&body))?;
            let updated = expect::ok_json(
                &exchange,
                200,
                "an admin updating a user's role and activation",
            )?;
            let expected =
                json!({"role": new_role, "is_active": active, "full_name": "Set By Admin"});
            super::users::same_members(
                &exchange,
                "the user an admin updated",
                &expected,
                &updated,
                &["role", "is_active", "full_name"],
            )
        },
    )
}

fn role_05(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let actors = select(vec!["user", "moderator"]);
    let edges = [("user", "user"), ("moderator", "user")];
    for_all(
        ctx.budget,
        edges,
        (actors, inputs::role()),
        |(actor_role, target_role)| {
            let actor = ctx.user(actor_role)?;
            let target = ctx.member(target_role)?;
            let before = ctx.fetch(target.id)?;
            let exchange = ctx.send(Request::delete(id_path(&target)).bearer(&actor.token))?;
            forbidden_and_unchanged(
                ctx,
                &exchange,
                target.id,
                &before,
                &format!("a {actor_role} deleting a {target_role}"),
            )?;
            let by_admin = ctx.send(Request::delete(id_path(&target)).bearer(&admin.token))?;
            expect::status(&by_admin, &[204], "an admin deleting a user")?;
            let own = ctx.send(Request::delete(id_path(&actor)).bearer(&actor.token))?;
            expect::status(&own, &[204], "a user deleting themself")
        },
    )
}

fn role_06(ctx: &Ctx) -> Outcome {
    let moderator = ctx.user("moderator")?;
    let edges = [
        (false, "user", 0usize),
        (true, "user", 0),
        (false, "moderator", 0),
    ];
    let strategy = (any::<bool>(), inputs::role(), 0..4usize);
    for_all(
        ctx.budget,
        edges,
        strategy,
        |(active, target_role, kind)| {
            let target = ctx.member(target_role)?;
            let before = ctx.fetch(target.id)?;
            let (request, body) = match kind {
                0 => (
                    Request::patch(id_path(&target)),
                    json!({"is_active": active}),
                ),
                1 => (
                    Request::patch(id_path(&target)),
                    json!({"is_active": active, "full_name": "Moderated"}),
                ),
                2 => (
                    Request::patch(id_path(&target)),
                    json!({"full_name": "Moderated"}),
                ),
                _ => (
                    Request::put(id_path(&target)),
                    json!({"username": target.username, "email": target.email, "is_active": active}),
                ),
            };
            let exchange = ctx.send(request.bearer(&moderator.token).json(&body))?;
            let what = format!(
                "a moderator's {} of a {target_role} with {body}",
                exchange.request.method
            );
            if *kind == 0 && *target_role == "user" {
                let updated = expect::ok_json(&exchange, 200, &what)?;
                return ensure(updated["is_active"] == json!(active), || {
                    exchange.fail(
                        format!("{what}: is_active was not set"),
                        format!("\"is_active\": {active}"),
                        format!("\"is_active\": {}", updated["is_active"]),
                    )
                });
            }
            forbidden_and_unchanged(ctx, &exchange, target.id, &before, &what)
        },
    )
}
