//! One sequence against the target: each step is sent, its answer held against the model, and
//! what the server chose (ids, timestamps, tags, tokens) learnt for the steps that follow.

use std::collections::HashMap;

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::view::{Names, differs, instant};
use super::{Actor, Model, Step};
use crate::context::Ctx;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};

/// What the server told of one slot's user.
pub(super) struct Slot {
    pub id: u64,
    pub token: Option<String>,
    /// How many times the representation changed: tags of one version must be equal, tags of
    /// two versions different (HTTP-01).
    pub version: u32,
    pub tags: Vec<(u32, String)>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A sequence under way.
pub struct Run<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) names: Names,
    pub(super) model: Model,
    pub(super) slots: Vec<Slot>,
    /// Every exchange so far, for the transcript of a failure.
    pub(super) log: Vec<Exchange>,
    /// Each list URL read: the body and tag last answered.
    pub(super) pages: HashMap<String, (Value, String)>,
    /// Every token received and how the transcript names it.
    pub(super) tokens: Vec<(String, String)>,
}

fn statuses(allowed: &[u16]) -> String {
    let all: Vec<String> = allowed.iter().map(u16::to_string).collect();
    all.join(" or ")
}

impl<'a> Run<'a> {
    pub fn new(ctx: &'a Ctx) -> Run<'a> {
        Run {
            ctx,
            names: Names { tag: ctx.unique() },
            model: Model::default(),
            slots: Vec::new(),
            log: Vec::new(),
            pages: HashMap::new(),
            tokens: Vec::new(),
        }
    }

    /// Sends `step` and checks its answer; the model moves on with it.
    pub fn step(&mut self, step: &Step) -> Result<(), Failure> {
        let allowed = self.model.expect(step);
        let status = match step {
            Step::SignUp { .. } => Some(self.sign_up(step, &allowed)?),
            Step::Login { who, shout } => Some(self.login(*who, *shout, &allowed)?),
            Step::Get {
                actor,
                who,
                revalidate,
            } => self.get(*actor, *who, *revalidate, &allowed)?,
            Step::List { actor, query } => self.list(*actor, query, &allowed)?,
            Step::Put { .. } | Step::Patch { .. } => self.update(step, &allowed)?,
            Step::Delete { actor, who, cond } => self.delete(*actor, *who, *cond, &allowed)?,
        };
        if let Some(status) = status {
            self.model.apply(step, status);
        }
        Ok(())
    }

    pub(super) fn send(&mut self, request: Request) -> Result<Exchange, Failure> {
        let exchange = self.ctx.send(request)?;
        self.log.push(exchange.clone());
        Ok(exchange)
    }

    pub(super) fn answered(
        &self,
        exchange: &Exchange,
        allowed: &[u16],
        what: &str,
    ) -> Result<u16, Failure> {
        ensure(allowed.contains(&exchange.status), || {
            exchange.fail(
                format!(
                    "{what}: answered {} where the model expects {}",
                    exchange.status,
                    statuses(allowed)
                ),
                format!("status {}", statuses(allowed)),
                exchange.summary(),
            )
        })?;
        Ok(exchange.status)
    }

    pub(super) fn body(exchange: &Exchange, what: &str) -> Result<Value, Failure> {
        exchange.json().filter(Value::is_object).ok_or_else(|| {
            exchange.fail(
                format!("{what}: the body is not a JSON object"),
                "a JSON object",
                exchange.summary(),
            )
        })
    }

    /// The token `actor` sends: the admin's; a live user's (logging in first when it has none);
    /// the last token of a user since deleted or deactivated, which must be refused; `None`
    /// when there is no token to send, and the step is skipped.
    pub(super) fn token(&mut self, actor: Actor) -> Result<Option<String>, Failure> {
        let Actor::User(i) = actor else {
            return Ok(Some(self.ctx.admin()?.token));
        };
        if self.slots[i].token.is_none() && self.model.authenticated(actor) {
            let name = self.names.username(self.model.users[i].name);
            let exchange = self.log_in(&name)?;
            self.answered(&exchange, &[200], "a login of a live, active user")?;
            self.take_token(i, &exchange)?;
        }
        Ok(self.slots[i].token.clone())
    }

    fn log_in(&mut self, username: &str) -> Result<Exchange, Failure> {
        let body = json!({"username": username, "password": self.ctx.password()});
        self.send(Request::post("/auth/login").json(&body))
    }

    fn take_token(&mut self, slot: usize, exchange: &Exchange) -> Result<(), Failure> {
        let body = Run::body(exchange, "a login")?;
        let token = body["access_token"].as_str().ok_or_else(|| {
            exchange.fail(
                "a login answered no access_token",
                "an access_token",
                "none",
            )
        })?;
        self.tokens
            .push((token.to_owned(), format!("$TOKEN_{}", slot + 1)));
        self.slots[slot].token = Some(token.to_owned());
        Ok(())
    }

    fn sign_up(&mut self, step: &Step, allowed: &[u16]) -> Result<u16, Failure> {
        let Step::SignUp {
            name,
            mail,
            full_name,
            age,
        } = *step
        else {
            unreachable!("a sign-up step")
        };
        let mut body = json!({
            "username": self.names.username(name),
            "email": self.names.email(mail),
            "password": self.ctx.password(),
        });
        if full_name.is_some() {
            body["full_name"] = self.names.full_name(full_name);
        }
        if age.is_some() {
            body["age"] = Names::age(age);
        }
        let exchange = self.send(Request::post("/users").json(&body))?;
        let status = self.answered(&exchange, allowed, "a sign-up")?;
        if status != 201 {
            return Ok(status);
        }
        let user = Run::body(&exchange, "a sign-up")?;
        let id = user["id"].as_u64().filter(|&id| id > 0).ok_or_else(|| {
            exchange.fail(
                "a new user has no positive id",
                "an id",
                user["id"].to_string(),
            )
        })?;
        if let Some(earlier) = self.slots.iter().position(|s| s.id == id) {
            return Err(exchange.fail(
                format!(
                    "a new user got the id of user {} of the sequence",
                    earlier + 1
                ),
                "an id that named no user before (a deleted user's id names no one again)",
                format!("\"id\": {id}"),
            ));
        }
        let mut next = self.model.clone();
        next.apply(step, 201);
        let expected = self.names.shown(&next.users[next.users.len() - 1], id);
        self.same_members(&exchange, "the new user", &expected, &user)?;
        let (created_at, updated_at) = (
            Run::time(&exchange, &user, "created_at")?,
            Run::time(&exchange, &user, "updated_at")?,
        );
        self.slots.push(Slot {
            id,
            token: None,
            version: 0,
            tags: Vec::new(),
            created_at,
            updated_at,
        });
        Ok(201)
    }

    fn login(&mut self, who: usize, shout: bool, allowed: &[u16]) -> Result<u16, Failure> {
        let name = self.model.users[who].name;
        let mut username = self.names.username(name);
        if shout {
            username = username.to_uppercase();
        }
        let exchange = self.log_in(&username)?;
        let status = self.answered(&exchange, allowed, "a login")?;
        if status == 200
            && let Some(holder) = self.model.holder(name.n)
        {
            self.take_token(holder, &exchange)?;
        }
        Ok(status)
    }

    pub(super) fn time(
        exchange: &Exchange,
        user: &Value,
        member: &str,
    ) -> Result<OffsetDateTime, Failure> {
        instant(user, member).ok_or_else(|| {
            exchange.fail(
                format!("`{member}` is not an RFC 3339 timestamp"),
                "an RFC 3339 date-time",
                format!("\"{member}\": {}", user[member]),
            )
        })
    }

    pub(super) fn same_members(
        &self,
        exchange: &Exchange,
        what: &str,
        expected: &Value,
        actual: &Value,
    ) -> Result<(), Failure> {
        match differs(expected, actual) {
            None => Ok(()),
            Some(member) => Err(exchange.fail(
                format!("{what}: `{member}` is not what the model holds"),
                format!("\"{member}\": {}", expected[member]),
                format!("\"{member}\": {} in {actual}", actual[member]),
            )),
        }
    }

    /// `user`, as answered for slot `who`, is the model's user with the timestamps learnt.
    pub(super) fn is_current(
        &self,
        exchange: &Exchange,
        what: &str,
        who: usize,
        user: &Value,
    ) -> Result<(), Failure> {
        let slot = &self.slots[who];
        let expected = self.names.shown(&self.model.users[who], slot.id);
        self.same_members(exchange, what, &expected, user)?;
        for (member, known) in [
            ("created_at", slot.created_at),
            ("updated_at", slot.updated_at),
        ] {
            let shown = Run::time(exchange, user, member)?;
            ensure(shown == known, || {
                exchange.fail(
                    format!("{what}: `{member}` is not the instant last answered for this user"),
                    format!("\"{member}\": {known}"),
                    format!("\"{member}\": {}", user[member]),
                )
            })?;
        }
        Ok(())
    }

    fn get(
        &mut self,
        actor: Actor,
        who: usize,
        revalidate: bool,
        allowed: &[u16],
    ) -> Result<Option<u16>, Failure> {
        let Some(token) = self.token(actor)? else {
            return Ok(None);
        };
        let slot = &self.slots[who];
        let sent = revalidate.then(|| slot.tags.last().cloned()).flatten();
        let fresh = sent.as_ref().is_some_and(|(v, _)| *v == slot.version);
        let mut request = Request::get(format!("/users/{}", slot.id)).bearer(&token);
        if let Some((_, tag)) = &sent {
            request = request.header("If-None-Match", tag.clone());
        }
        let exchange = self.send(request)?;
        // 304 exactly when the tag sent is the current representation's (HTTP-02).
        let allowed: Vec<u16> = allowed
            .iter()
            .copied()
            .filter(|s| match s {
                304 => fresh,
                200 => !fresh,
                _ => true,
            })
            .collect();
        let status = self.answered(&exchange, &allowed, "GET of a user")?;
        match status {
            200 => self.read(who, &exchange)?,
            304 => {
                let tag = sent.map(|(_, t)| t).unwrap_or_default();
                ensure(
                    exchange.body.is_empty() && exchange.header("etag") == Some(&tag),
                    || {
                        exchange.fail(
                            "a 304 is not bodiless with the current ETag",
                            format!("no body and ETag: {tag}"),
                            exchange.summary(),
                        )
                    },
                )?;
            }
            _ => {}
        }
        Ok(Some(status))
    }

    /// A `200` to `GET` of slot `who`: the model's user, under a tag that is the same exactly
    /// when the representation is.
    pub(super) fn read(&mut self, who: usize, exchange: &Exchange) -> Result<(), Failure> {
        let user = Run::body(exchange, "GET of a user")?;
        self.is_current(exchange, "GET of a user", who, &user)?;
        let tag = exchange.header("etag").map(str::to_owned).ok_or_else(|| {
            exchange.fail("GET of a user has no ETag", "an ETag (HTTP-01)", "none")
        })?;
        let slot = &mut self.slots[who];
        for (version, seen) in &slot.tags {
            let same = *version == slot.version;
            ensure(same == (*seen == tag), || {
                exchange.fail(
                    match same {
                        true => "the ETag changed although the user's representation did not",
                        false => "the ETag is one an earlier representation of the user had",
                    },
                    format!(
                        "an ETag {} {seen}",
                        if same { "equal to" } else { "other than" }
                    ),
                    format!("ETag: {tag}"),
                )
            })?;
        }
        if !slot.tags.iter().any(|(v, _)| *v == slot.version) {
            slot.tags.push((slot.version, tag));
        }
        Ok(())
    }
}
