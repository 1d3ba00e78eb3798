//! What every check shares in one run: the target, the client, the run prefix that names every
//! user the suite creates, the admin session, and the record of what to remove at the end.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::Rng;
use serde_json::{Value, json};

use crate::expect;
use crate::failure::Failure;
use crate::http::{Exchange, Http, Request};
use crate::property::Budget;
use crate::target::Target;

/// A logged-in user the suite created (or the target's admin).
#[derive(Clone, Debug)]
pub struct Session {
    pub id: u64,
    pub username: String,
    pub email: String,
    pub password: String,
    pub token: String,
}

pub struct Ctx {
    pub target: Target,
    pub http: Http,
    pub budget: Budget,
    /// `ts` and six random characters: the start of every username and email the run creates.
    pub prefix: String,
    seq: AtomicU64,
    admin: Mutex<Option<Session>>,
    created: Mutex<BTreeSet<u64>>,
}

/// What the end-of-run clean-up did.
#[derive(Debug, Default)]
pub struct Cleanup {
    pub created: usize,
    pub removed: usize,
    pub failed: Vec<String>,
}

impl Ctx {
    pub fn new(target: Target, budget: Budget) -> Ctx {
        let mut rng = rand::rng();
        let tail: String = (0..6)
            .map(|_| {
                let n = rng.random_range(0..36u8);
                char::from(if n < 10 { b'0' + n } else { b'a' + n - 10 })
            })
            .collect();
        Ctx {
            http: Http::new(&target.base),
            target,
            budget,
            prefix: format!("ts{tail}"),
            seq: AtomicU64::new(0),
            admin: Mutex::new(None),
            created: Mutex::new(BTreeSet::new()),
        }
    }

    /// Sends a request; any user the target reports as created is recorded for the clean-up.
    pub fn send(&self, request: Request) -> Result<Exchange, Failure> {
        let exchange = self.http.send(request)?;
        if exchange.status == 201
            && exchange.request.method == "POST"
            && let Some(id) = exchange.json().and_then(|b| b["id"].as_u64())
        {
            self.created
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id);
        }
        Ok(exchange)
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

    /// The target's admin, logged in once per run.
    pub fn admin(&self) -> Result<Session, Failure> {
        let mut admin = self.admin.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(session) = admin.as_ref() {
            return Ok(session.clone());
        }
        let (username, password) = (&self.target.admin_username, &self.target.admin_password);
        let token = self
            .login(username, password)
            .map_err(|f| {
                f.with_hint("the suite needs the target's admin account: pass --admin-username and --admin-password")
            })
            .map_err(|f| f.blocked("logging in as the admin"))?;
        let me = self.send(Request::get("/users/me").bearer(&token))?;
        let me = expect::ok_json(&me, 200, "GET /users/me as the admin")
            .map_err(|f| f.blocked("reading the admin's own user"))?;
        let session = Session {
            id: me["id"].as_u64().unwrap_or_default(),
            username: username.clone(),
            email: me["email"].as_str().unwrap_or_default().to_owned(),
            password: password.clone(),
            token,
        };
        *admin = Some(session.clone());
        Ok(session)
    }

    /// Logs in; the access token.
    pub fn login(&self, username: &str, password: &str) -> Result<String, Failure> {
        let login =
            Request::post("/auth/login").json(&json!({"username": username, "password": password}));
        let exchange = self.send(login)?;
        let body = expect::ok_json(&exchange, 200, &format!("logging in as {username}"))?;
        body["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| {
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
        self.new_user(role)
            .map_err(|f| f.blocked(format!("making a test user of role {role}")))
    }

    fn new_user(&self, role: &str) -> Result<Session, Failure> {
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
        let token = self.login(&username, &password)?;
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

    /// Removes every user this run created.
    pub fn cleanup(&self) -> Cleanup {
        let ids: Vec<u64> =
            std::mem::take(&mut *self.created.lock().unwrap_or_else(|e| e.into_inner()))
                .into_iter()
                .collect();
        let mut report = Cleanup {
            created: ids.len(),
            ..Cleanup::default()
        };
        let admin = match self.admin() {
            Ok(admin) => admin,
            Err(f) => {
                report.failed.push(format!("no admin session: {}", f.title));
                return report;
            }
        };
        // Several deletions at once: over a network each one is a round trip.
        let ids = Mutex::new(ids.into_iter().filter(|&id| id != admin.id));
        let report = Mutex::new(report);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    loop {
                        let Some(id) = ids.lock().unwrap_or_else(|e| e.into_inner()).next() else {
                            break;
                        };
                        let delete =
                            Request::new("DELETE", format!("/users/{id}")).bearer(&admin.token);
                        let outcome = match self.http.send(delete) {
                            Ok(e) if e.status == 204 || e.status == 404 => Ok(()),
                            Ok(e) => Err(format!("DELETE /users/{id}: {}", e.status)),
                            Err(f) => Err(format!("DELETE /users/{id}: {}", f.actual)),
                        };
                        let mut report = report.lock().unwrap_or_else(|e| e.into_inner());
                        match outcome {
                            Ok(()) => report.removed += 1,
                            Err(failed) => report.failed.push(failed),
                        }
                    }
                });
            }
        });
        report.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}
