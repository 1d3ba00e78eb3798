//! HTTP-13: the tags of the routes added after the users': a user's orders and their pages, an
//! export's job, and a user's notifications, each followed through the changes it goes through.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::tags::{not_modified, strong_tag};
use crate::checks::Outcome;
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};

/// How long an export and a welcome may take (JOB-01, JOB-04).
const FINISHED_WITHIN: Duration = Duration::from_secs(60);

/// One URL read again and again, its last answer and tag kept to compare the next with.
struct Followed<'a> {
    ctx: &'a Ctx,
    reader: &'a Session,
    path: String,
    last: Option<(Exchange, String)>,
}

impl<'a> Followed<'a> {
    fn new(ctx: &'a Ctx, reader: &'a Session, path: String) -> Followed<'a> {
        Followed {
            ctx,
            reader,
            path,
            last: None,
        }
    }

    /// Reads it again: the tag must be strong, and equal to the last one exactly when the body
    /// is the same representation. The body as JSON.
    fn read(&mut self) -> Result<Value, Failure> {
        let what = format!("GET {}", self.path);
        let request = Request::get(self.path.clone()).bearer(&self.reader.token);
        let exchange = self.ctx.send(request)?;
        let body = expect::ok_json(&exchange, 200, &what)?;
        let tag = strong_tag(&exchange, &what)?;
        if let Some((before, old)) = &self.last {
            let same_body = exchange.json() == before.json();
            ensure((tag == *old) == same_body, || {
                exchange.fail(
                    if same_body {
                        format!("{what}: the ETag changed although the representation did not")
                    } else {
                        format!(
                            "{what}: the ETag stayed the same although the representation changed"
                        )
                    },
                    format!(
                        "an ETag {} {old}",
                        if same_body { "equal to" } else { "other than" }
                    ),
                    format!("ETag: {tag}; body before: {}", before.summary()),
                )
            })?;
        }
        self.last = Some((exchange, tag));
        Ok(body)
    }

    /// The current tag answers `If-None-Match` with `304`, no body and the tag; another tag with
    /// `200`. Asked only once the representation no longer changes.
    fn revalidates(&self) -> Outcome {
        let Some((_, tag)) = &self.last else {
            return Ok(());
        };
        let what = format!(
            "GET {} with If-None-Match naming the current tag",
            self.path
        );
        let request = Request::get(self.path.clone())
            .bearer(&self.reader.token)
            .header("If-None-Match", tag.clone());
        not_modified(&self.ctx.send(request)?, tag, &what)?;
        let other = Request::get(self.path.clone())
            .bearer(&self.reader.token)
            .header("If-None-Match", "\"not-the-current-tag\"");
        let what = format!("GET {} with If-None-Match naming another tag", self.path);
        expect::ok_json(&self.ctx.send(other)?, 200, &what).map(drop)
    }

    /// Reads it until `done` says its representation is final, comparing every answer with the
    /// one before.
    fn until(&mut self, done: impl Fn(&Value) -> bool, what: &str) -> Outcome {
        let started = Instant::now();
        let mut pause = Duration::from_millis(10);
        while !done(&self.read()?) {
            if started.elapsed() > FINISHED_WITHIN {
                return Err(Failure::new(
                    format!(
                        "{what} did not finish within {} s",
                        FINISHED_WITHIN.as_secs()
                    ),
                    "finished",
                    format!("GET {}: not yet", self.path),
                )
                .blocked(format!("waiting for {what}")));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(200));
        }
        Ok(())
    }
}

/// Places an order for `user` as the user; its id.
fn place(ctx: &Ctx, user: &Session, sku: &str) -> Result<u64, Failure> {
    let body = json!({"items": [{"sku": sku, "quantity": 1, "unit_price": 100}]});
    let exchange = ctx.send(
        Request::post(format!("/users/{}/orders", user.id))
            .bearer(&user.token)
            .json(&body),
    )?;
    let placed = expect::ok_json(&exchange, 201, "placing an order")
        .map_err(|f| f.blocked("placing a test order"))?;
    Ok(placed["id"].as_u64().unwrap_or_default())
}

pub fn http_13(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let first = place(ctx, &user, "TAG-1")?;
    let mut page = Followed::new(ctx, &user, format!("/users/{}/orders", user.id));
    let mut order = Followed::new(ctx, &user, format!("/users/{}/orders/{first}", user.id));
    // Twice unchanged, then the page again once a second order is on it.
    for followed in [&mut page, &mut order] {
        followed.read()?;
        followed.read()?;
    }
    place(ctx, &user, "TAG-2")?;
    page.read()?;
    // The welcome of the sign-up, and an export, followed until they are final.
    let mut welcome = Followed::new(ctx, &user, format!("/users/{}/notifications", user.id));
    welcome.until(
        |n| {
            n["items"]
                .as_array()
                .is_some_and(|items| items.iter().all(|i| i["status"] != "pending"))
        },
        "the welcome notification",
    )?;
    let exchange =
        ctx.send(Request::post(format!("/users/{}/exports", user.id)).bearer(&user.token))?;
    let job = expect::ok_json(&exchange, 202, "POST /users/{id}/exports")
        .map_err(|f| f.blocked("asking for an export"))?;
    let mut export = Followed::new(ctx, &user, format!("/jobs/{}", job["id"]));
    export.until(
        |j| j["status"] == "done" || j["status"] == "failed",
        "the export",
    )?;
    for followed in [&page, &order, &welcome, &export] {
        followed.revalidates()?;
    }
    Ok(())
}
