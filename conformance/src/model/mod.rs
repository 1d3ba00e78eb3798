//! A model of the contract's users (CONTRACT §3, §5, §7, §8) for state-machine testing (USR-19):
//! random sequences of sign-ups, logins, reads, pages, updates and deletes run against the target,
//! and every answer is held against what this model says a correct server answers.
//!
//! The model is abstract: users are slots (the n-th successful sign-up of a sequence), their
//! names words from small pools, so that sequences collide on names as real clients do. What the
//! server chooses (ids, timestamps, tags, tokens) is learnt from its answers, in `run`.

mod invariants;
mod machine;
mod pages;
mod run;
mod steps;
mod transcript;
mod view;
mod writes;

pub use machine::Machine;
pub use run::Run;
pub use steps::{Actor, Cond, Fields, Paging, Query, Sorting, Step};

/// A user's role (CONTRACT §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    User,
    Moderator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::User, Role::Moderator, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }
}

/// A username or an email: one word of a small pool, maybe in capitals (the same name to a
/// server that compares ignoring case).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word {
    pub n: u8,
    pub shout: bool,
}

impl Word {
    /// An email as stored: lowercase (USR-07), whatever case it was sent in.
    pub fn stored(self) -> Word {
        Word {
            shout: false,
            ..self
        }
    }
}

/// How many words each pool holds: few, so that names are taken, freed and taken again.
pub const WORDS: u8 = 5;

/// A user as the contract defines it, in the model's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: Word,
    pub mail: Word,
    pub full_name: Option<u8>,
    pub age: Option<u8>,
    pub role: Role,
    pub active: bool,
    pub alive: bool,
}

/// Every user a sequence signed up, deleted ones included (their slots stay, so that a step can
/// name a user who is gone).
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub users: Vec<User>,
    /// Usernames and emails (by word) that a user held and gave up, by a rename or a delete,
    /// and no one has taken since: where a server that forgets to release a name shows it.
    pub freed_names: Vec<u8>,
    pub freed_mails: Vec<u8>,
}

impl Model {
    /// The live user whose username is `n`, ignoring case (USR-04).
    pub fn holder(&self, n: u8) -> Option<usize> {
        self.users.iter().position(|u| u.alive && u.name.n == n)
    }

    /// The live user whose email is `n`, ignoring case (USR-05).
    pub fn mail_holder(&self, n: u8) -> Option<usize> {
        self.users.iter().position(|u| u.alive && u.mail.n == n)
    }

    fn authenticated(&self, actor: Actor) -> bool {
        match actor {
            Actor::Admin => true,
            Actor::User(i) => self.users[i].alive && self.users[i].active,
        }
    }

    fn role(&self, actor: Actor) -> Role {
        match actor {
            Actor::Admin => Role::Admin,
            Actor::User(i) => self.users[i].role,
        }
    }

    /// The statuses the contract allows for `step` in this state. The first is the one the
    /// model assumes while it generates a sequence; the others are readings the contract leaves
    /// open, and the status the target answers tells which it took.
    pub fn expect(&self, step: &Step) -> Vec<u16> {
        match step {
            Step::SignUp { name, mail, .. } => {
                if self.holder(name.n).is_some() || self.mail_holder(mail.n).is_some() {
                    vec![409]
                } else {
                    vec![201]
                }
            }
            Step::Login { who, .. } => {
                let holder = self.holder(self.users[*who].name.n);
                match holder.map(|h| &self.users[h]) {
                    Some(user) if user.active => vec![200],
                    _ => vec![401],
                }
            }
            Step::Get { actor, who, .. } => {
                if !self.authenticated(*actor) {
                    vec![401]
                } else if !self.users[*who].alive {
                    vec![404]
                } else {
                    vec![200, 304]
                }
            }
            Step::List { actor, .. } => match self.authenticated(*actor) {
                true => vec![200],
                false => vec![401],
            },
            Step::Delete { actor, who, cond } => {
                let target = &self.users[*who];
                if !self.authenticated(*actor) {
                    vec![401]
                } else if !target.alive {
                    vec![404]
                } else if self.role(*actor) != Role::Admin && *actor != Actor::User(*who) {
                    vec![403]
                } else if *cond == Cond::Stale {
                    vec![412]
                } else {
                    vec![204]
                }
            }
            Step::Put {
                actor, who, cond, ..
            }
            | Step::Patch {
                actor, who, cond, ..
            } => self.expect_update(step, *actor, *who, *cond),
        }
    }

