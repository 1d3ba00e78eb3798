//! CONTRACT §2, GEN-12: which failure answers a request that has several (the order of §1).
//!
//! Each case sends one request with two faults, on a route where both can occur, and expects the
//! status of the one §1 puts first. Every adjacent pair of the order is sent at least once, and a
//! few that skip a step (another user's invalid PATCH is 403, not 422). The rate limit's place
//! (429 first) needs a drained bucket and is left to RATE-03; a body that is not well-formed JSON
//! cannot also be invalid, so 400 before 422 has no request to show it.

use proptest::sample::select;
use serde_json::{Value, json};

use super::{Check, Needs, Outcome};
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::Failure;
use crate::http::Request;
use crate::property::for_all;

pub const CHECKS: &[Check] = &[Check {
    id: "GEN-12",
    section: "general",
    title: "of several failures, the first in §1's order answers",
    hint: "\"a request is checked in this order, and the first failure answers\": authenticate, \
           load the target, check the caller may act on it and If-Match, and only then read and \
           validate the body, then the particular change, then uniqueness",
    needs: Needs::Nothing,
    run: gen_12,
}];

/// One step of §1's order failing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// 406: an `Accept` that admits no JSON.
    Accept,
    /// 401: no credential or an unusable one.
    Auth,
    /// 404: a user that does not exist (one this check deleted).
    Missing,
    /// 403: a non-admin acting on another user at all.
    Forbidden,
    /// 412: an `If-Match` that names no current tag.
    Stale,
    /// 415: a body of a media type that is not JSON.
    MediaType,
    /// 413: a body over 64 KiB.
    TooLarge,
    /// 400: a body that is not well-formed JSON.
    Malformed,
    /// 422: a well-formed body that breaks a field rule.
    Invalid,
    /// 403: a non-admin changing their own role.
    Change,
    /// 409: a username another user holds.
    Taken,
}

