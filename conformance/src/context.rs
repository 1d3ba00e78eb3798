//! What every check shares in one run: the target, the client, the run prefix that names every
//! user the suite creates, the admin session, and the record of what to remove at the end.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rand::Rng;
use serde_json::{Value, json};

use crate::expect;
use crate::failure::Failure;
use crate::http::{Exchange, Http, Request};
use crate::property::Budget;
use crate::redact::Redactor;
use crate::target::{Admin, Target};

/// A logged-in user the suite created (or the target's admin).
#[derive(Clone, Debug)]
pub struct Session {
    pub id: u64,
    pub username: String,
    pub email: String,
    pub password: String,
    pub token: String,
}

/// One run's context as one check sees it: clones share everything but the count of the
/// check's own requests (`for_check`).
#[derive(Clone)]
pub struct Ctx {
    pub target: Target,
    pub http: Http,
    pub budget: Budget,
    /// `ts` and six random characters: the start of every username and email the run creates.
    pub prefix: String,
    /// Every printed line and report goes through it.
    pub redactor: Arc<Redactor>,
    seq: Arc<AtomicU64>,
    admin: Arc<Mutex<Option<Session>>>,
    created: Arc<Mutex<BTreeSet<u64>>>,
    /// How many users the run created, removed ones included.
    created_count: Arc<AtomicU64>,
}

/// What the end-of-run clean-up did.
#[derive(Debug, Default)]
pub struct Cleanup {
    /// Users the run created.
    pub created: u64,
    /// Of those, how many are gone.
    pub removed: u64,
    /// Users of the run's prefix still on the target after the clean-up.
    pub left: u64,
    pub failed: Vec<String>,
}

impl Ctx {
    pub fn new(target: Target, budget: Budget) -> Ctx {
        Ctx::with_redactor(target, budget, Redactor::new(false))
    }

    pub fn with_redactor(target: Target, budget: Budget, redactor: Redactor) -> Ctx {
        let mut rng = rand::rng();
        let tail: String = (0..6)
            .map(|_| {
                let n = rng.random_range(0..36u8);
                char::from(if n < 10 { b'0' + n } else { b'a' + n - 10 })
            })
            .collect();
        for secret in target.secrets() {
            redactor.add(&secret);
        }
        let prefix = format!("ts{tail}");
        let ctx = Ctx {
            http: Http::with_headers(&target.base, target.headers.clone()),
            target,
            budget,
            prefix,
            redactor: Arc::new(redactor),
            seq: Arc::default(),
            admin: Arc::default(),
            created: Arc::default(),
            created_count: Arc::default(),
        };
        ctx.redactor.add(&ctx.password());
        ctx
    }

    /// This context for one check, which counts the check's requests apart.
    pub fn for_check(&self) -> Ctx {
        Ctx {
            http: self.http.for_check(),
            ..self.clone()
        }
    }

    /// Sends a request; any user the target reports as created is recorded for the clean-up. A
    /// request with the admin's token that is answered `401` is sent again once with a new
    /// token, when the admin's token has expired and the suite can log in again.
    pub fn send(&self, request: Request) -> Result<Exchange, Failure> {
        let mut exchange = self.http.send(request)?;
        if exchange.status == 401
            && let Some(token) = self.renewed_admin_token(&exchange.request)?
        {
            let mut again = exchange.request.clone();
            again
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
            exchange = self.http.send(again.bearer(&token))?;
        }
        if exchange.status == 201
            && exchange.request.method == "POST"
            && let Some(id) = exchange.json().and_then(|b| b["id"].as_u64())
        {
            let new = self
                .created
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id);
            if new {
                self.created_count.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(exchange)
    }

    /// A new admin token when `request` carried the admin's current one and it is no longer
    /// accepted (`None` when the request was not the admin's, or the token cannot be renewed).
    fn renewed_admin_token(&self, request: &Request) -> Result<Option<String>, Failure> {
        let Admin::Login { username, password } = &self.target.admin else {
            return Ok(None);
        };
        let mut admin = self.admin.lock().unwrap_or_else(|e| e.into_inner());
        let Some(session) = admin.as_mut() else {
            return Ok(None);
        };
        let bearer = format!("Bearer {}", session.token);
        let carried = request
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && *v == bearer);
        if !carried {
            return Ok(None);
        }
        // The admin's token still works: the 401 answered something else.
        let me = self
            .http
            .send(Request::get("/users/me").bearer(&session.token))?;
        if me.status != 401 {
            return Ok(None);
        }
        let token = self
            .login(username, password)
            .map_err(|f| f.blocked("logging in again as the admin, whose token expired"))?;
        session.token = token.clone();
        Ok(Some(token))
    }

