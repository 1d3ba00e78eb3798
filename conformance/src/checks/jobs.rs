//! CONTRACT §15, Background jobs: an export accepted with 202, followed to its result.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::{Value, json};

use super::links::{points_to, request_url, same, under_base};
use super::{Check, Needs, Outcome};
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};

pub const CHECKS: &[Check] = &[
    Check {
        id: "JOB-01",
        section: "jobs",
        title: "an export is accepted with 202 and its job moves forward to done",
        hint: "record the job durably, answer 202 with Location /jobs/{id}, and run it in the \
               background, moving its status only forward",
        needs: Needs::Nothing,
        run: job_01,
    },
    Check {
        id: "JOB-02",
        section: "jobs",
        title: "a done export's result is the user and every order of theirs",
        hint: "link the result once done, and export the user's representation with all their \
               orders",
        needs: Needs::Nothing,
        run: job_02,
    },
    Check {
        id: "JOB-03",
        section: "jobs",
        title: "only the user and admins reach the user's jobs",
        hint: "refuse with 403 an export for someone else, and a job or result of another user",
        needs: Needs::Nothing,
        run: job_03,
    },
    Check {
        id: "JOB-04",
        section: "jobs",
        title: "a sign-up's welcome is queued with it and sent",
        hint: "write the welcome into the job queue in the sign-up's own transaction (an outbox), \
               and have the worker send it",
        needs: Needs::Nothing,
        run: job_04,
    },
];

/// How long an export may take (JOB-01).
const BOUND: Duration = Duration::from_secs(60);

const ORDER: [&str; 4] = ["pending", "running", "done", "failed"];

fn rank(status: &str) -> Option<usize> {
    ORDER.iter().position(|s| *s == status)
}

/// Asks for an export of `user`'s data as `token`; the `202` and the job's URL.
fn accepted(ctx: &Ctx, token: &str, user: u64) -> Result<(Exchange, Url), Failure> {
    let exchange = ctx.send(Request::post(format!("/users/{user}/exports")).bearer(token))?;
    let what = "POST /users/{id}/exports";
    let job = expect::ok_json(&exchange, 202, what)?;
    let location = exchange.header("location").unwrap_or_default().to_owned();
    let url = request_url(&exchange)?.join(&location).ok();
    let id = job["id"].as_u64().unwrap_or_default();
    let want = under_base(ctx, &format!("/jobs/{id}"))?;
    match url {
        Some(url) if same(&url, &want) => Ok((exchange, url)),
        _ => Err(exchange.fail(
            format!("{what}: Location does not resolve to the job"),
            format!("Location resolving to {want}"),
            format!("Location: {location}"),
        )),
    }
}

