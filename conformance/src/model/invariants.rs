//! What every sequence ends with: the whole state read back, so that a write a later step did
//! not happen to read still shows. Every user of the sequence by `GET`, the collection in each
//! sort and under each filter, and each name or email given up taken again.

use super::run::Run;
use super::{Actor, Paging, Query, Role, Sorting, Step, WORDS, Word};
use crate::failure::Failure;
use crate::queries::Form;

/// A page large enough for every user of a sequence.
const ALL: Paging = Paging::Offset { page: 1, size: 100 };

impl Run<'_> {
    pub fn finish(&mut self) -> Result<(), Failure> {
        for who in 0..self.slots.len() {
            self.step(&Step::Get {
                actor: Actor::Admin,
                who,
                revalidate: false,
            })?;
        }
        let page = |sorting, role, is_active| Query {
            paging: ALL,
            role,
            is_active,
            search: 0,
            shout: false,
            sorting,
        };
        let mut queries: Vec<Query> = ["id", "username", "email"]
            .into_iter()
            .map(|key| page(Sorting::Key(key, Form::Plain), None, None))
            .collect();
        queries.extend(Role::ALL.map(|role| page(Sorting::Default, Some(role), None)));
        queries.push(page(Sorting::Default, None, Some(false)));
        for query in queries {
            self.step(&Step::List {
                actor: Actor::Admin,
                query,
            })?;
        }
        self.retake()
    }

    /// Signs up users taking the names and emails given up, each with a counterpart no one
    /// holds: the model expects `201` for each.
    fn retake(&mut self) -> Result<(), Failure> {
        loop {
            let model = &self.model;
            let free_name = (0..WORDS).find(|&w| model.holder(w).is_none());
            let free_mail = (0..WORDS).find(|&w| model.mail_holder(w).is_none());
            let (name, mail) = match (model.freed_names.first(), model.freed_mails.first()) {
                (None, None) => return Ok(()),
                (name, mail) => (name.copied().or(free_name), mail.copied().or(free_mail)),
            };
            let (Some(name), Some(mail)) = (name, mail) else {
                return Ok(());
            };
            let word = |n| Word { n, shout: false };
            self.step(&Step::SignUp {
                name: word(name),
                mail: word(mail),
                full_name: None,
                age: None,
            })?;
        }
    }
}