impl Fault {
    fn status(self) -> u16 {
        match self {
            Fault::Accept => 406,
            Fault::Auth => 401,
            Fault::Missing => 404,
            Fault::Forbidden | Fault::Change => 403,
            Fault::Stale => 412,
            Fault::MediaType => 415,
            Fault::TooLarge => 413,
            Fault::Malformed => 400,
            Fault::Invalid => 422,
            Fault::Taken => 409,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Put,
    Patch,
    MergePatch,
    Delete,
    SignUp,
    Login,
}

use Fault::*;

/// The pairs each route can have, the one §1 puts first on the left.
fn pairs(route: Route) -> &'static [(Fault, Fault)] {
    match route {
        Route::Put | Route::Patch | Route::MergePatch => &[
            (Accept, Auth),
            (Auth, Missing),
            (Missing, Forbidden),
            (Forbidden, Stale),
            (Stale, MediaType),
            (Stale, TooLarge),
            (Stale, Malformed),
            (MediaType, TooLarge),
            (TooLarge, Malformed),
            (Invalid, Change),
            (Change, Taken),
            (Auth, Invalid),
            (Missing, Invalid),
            (Forbidden, Invalid),
            (Forbidden, Malformed),
            (Stale, Invalid),
            (Invalid, Taken),
        ],
        Route::Delete => &[
            (Accept, Auth),
            (Auth, Missing),
            (Missing, Forbidden),
            (Forbidden, Stale),
        ],
        Route::SignUp => &[
            (Accept, MediaType),
            (Accept, Invalid),
            (MediaType, TooLarge),
            (MediaType, Malformed),
            (TooLarge, Malformed),
            (Invalid, Taken),
        ],
        Route::Login => &[
            (Accept, MediaType),
            (Accept, Invalid),
            (MediaType, TooLarge),
            (TooLarge, Malformed),
        ],
    }
}

const ROUTES: [Route; 6] = [
    Route::Put,
    Route::Patch,
    Route::MergePatch,
    Route::Delete,
    Route::SignUp,
    Route::Login,
];

type Case = (Route, Fault, Fault);

/// The users a case acts as and on.
struct Cast {
    admin: Session,
    /// A user of role `user`, acting on `other` or on themself.
    actor: Session,
    other: Session,
    /// The id of a user that existed and was deleted.
    gone: u64,
}

/// The variants of each fault; `pick` chooses one.
fn pick<T: Clone>(options: &[T], pick: usize) -> T {
    options[pick % options.len()].clone()
}

fn request(ctx: &Ctx, cast: &Cast, (route, a, b): Case, variant: usize) -> Request {
    let has = |f: Fault| a == f || b == f;
    let (path, mut body, json_type) = match route {
        Route::SignUp => ("/users".to_owned(), ctx.sign_up_body(), "application/json"),
        Route::Login => (
            "/auth/login".to_owned(),
            json!({"username": cast.actor.username, "password": cast.actor.password}),
            "application/json",
        ),
        _ => {
            let target = if has(Change) {
                &cast.actor
            } else {
                &cast.other
            };
            let id = if has(Missing) { cast.gone } else { target.id };
            let body = match route {
                Route::Put => json!({"username": target.username, "email": target.email}),
                _ => json!({"full_name": "Precedence"}),
            };
            let json_type = match route {
                Route::MergePatch => "application/merge-patch+json",
                _ => "application/json",
            };
            (format!("/users/{id}"), body, json_type)
        }
    };
    if has(Invalid) {
        let (member, value) = match route {
            Route::Login => pick(
                &[("password", json!(12345678)), ("username", Value::Null)],
                variant,
            ),
            Route::SignUp => pick(
                &[
                    ("password", json!("short")),
                    ("age", json!(-1)),
                    ("role", json!("admin")),
                ],
                variant,
            ),
            _ => pick(
                &[
                    ("age", json!(-1)),
                    ("email", json!("not-an-email")),
                    ("age", json!(151)),
                ],
                variant,
            ),
        };
        body[member] = value;
    }
    if has(Change) {
        body["role"] = json!("admin");
    }
    if has(Taken) {
        let holder = if route != Route::SignUp && !has(Change) {
            &cast.actor
        } else {
            &cast.other
        };
        body["username"] = json!(holder.username);
    }
    let method = match route {
        Route::Put => "PUT",
        Route::Patch | Route::MergePatch => "PATCH",
        Route::Delete => "DELETE",
        Route::SignUp | Route::Login => "POST",
    };
    let mut request = Request::new(method, path);
    let accept = if has(Accept) {
        pick(
            &["text/html", "application/xml", "image/png, text/*"],
            variant,
        )
    } else {
        "application/json"
    };
    request = request.header("Accept", accept);
    if !matches!(route, Route::SignUp | Route::Login) {
        let caller = if has(Forbidden) || has(Change) {
            &cast.actor
        } else {
            &cast.admin
        };
        request = match has(Auth) {
            false => request.bearer(&caller.token),
            true => match variant % 3 {
                0 => request,
                1 => request.header("Authorization", "Bearer not-a-token"),
                _ => request.header("Authorization", "Basic dXNlcjpwYXNz"),
            },
        };
    }
    if has(Stale) {
        request = request.header("If-Match", pick(&["\"stale\"", "\"0\", \"1\""], variant));
    }
    if route == Route::Delete {
        return request;
    }
    let text = if has(Malformed) {
        pick(
            &["{\"full_name\": ", "{'full_name': 'x'}", "not json"],
            variant,
        )
        .to_owned()
    } else {
        body.to_string()
    };
    let text = if has(TooLarge) {
        // Over 64 KiB, and well-formed only if the rest of the body is.
        format!("{text}{}", " ".repeat(70 * 1024))
    } else {
        text
    };
    let media = if has(MediaType) {
        pick(
            &["text/plain", "application/x-www-form-urlencoded"],
            variant,
        )
    } else {
        json_type
    };
    request.raw(media, text)
}

fn gen_12(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let actor = ctx.user("user")?;
    let other = ctx.user("user")?;
    let doomed = ctx.user("user")?;
    let delete = Request::delete(format!("/users/{}", doomed.id)).bearer(&admin.token);
    expect::status(&ctx.send(delete)?, &[204], "deleting a user")
        .map_err(|f| f.blocked("deleting the user whose id names no one"))?;
    let cast = Cast {
        admin,
        actor,
        other,
        gone: doomed.id,
    };
    let cases: Vec<Case> = ROUTES
        .iter()
        .flat_map(|&r| pairs(r).iter().map(move |&(a, b)| (r, a, b)))
        .collect();
    let edges: Vec<(Case, usize)> = cases.iter().map(|&c| (c, 0)).collect();
    let strategy = (select(cases), 0..6usize);
    for_all(ctx.budget, edges, strategy, |&(case, variant)| {
        let (route, first, second) = case;
        let exchange = ctx.send(request(ctx, &cast, case, variant))?;
        let what = format!(
            "{route:?} failing both {first:?} ({}) and {second:?} ({})",
            first.status(),
            second.status()
        );
        expect::problem(&exchange, first.status(), &what)
            .map(drop)
            .map_err(|f: Failure| f.retitled(format!("{what}: answered {}", exchange.status)))
    })
}
