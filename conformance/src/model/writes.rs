//! Writes against the model: `PUT`, `PATCH` (JSON and merge patches) and `DELETE`, with or
//! without `If-Match`; a `200` must hold the model's new user, with `created_at` kept and
//! `updated_at` moved exactly as USR-17 and USR-19 say.

use serde_json::{Value, json};

use super::run::Run;
use super::view::Names;
use super::{Actor, Cond, Step, User};
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};

impl Run<'_> {
    /// The `If-Match` a write sends for `cond`. The current tag comes from a `GET` when the
    /// model knows no tag of the current representation.
    fn if_match(&mut self, who: usize, cond: Cond) -> Result<Option<String>, Failure> {
        let alive = self.model.users[who].alive;
        let slot = &self.slots[who];
        let current = slot.tags.iter().find(|(v, _)| *v == slot.version).cloned();
        let older = slot.tags.iter().rfind(|(v, _)| *v != slot.version).cloned();
        Ok(match cond {
            Cond::None => None,
            Cond::Any => Some("*".to_owned()),
            Cond::Stale => Some(older.map_or_else(|| "\"0-stale\"".to_owned(), |(_, t)| t)),
            Cond::Current if !alive => Some("*".to_owned()),
            Cond::Current => match current {
                Some((_, tag)) => Some(tag),
                None => {
                    let token = self.ctx.admin()?.token;
                    let path = format!("/users/{}", slot.id);
                    let exchange = self.send(Request::get(path).bearer(&token))?;
                    self.answered(&exchange, &[200], "GET of a live user")?;
                    self.read(who, &exchange)?;
                    exchange.header("etag").map(str::to_owned)
                }
            },
        })
    }

    pub(super) fn update(&mut self, step: &Step, allowed: &[u16]) -> Result<Option<u16>, Failure> {
        let (actor, who, cond) = match *step {
            Step::Put {
                actor, who, cond, ..
            }
            | Step::Patch {
                actor, who, cond, ..
            } => (actor, who, cond),
            _ => unreachable!("an update step"),
        };
        let Some(token) = self.token(actor)? else {
            return Ok(None);
        };
        let if_match = self.if_match(who, cond)?;
        let fields = step.fields();
        let mut body = serde_json::Map::new();
        if let Some(name) = fields.username {
            body.insert("username".into(), json!(self.names.username(name)));
        }
        if let Some(mail) = fields.email {
            body.insert("email".into(), json!(self.names.email(mail)));
        }
        if let Some(full_name) = fields.full_name {
            body.insert("full_name".into(), self.names.full_name(full_name));
        }
        if let Some(age) = fields.age {
            body.insert("age".into(), Names::age(age));
        }
        if let Some(role) = fields.role {
            body.insert("role".into(), json!(role.as_str()));
        }
        if let Some(active) = fields.is_active {
            body.insert("is_active".into(), json!(active));
        }
        let (method, media_type) = match step {
            Step::Put { .. } => ("PUT", "application/json"),
            Step::Patch { merge: true, .. } => ("PATCH", "application/merge-patch+json"),
            _ => ("PATCH", "application/json"),
        };
        if let Step::Patch { invalid: true, .. } = step {
            body.insert("age".into(), json!(151));
        }
        let path = format!("/users/{}", self.slots[who].id);
        let mut request = Request::new(method, path)
            .bearer(&token)
            .raw(media_type, Value::Object(body).to_string());
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        let exchange = self.send(request)?;
        let what = format!("{method} of a user");
        let status = self.answered(&exchange, allowed, &what)?;
        if status == 200 {
            let before = self.model.users[who].clone();
            self.written(&exchange, &what, who, &before, &before.updated(&fields))?;
        }
        Ok(Some(status))
    }

    /// A `200` to an update of slot `who` from `before` to `after`: the new representation,
    /// `created_at` as it was, `updated_at` later exactly when a field changed (USR-17).
    fn written(
        &mut self,
        exchange: &Exchange,
        what: &str,
        who: usize,
        before: &User,
        after: &User,
    ) -> Result<(), Failure> {
        let user = Run::body(exchange, what)?;
        let slot = &self.slots[who];
        let expected = self.names.shown(after, slot.id);
        self.same_members(exchange, what, &expected, &user)?;
        let created_at = Run::time(exchange, &user, "created_at")?;
        ensure(created_at == slot.created_at, || {
            exchange.fail(
                format!("{what}: created_at changed"),
                format!("\"created_at\": {}", slot.created_at),
                format!("\"created_at\": {}", user["created_at"]),
            )
        })?;
        let updated_at = Run::time(exchange, &user, "updated_at")?;
        let changed = before != after;
        let forward = match changed {
            true => updated_at > slot.updated_at,
            false => updated_at >= slot.updated_at,
        };
        ensure(forward, || {
            exchange.fail(
                match changed {
                    true => format!("{what} changed a field but updated_at did not move forward"),
                    false => format!("{what}: updated_at went backwards"),
                },
                format!("\"updated_at\" later than {}", slot.updated_at),
                format!("\"updated_at\": {}", user["updated_at"]),
            )
        })?;
        let slot = &mut self.slots[who];
        if changed || updated_at != slot.updated_at {
            slot.version += 1;
        }
        slot.updated_at = updated_at;
        // Tokens from before a change of role or a reactivation may stay refused (USR-19
        // leaves it open): the user's next request logs in anew.
        if before.role != after.role || (!before.active && after.active) {
            slot.token = None;
        }
        Ok(())
    }

    pub(super) fn delete(
        &mut self,
        actor: Actor,
        who: usize,
        cond: Cond,
        allowed: &[u16],
    ) -> Result<Option<u16>, Failure> {
        let Some(token) = self.token(actor)? else {
            return Ok(None);
        };
        let if_match = self.if_match(who, cond)?;
        let mut request = Request::delete(format!("/users/{}", self.slots[who].id)).bearer(&token);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        let exchange = self.send(request)?;
        let status = self.answered(&exchange, allowed, "DELETE of a user")?;
        ensure(status != 204 || exchange.body.is_empty(), || {
            exchange.fail("a 204 carries a body", "no body", exchange.summary())
        })?;
        Ok(Some(status))
    }
}
