//! CONTRACT §8, HTTP semantics: HEAD and OPTIONS (RFC 9110 §9.3), merge patches (RFC 7396) and
//! idempotency keys.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use super::general::ROUTES;
use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::Request;
use crate::property::{Budget, for_all};

pub const CHECKS: &[Check] = &[
    Check {
        id: "HTTP-05",
        section: "http",
        title: "HEAD answers GET's status and headers without a body",
        hint: "route HEAD wherever GET is and send the GET's headers with an empty body",
        needs: Needs::Nothing,
        run: http_05,
    },
    Check {
        id: "HTTP-06",
        section: "http",
        title: "OPTIONS is 204 with Allow, unauthenticated",
        hint: "answer OPTIONS of every known path before authentication, listing its methods in Allow",
        needs: Needs::Nothing,
        run: http_06,
    },
    Check {
        id: "HTTP-08",
        section: "http",
        title: "PATCH takes application/merge-patch+json (RFC 7396)",
        hint: "accept application/merge-patch+json on PATCH: null removes optional members, 422 for required ones",
        needs: Needs::Nothing,
        run: http_08,
    },
    Check {
        id: "HTTP-09",
        section: "http",
        title: "an Idempotency-Key replays the first sign-up",
        hint: "record key, body fingerprint and response with the sign-up, in one transaction; \
               \"an Idempotency-Key that is not 1–255 visible ASCII characters is answered 422 \
               naming Idempotency-Key\": refuse it before anything is created",
        needs: Needs::Nothing,
        run: http_09,
    },
];

fn http_05(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let paths = [
        "/openapi.json".to_owned(),
        "/users/me".to_owned(),
        format!("/users?search={}", user.username),
        format!("/users/{}", user.id),
        "/users/0".to_owned(),
        "/users?page_size=0".to_owned(),
    ];
    for path in paths {
        let get = ctx.send(Request::get(path.clone()).bearer(&user.token))?;
        let head = ctx.send(Request::new("HEAD", path.clone()).bearer(&user.token))?;
        let what = format!("HEAD {path}");
        ensure(head.status == get.status, || {
            head.fail(
                format!("{what}: another status than GET's"),
                format!("status {}", get.status),
                format!("status {}", head.status),
            )
        })?;
        ensure(head.body.is_empty(), || {
            head.fail(format!("{what}: a body"), "no body", head.summary())
        })?;
        for name in ["content-type", "etag"] {
            ensure(head.header(name) == get.header(name), || {
                head.fail(
                    format!("{what}: {name} differs from GET's"),
                    format!("{name}: {}", get.header(name).unwrap_or("(none)")),
                    format!("{name}: {}", head.header(name).unwrap_or("(none)")),
                )
            })?;
        }
        if let Some(length) = head.header("content-length") {
            ensure(length.trim() == get.body.len().to_string(), || {
                head.fail(
                    format!("{what}: Content-Length is not the GET body's"),
                    format!("Content-Length: {}", get.body.len()),
                    format!("Content-Length: {length}"),
                )
            })?;
        }
    }
    Ok(())
}

fn http_06(ctx: &Ctx) -> Outcome {
    for (path, supported) in ROUTES {
        let concrete = path.replace("{id}", "1").replace("{order_id}", "1");
        let exchange = ctx.send(Request::new("OPTIONS", concrete))?;
        expect::status(&exchange, &[204], &format!("OPTIONS {path}"))?;
        let mut wanted: Vec<String> = supported.iter().map(|m| m.to_string()).collect();
        if supported.contains(&"GET") {
            wanted.push("HEAD".into());
        }
        wanted.push("OPTIONS".into());
        wanted.sort();
        let allowed = expect::allowed_methods(&exchange).unwrap_or_default();
        ensure(allowed == wanted, || {
            exchange.fail(
                format!("OPTIONS {path}: Allow does not list the path's methods"),
                format!("Allow: {}", wanted.join(", ")),
                format!("Allow: {}", exchange.header("allow").unwrap_or("(none)")),
            )
        })?;
    }
    Ok(())
}

/// Members a merge patch may not remove.
const REQUIRED: [&str; 4] = ["username", "email", "role", "is_active"];