    /// A name no other user of this run or of any other run has: `{prefix}{n}_`. The closing `_`
    /// keeps it unique with a generated tail appended: the digits end at the first `_`.
    pub fn unique(&self) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        format!("{}{n}_", self.prefix)
    }

    /// The password every user the suite creates gets.
    pub fn password(&self) -> String {
        format!("Tt-{}-9pass", self.prefix)
    }

    /// A valid sign-up body with a fresh username and email.
    pub fn sign_up_body(&self) -> Value {
        let name = self.unique();
        json!({"username": name, "email": format!("{name}@example.com"), "password": self.password()})
    }

    /// The target's admin, logged in once per run (by the preflight, before any check).
    pub fn admin(&self) -> Result<Session, Failure> {
        let mut admin = self.admin.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(session) = admin.as_ref() {
            return Ok(session.clone());
        }
        let (token, password) = match &self.target.admin {
            Admin::Login { username, password } => {
                let token = self
                    .login(username, password)
                    .map_err(|f| f.blocked("logging in as the admin"))?;
                (token, password.clone())
            }
            Admin::Token(token) => (token.clone(), String::new()),
        };
        let me = self.send(Request::get("/users/me").bearer(&token))?;
        let me = expect::ok_json(&me, 200, "GET /users/me as the admin")
            .map_err(|f| f.blocked("reading the admin's own user"))?;
        let session = Session {
            id: me["id"].as_u64().unwrap_or_default(),
            username: me["username"].as_str().unwrap_or_default().to_owned(),
            email: me["email"].as_str().unwrap_or_default().to_owned(),
            password,
            token,
        };
        *admin = Some(session.clone());
        Ok(session)
    }

    /// Makes `session` the run's admin (the preflight logged it in and read its role).
    pub fn set_admin(&self, session: Session) {
        self.redactor.add(&session.token);
        *self.admin.lock().unwrap_or_else(|e| e.into_inner()) = Some(session);
    }

    /// Logs in; the access token.
    pub fn login(&self, username: &str, password: &str) -> Result<String, Failure> {
        let login =
            Request::post("/auth/login").json(&json!({"username": username, "password": password}));
        let exchange = self.send(login)?;
        let body = expect::ok_json(&exchange, 200, &format!("logging in as {username}"))?;
        let token = body["access_token"].as_str().map(str::to_owned);
        if let Some(token) = &token {
            self.redactor.add(token);
        }
        token.ok_or_else(|| {
            exchange.fail(
                "a login answered no access_token",
                "a string member `access_token`",
                exchange.summary(),
            )
        })
    }

    /// Signs up `body` and expects it to be created; the user as answered. A check's setup: a
    /// refusal blocks the check (`Failure::violation` when the sign-up is what is tested).
    pub fn create(&self, body: &Value) -> Result<Value, Failure> {
        let exchange = self.send(Request::post("/users").json(body))?;
        expect::ok_json(&exchange, 201, "signing up a valid user")
            .map_err(|f| f.blocked("signing up a test user"))
    }

    /// A new user of `role` (`user`, `moderator` or `admin`), logged in. A check's setup: a step
    /// that fails blocks the check.
    pub fn user(&self, role: &str) -> Result<Session, Failure> {
        self.new_user(role, true)
            .map_err(|f| f.blocked(format!("making a test user of role {role}")))
    }

    /// A new user of `role` that others act on and that never acts itself: not logged in, so its
    /// `token` is empty and the run spends no login (a password hash on the target) on it.
    pub fn member(&self, role: &str) -> Result<Session, Failure> {
        self.new_user(role, false)
            .map_err(|f| f.blocked(format!("making a test user of role {role}")))
    }

    fn new_user(&self, role: &str, log_in: bool) -> Result<Session, Failure> {
        let body = self.sign_up_body();
        let created = self.create(&body)?;
        let id = created["id"].as_u64().unwrap_or_default();
        if role != "user" {
            let admin = self.admin()?;
            let promote = Request::new("PATCH", format!("/users/{id}"))
                .bearer(&admin.token)
                .json(&json!({"role": role}));
            let exchange = self.send(promote)?;
            expect::ok_json(&exchange, 200, &format!("an admin making a user {role}"))?;
        }
        let username = body["username"].as_str().unwrap_or_default().to_owned();
        let password = self.password();
        let token = if log_in {
            self.login(&username, &password)?
        } else {
            String::new()
        };
        Ok(Session {
            id,
            email: body["email"].as_str().unwrap_or_default().to_owned(),
            username,
            password,
            token,
        })
    }

    /// A user as the admin sees it.
    pub fn fetch(&self, id: u64) -> Result<Value, Failure> {
        let admin = self.admin()?;
        let exchange = self.send(Request::get(format!("/users/{id}")).bearer(&admin.token))?;
        expect::ok_json(&exchange, 200, &format!("GET /users/{id} as the admin"))
    }

    /// Removes every user this run created: those it saw created, then any other whose username
    /// holds the run's prefix (a sign-up whose answer was lost, say); then counts what is left.
    pub fn cleanup(&self) -> Cleanup {
        let mut report = Cleanup {
            created: self.created_count.load(Ordering::Relaxed),
            ..Cleanup::default()
        };
        // Past an interruption too: the clean-up sends its own requests.
        let http = Http::with_headers(&self.target.base, self.target.headers.clone()).unjudged();
        let ctx = Ctx {
            http,
            ..self.clone()
        };
        let admin = match ctx.admin() {
            Ok(admin) => admin,
            Err(f) => {
                report.failed.push(format!("no admin session: {}", f.title));
                report.left = report.created;
                return report;
            }
        };
        ctx.revoke_keys(&mut report);
        let recorded: Vec<u64> =
            std::mem::take(&mut *self.created.lock().unwrap_or_else(|e| e.into_inner()))
                .into_iter()
                .filter(|&id| id != admin.id)
                .collect();
        ctx.remove_all(recorded, &mut report);
        match ctx.own_users() {
            Ok(left) => {
                let left = left.into_iter().filter(|&id| id != admin.id).collect();
                ctx.remove_all(left, &mut report);
            }
            Err(f) => report
                .failed
                .push(format!("listing the run's users: {}", f.title)),
        }
        report.left = match ctx.own_users() {
            Ok(left) => left.len() as u64,
            Err(_) => report.created.saturating_sub(report.removed),
        };
        report.removed = report.removed.min(report.created);
        report
    }

    /// Revokes every API key named with the run's prefix (CONTRACT §13). A target that lists
    /// no keys has none of the run's.
    fn revoke_keys(&self, report: &mut Cleanup) {
        let Ok(admin) = self.admin() else { return };
        let Ok(listing) = self.send(Request::get("/api-keys").bearer(&admin.token)) else {
            return;
        };
        let Some(keys) = listing.json().filter(|_| listing.status == 200) else {
            return;
        };
        let own = keys["items"].as_array().into_iter().flatten().filter(|k| {
            k["name"]
                .as_str()
                .is_some_and(|n| n.to_ascii_lowercase().starts_with(&self.prefix))
        });
        for key in own {
            let id = key["id"].as_u64().unwrap_or_default();
            match self.send(Request::delete(format!("/api-keys/{id}")).bearer(&admin.token)) {
                Ok(e) if e.status == 204 || e.status == 404 => {}
                Ok(e) => report
                    .failed
                    .push(format!("DELETE /api-keys/{id}: answered {}", e.status)),
                Err(f) => report
                    .failed
                    .push(format!("DELETE /api-keys/{id}: {}", f.actual)),
            }
        }
    }

    /// Deletes `ids` as the admin, several at once: over a network each is a round trip.
    fn remove_all(&self, ids: Vec<u64>, report: &mut Cleanup) {
        let queue = Mutex::new(ids.into_iter());
        let outcomes = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    while let Some(id) = queue.lock().unwrap_or_else(|e| e.into_inner()).next() {
                        let outcome = self.remove(id);
                        outcomes
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(outcome);
                    }
                });
            }
        });
        for outcome in outcomes.into_inner().unwrap_or_else(|e| e.into_inner()) {
            match outcome {
                Ok(()) => report.removed += 1,
                Err(failed) => report.failed.push(failed),
            }
        }
    }

    fn remove(&self, id: u64) -> Result<(), String> {
        let admin = self.admin().map_err(|f| f.title.clone())?;
        match self.send(Request::delete(format!("/users/{id}")).bearer(&admin.token)) {
            Ok(e) if e.status == 204 || e.status == 404 => Ok(()),
            Ok(e) => Err(format!("DELETE /users/{id}: answered {}", e.status)),
            Err(f) => Err(format!("DELETE /users/{id}: {}", f.actual)),
        }
    }

    /// The ids of the users on the target whose username starts with the run's prefix.
    fn own_users(&self) -> Result<Vec<u64>, Failure> {
        let admin = self.admin()?;
        let mut ids = Vec::new();
        for page in 1..=100 {
            let list = Request::get(format!(
                "/users?search={}&page={page}&page_size=100",
                self.prefix
            ))
            .bearer(&admin.token);
            let exchange = self.send(list)?;
            let body = expect::ok_json(&exchange, 200, "listing the run's users")?;
            let items = body["items"].as_array().cloned().unwrap_or_default();
            ids.extend(items.iter().filter_map(|u| {
                let name = u["username"].as_str()?.to_ascii_lowercase();
                name.starts_with(&self.prefix).then(|| u["id"].as_u64())?
            }));
            if items.len() < 100 {
                break;
            }
        }
        Ok(ids)
    }
}