    /// An update, checked in the contract's order (CONTRACT §1): authentication, the target,
    /// whether the caller may act on it at all, `If-Match`, the body, this particular change,
    /// uniqueness.
    fn expect_update(&self, step: &Step, actor: Actor, who: usize, cond: Cond) -> Vec<u16> {
        let target = &self.users[who];
        if !self.authenticated(actor) {
            return vec![401];
        }
        if !target.alive {
            return vec![404];
        }
        let role = self.role(actor);
        let own = actor == Actor::User(who);
        let moderating = role == Role::Moderator && target.role == Role::User;
        if role != Role::Admin && !own && !moderating {
            return vec![403];
        }
        if cond == Cond::Stale {
            return vec![412];
        }
        let fields = step.fields();
        if matches!(step, Step::Patch { invalid: true, .. }) {
            return vec![422];
        }
        // A non-admin sending their own role or activation unchanged changes nothing: the
        // contract forbids changing them (ROLE-03), so a server may refuse the member or not.
        let mut open = false;
        if role != Role::Admin && own {
            let role_changes = fields.role.map(|r| r != target.role);
            let activation_changes = fields.is_active.map(|a| a != target.active);
            if role_changes == Some(true) || activation_changes == Some(true) {
                return vec![403];
            }
            open = role_changes.is_some() || activation_changes.is_some();
        }
        if role != Role::Admin && !own {
            let only_activation = matches!(step, Step::Patch { .. }) && fields.only_activation();
            if !only_activation {
                return vec![403];
            }
        }
        let new = target.updated(&fields);
        let name_taken = self.holder(new.name.n).is_some_and(|h| h != who);
        let mail_taken = self.mail_holder(new.mail.n).is_some_and(|h| h != who);
        let status = if name_taken || mail_taken { 409 } else { 200 };
        if open {
            vec![status, 403]
        } else {
            vec![status]
        }
    }

    /// The model after `step` was answered `status` (one that `expect` allows).
    pub fn apply(&mut self, step: &Step, status: u16) {
        let before = self.users.clone();
        self.change(step, status);
        for (i, user) in self.users.iter().enumerate() {
            let old = before.get(i).filter(|old| old.alive);
            let now = Some(user).filter(|u| u.alive);
            for (pool, old, now) in [
                (
                    &mut self.freed_names,
                    old.map(|u| u.name.n),
                    now.map(|u| u.name.n),
                ),
                (
                    &mut self.freed_mails,
                    old.map(|u| u.mail.n),
                    now.map(|u| u.mail.n),
                ),
            ] {
                if let Some(n) = now {
                    pool.retain(|&m| m != n);
                }
                if let Some(n) = old.filter(|&n| Some(n) != now) {
                    pool.push(n);
                }
            }
        }
    }

    fn change(&mut self, step: &Step, status: u16) {
        match (step, status) {
            (
                Step::SignUp {
                    name,
                    mail,
                    full_name,
                    age,
                },
                201,
            ) => self.users.push(User {
                name: *name,
                mail: mail.stored(),
                full_name: *full_name,
                age: *age,
                role: Role::User,
                active: true,
                alive: true,
            }),
            (Step::Put { who, .. } | Step::Patch { who, .. }, 200) => {
                let new = self.users[*who].updated(&step.fields());
                self.users[*who] = new;
            }
            (Step::Delete { who, .. }, 204) => self.users[*who].alive = false,
            _ => {}
        }
    }

    /// Whether every user a step names exists in this state (a shrunk sequence may have lost
    /// the sign-up a later step refers to).
    pub fn names_known_users(&self, step: &Step) -> bool {
        let n = self.users.len();
        let actor_ok = |a: &Actor| match a {
            Actor::Admin => true,
            Actor::User(i) => *i < n,
        };
        match step {
            Step::SignUp { .. } => true,
            Step::Login { who, .. } => *who < n,
            Step::List { actor, .. } => actor_ok(actor),
            Step::Get { actor, who, .. }
            | Step::Put { actor, who, .. }
            | Step::Patch { actor, who, .. }
            | Step::Delete { actor, who, .. } => *who < n && actor_ok(actor),
        }
    }
}

impl User {
    /// This user with `fields` applied.
    pub fn updated(&self, fields: &Fields) -> User {
        let mut next = self.clone();
        if let Some(name) = fields.username {
            next.name = name;
        }
        if let Some(mail) = fields.email {
            next.mail = mail.stored();
        }
        if let Some(full_name) = fields.full_name {
            next.full_name = full_name;
        }
        if let Some(age) = fields.age {
            next.age = age;
        }
        if let Some(role) = fields.role {
            next.role = role;
        }
        if let Some(active) = fields.is_active {
            next.active = active;
        }
        next
    }
}