#[derive(Clone, Debug)]
enum Merge {
    /// Removes `full_name`, `age` or both, optionally setting the other.
    Remove { full_name: bool, age: bool },
    /// `null` for a member that cannot be removed.
    Required(&'static str),
}

fn http_08(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let mut edges = vec![
        Merge::Remove {
            full_name: true,
            age: false,
        },
        Merge::Remove {
            full_name: false,
            age: true,
        },
    ];
    edges.extend(REQUIRED.map(Merge::Required));
    let strategy = prop_oneof![
        (any::<bool>(), any::<bool>()).prop_map(|(full_name, age)| Merge::Remove {
            full_name,
            age: age || !full_name
        }),
        select(REQUIRED.to_vec()).prop_map(Merge::Required),
    ];
    let budget = Budget {
        cases: ctx.budget.cases.min(6),
        ..ctx.budget
    };
    for_all(budget, edges, strategy, |merge| {
        let created = ctx.create(&ctx.sign_up_body())?;
        let path = format!("/users/{}", created["id"]);
        let fill = Request::patch(path.clone())
            .bearer(&admin.token)
            .json(&json!({"full_name": "Merge Target", "age": 40}));
        let before = expect::ok_json(&ctx.send(fill)?, 200, "PATCH setting full_name and age")?;
        let patch = match merge {
            Merge::Remove { full_name, age } => {
                let mut p = serde_json::Map::new();
                p.insert(
                    "full_name".into(),
                    if *full_name {
                        Value::Null
                    } else {
                        json!("Kept Name")
                    },
                );
                p.insert("age".into(), if *age { Value::Null } else { json!(41) });
                Value::Object(p)
            }
            Merge::Required(member) => json!({ *member: null }),
        };
        let request = Request::patch(path.clone())
            .bearer(&admin.token)
            .raw("application/merge-patch+json", patch.to_string());
        let exchange = ctx.send(request)?;
        let Merge::Remove { .. } = merge else {
            let Merge::Required(member) = merge else {
                unreachable!()
            };
            return expect::names_fields(
                &exchange,
                &[member],
                "a merge patch removing a required member",
            );
        };
        let after = expect::ok_json(&exchange, 200, "a merge patch")?;
        for (member, value) in patch.as_object().into_iter().flatten() {
            ensure(after[member] == *value, || {
                exchange.fail(
                    format!("the merge patch did not set {member}"),
                    format!("\"{member}\": {value}"),
                    format!("\"{member}\": {}", after[member]),
                )
            })?;
        }
        for member in ["username", "email", "role", "is_active", "created_at"] {
            ensure(after[member] == before[member], || {
                exchange.fail(
                    format!("the merge patch changed {member}, which it did not name"),
                    format!("\"{member}\": {}", before[member]),
                    format!("\"{member}\": {}", after[member]),
                )
            })?;
        }
        Ok(())
    })
}

fn http_09(ctx: &Ctx) -> Outcome {
    let keys = "[!-~]{1,64}";
    let edges = [format!("{}-key", ctx.prefix), "k".repeat(255)];
    let budget = Budget {
        cases: ctx.budget.cases.min(3),
        ..ctx.budget
    };
    for_all(budget, edges, keys, |tail| {
        // Keys are global on a target; the run prefix keeps this run's apart from any other's.
        let key: String = format!("{}{tail}", ctx.prefix).chars().take(255).collect();
        let body = ctx.sign_up_body();
        let post = |body: &Value| {
            ctx.send(
                Request::post("/users")
                    .header("Idempotency-Key", key.clone())
                    .json(body),
            )
        };
        let first = post(&body)?;
        let created = expect::ok_json(&first, 201, "a sign-up with an Idempotency-Key")?;
        let again = post(&body)?;
        let replayed = expect::ok_json(&again, 201, "the same sign-up with the same key")?;
        ensure(
            replayed == created && again.header("location") == first.header("location"),
            || {
                again.fail(
                    "a replay did not answer the first response",
                    first.summary(),
                    again.summary(),
                )
            },
        )?;
        let other = ctx.sign_up_body();
        let reused = post(&other)?;
        expect::names_fields(
            &reused,
            &["Idempotency-Key"],
            "the same key with another body",
        )?;
        // Nothing was made of the refused body: it can still sign up.
        ctx.create(&other).map(drop).map_err(Failure::violation)
    })?;
    invalid_keys(ctx)
}

/// Keys that are not 1–255 visible ASCII characters. Leading and trailing spaces are left out:
/// they are not part of a field's value (RFC 9110 §5.5).
fn invalid_key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[!-~]{256,300}",
        ("[!-~]{1,20}", select(vec![' ', '\t']), "[!-~]{1,20}")
            .prop_map(|(a, c, b)| format!("{a}{c}{b}")),
        (
            "[!-~]{0,20}",
            select(vec!['é', 'ß', 'Ж', '中', '😀']),
            "[!-~]{0,20}"
        )
            .prop_map(|(a, c, b)| format!("{a}{c}{b}")),
    ]
}

/// "1–255 visible ASCII characters": any other key is 422 naming `Idempotency-Key`, and the
/// sign-up it came with is not acted on.
fn invalid_keys(ctx: &Ctx) -> Outcome {
    let edges = [
        String::new(),
        "k".repeat(256),
        "two words".to_owned(),
        "tab\there".to_owned(),
        "clé".to_owned(),
    ];
    let budget = Budget {
        cases: ctx.budget.cases.min(4),
        ..ctx.budget
    };
    for_all(budget, edges, invalid_key(), |key| {
        let body = ctx.sign_up_body();
        let refused = ctx.send(
            Request::post("/users")
                .header("Idempotency-Key", key.clone())
                .json(&body),
        )?;
        expect::names_fields(
            &refused,
            &["Idempotency-Key"],
            "an Idempotency-Key that is not 1-255 visible ASCII characters",
        )?;
        ctx.create(&body).map(drop).map_err(Failure::violation)
    })
}