/// Follows a job until it is finished, as `reader`; the last answer. Its status must only move
/// forward, and reach `done` within the bound.
fn followed(ctx: &Ctx, reader: &Session, url: &Url) -> Result<(Exchange, Value), Failure> {
    let started = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    let mut pause = Duration::from_millis(20);
    loop {
        let exchange = ctx.send(Request::get(url.to_string()).bearer(&reader.token))?;
        let job = expect::ok_json(&exchange, 200, "GET of an export's job")?;
        let status = job["status"].as_str().unwrap_or_default().to_owned();
        let backwards = seen.last().and_then(|s| rank(s)) > rank(&status);
        ensure(rank(&status).is_some() && !backwards, || {
            exchange.fail(
                "a job's status went back, or is not one of the four",
                "pending, running, then done or failed, never back",
                format!("statuses seen in order: {seen:?}, then {status:?}"),
            )
        })?;
        seen.push(status.clone());
        match status.as_str() {
            "done" => return Ok((exchange, job)),
            "failed" => {
                return Err(exchange.fail(
                    "an export of a user who exists failed",
                    "\"status\": \"done\"",
                    format!("\"error\": {}", job["error"]),
                ));
            }
            _ if started.elapsed() > BOUND => {
                return Err(exchange.fail(
                    format!("an export was not done within {} s", BOUND.as_secs()),
                    "\"status\": \"done\"",
                    format!("statuses seen in order: {seen:?}"),
                ));
            }
            _ => std::thread::sleep(pause),
        }
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

/// Places a small order for `user` as the admin; its id.
fn order(ctx: &Ctx, user: u64) -> Result<u64, Failure> {
    let admin = ctx.admin()?;
    let body = json!({"items": [{"sku": "JOB-1", "quantity": 2, "unit_price": 150}]});
    let exchange = ctx.send(
        Request::post(format!("/users/{user}/orders"))
            .bearer(&admin.token)
            .json(&body),
    )?;
    let placed = expect::ok_json(&exchange, 201, "placing an order")
        .map_err(|f| f.blocked("placing a test order"))?;
    Ok(placed["id"].as_u64().unwrap_or_default())
}

fn job_01(ctx: &Ctx) -> Outcome {
    let owner = ctx.user("user")?;
    let admin = ctx.admin()?;
    for (token, who) in [(&owner.token, "the user"), (&admin.token, "an admin")] {
        let (exchange, url) = accepted(ctx, token, owner.id).map_err(|f| {
            let title = format!("an export asked for by {who}: {}", f.title);
            f.retitled(title)
        })?;
        let job = exchange.json().unwrap_or_default();
        ensure(job["user_id"].as_u64() == Some(owner.id), || {
            exchange.fail(
                "the accepted job names another user",
                format!("\"user_id\": {}", owner.id),
                format!("\"user_id\": {}", job["user_id"]),
            )
        })?;
        followed(ctx, &owner, &url)?;
    }
    Ok(())
}

fn job_02(ctx: &Ctx) -> Outcome {
    let owner = ctx.user("user")?;
    let orders: BTreeSet<u64> = [order(ctx, owner.id)?, order(ctx, owner.id)?].into();
    let (_, url) = accepted(ctx, &owner.token, owner.id)?;
    let (exchange, job) = followed(ctx, &owner, &url)?;
    let links = &job["links"];
    let want = under_base(ctx, &format!("/jobs/{}/result", job["id"]))?;
    points_to(&exchange, links, "result", &want, "a done export")?;
    let answer = ctx.send(Request::get(want.to_string()).bearer(&owner.token))?;
    let result = expect::ok_json(&answer, 200, "GET of a done export's result")?;
    let me = ctx.fetch(owner.id)?;
    ensure(
        result["user"]["id"] == me["id"] && result["user"]["username"] == me["username"],
        || {
            answer.fail(
                "the export's user is not the user it was asked for",
                format!("\"user\": the user {}", owner.id),
                format!("\"user\": {}", result["user"]),
            )
        },
    )?;
    let exported: BTreeSet<u64> = result["orders"]
        .as_array()
        .map(|o| o.iter().filter_map(|o| o["id"].as_u64()).collect())
        .unwrap_or_default();
    ensure(exported == orders, || {
        answer.fail(
            "the export does not hold every order of the user's",
            format!("orders {orders:?}"),
            format!("orders {exported:?}"),
        )
    })
}

fn job_03(ctx: &Ctx) -> Outcome {
    let owner = ctx.user("user")?;
    let (_, url) = accepted(ctx, &owner.token, owner.id)?;
    followed(ctx, &owner, &url)?;
    let result = format!("{url}/result");
    let export = format!("/users/{}/exports", owner.id);
    for role in ["user", "moderator"] {
        let other = ctx.user(role)?;
        let cases = [
            Request::post(export.clone()),
            Request::get(url.to_string()),
            Request::get(result.clone()),
        ];
        for request in cases {
            let what = format!(
                "{} {} by a {role} who is another user",
                request.method, request.path
            );
            expect::problem(&ctx.send(request.bearer(&other.token))?, 403, &what)?;
        }
    }
    for request in [
        Request::post(export.clone()),
        Request::get(url.to_string()),
        Request::get(result.clone()),
    ] {
        let what = format!("{} {} without a credential", request.method, request.path);
        expect::problem(&ctx.send(request)?, 401, &what)?;
    }
    let absent = Request::get(format!("/jobs/{}", 1u64 << 62)).bearer(&owner.token);
    expect::problem(&ctx.send(absent)?, 404, "GET of a job that does not exist").map(drop)
}

fn job_04(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let path = format!("/users/{}/notifications", user.id);
    let started = Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        let exchange = ctx.send(Request::get(path.clone()).bearer(&user.token))?;
        let list = expect::ok_json(&exchange, 200, "GET of a new user's notifications")?;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        let welcomes: Vec<&Value> = items.iter().filter(|n| n["kind"] == "welcome").collect();
        ensure(welcomes.len() == 1, || {
            exchange.fail(
                "a new user's notifications do not hold exactly one welcome",
                "one {\"kind\": \"welcome\", ...}",
                format!("\"items\": {}", list["items"]),
            )
        })?;
        let welcome = welcomes[0];
        if welcome["status"] == "sent" {
            let sent = welcome["sent_at"].as_str().and_then(instant);
            let created = welcome["created_at"].as_str().and_then(instant);
            ensure(sent.zip(created).is_some_and(|(s, c)| s >= c), || {
                exchange.fail(
                    "a sent welcome has no sent_at, or one before it was created",
                    "sent_at, an RFC 3339 time no earlier than created_at",
                    welcome.to_string(),
                )
            })?;
            break;
        }
        ensure(
            welcome["status"] == "pending" && started.elapsed() < BOUND,
            || {
                exchange.fail(
                    format!(
                        "a new user's welcome was not sent within {} s",
                        BOUND.as_secs()
                    ),
                    "\"status\": \"sent\"",
                    welcome.to_string(),
                )
            },
        )?;
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(500));
    }
    let other = ctx.user("user")?;
    let exchange = ctx.send(Request::get(path.clone()).bearer(&other.token))?;
    expect::problem(&exchange, 403, "GET of another user's notifications")?;
    expect::problem(
        &ctx.send(Request::get(path))?,
        401,
        "GET of notifications without a credential",
    )
    .map(drop)
}

fn instant(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}
