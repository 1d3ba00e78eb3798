//! How sequences are generated: a reference state machine (`proptest-state-machine`) whose
//! state is the model, so that each step names users the sequence has, and shrinking drops
//! steps while the rest still make sense.

use proptest::option::weighted;
use proptest::prelude::*;
use proptest::sample::select;
use proptest_state_machine::ReferenceStateMachine;

use super::view::{AGES, FULL_NAMES, SEARCHES};
use super::{Actor, Cond, Fields, Model, Paging, Query, Role, Sorting, Step, WORDS, Word};
use crate::queries;

fn word() -> impl Strategy<Value = Word> {
    (0..WORDS, weighted(0.3, Just(()))).prop_map(|(n, shout)| Word {
        n,
        shout: shout.is_some(),
    })
}

fn full_name() -> impl Strategy<Value = Option<u8>> {
    weighted(0.7, 0..FULL_NAMES.len() as u8)
}

fn age() -> impl Strategy<Value = Option<u8>> {
    weighted(0.6, 0..AGES.len() as u8)
}

fn cond() -> impl Strategy<Value = Cond> {
    prop_oneof![
        6 => Just(Cond::None),
        2 => Just(Cond::Current),
        2 => Just(Cond::Stale),
        1 => Just(Cond::Any),
    ]
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        weighted(0.3, word()),
        weighted(0.3, word()),
        weighted(0.4, full_name()),
        weighted(0.3, age()),
        weighted(0.15, select(Role::ALL.to_vec())),
        weighted(0.15, any::<bool>()),
    )
        .prop_map(
            |(username, email, full_name, age, role, is_active)| Fields {
                username,
                email,
                full_name,
                age,
                role,
                is_active,
            },
        )
}

fn query() -> impl Strategy<Value = Query> {
    let paging = prop_oneof![
        (1..=3u8, 1..=6u8).prop_map(|(page, size)| Paging::Offset { page, size }),
        (1..=6u8, 1..=4u8).prop_map(|(limit, pages)| Paging::Cursor { limit, pages }),
    ];
    let sorting = prop_oneof![
        1 => Just(Sorting::Default),
        1 => Just(Sorting::Desc),
        6 => queries::sort().prop_map(|(key, form)| Sorting::Key(key, form)),
    ];
    let search = prop_oneof![3 => Just(0u8), 1 => 1..SEARCHES.len() as u8];
    (
        paging,
        weighted(0.2, select(Role::ALL.to_vec())),
        weighted(0.2, any::<bool>()),
        search,
        any::<bool>(),
        sorting,
    )
        .prop_map(|(paging, role, is_active, search, shout, sorting)| Query {
            paging,
            role,
            is_active,
            search,
            shout,
            sorting,
        })
}

/// The reference state machine: the model generates steps that fit it.
pub struct Machine;

impl ReferenceStateMachine for Machine {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model::default()).boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        let sign_up = (word(), word(), full_name(), age())
            .prop_map(|(name, mail, full_name, age)| Step::SignUp {
                name,
                mail,
                full_name,
                age,
            })
            .boxed();
        let n = state.users.len();
        if n == 0 {
            return sign_up;
        }
        // A sign-up taking a name and an email that no one holds, given up by a user if any.
        let unheld = |freed: &[u8], held: &dyn Fn(u8) -> bool| {
            let free: Vec<u8> = (0..WORDS).filter(|&w| !held(w)).collect();
            match (freed.is_empty(), free.is_empty()) {
                (false, _) => select(freed.to_vec()).boxed(),
                (true, false) => select(free).boxed(),
                (true, true) => (0..WORDS).boxed(),
            }
        };
        let retake = (
            (
                unheld(&state.freed_names, &|w| state.holder(w).is_some()),
                any::<bool>(),
            ),
            (
                unheld(&state.freed_mails, &|w| state.mail_holder(w).is_some()),
                any::<bool>(),
            ),
            full_name(),
            age(),
        )
            .prop_map(
                |((name, shout), (mail, loud), full_name, age)| Step::SignUp {
                    name: Word { n: name, shout },
                    mail: Word {
                        n: mail,
                        shout: loud,
                    },
                    full_name,
                    age,
                },
            );
        let who = 0..n;
        let actor = prop_oneof![2 => Just(Actor::Admin), 3 => (0..n).prop_map(Actor::User)];
        // A write's sender: mostly one allowed to make it (the admin, the user itself), so that
        // writes succeed and change what later steps read; sometimes anyone (ROLE-02).
        let writer = (who.clone(), 0..5u8, 0..n).prop_map(|(who, kind, other)| {
            let actor = match kind {
                0 | 1 => Actor::Admin,
                2 | 3 => Actor::User(who),
                _ => Actor::User(other),
            };
            (actor, who)
        });
        let login =
            (who.clone(), any::<bool>()).prop_map(|(who, shout)| Step::Login { who, shout });
        let get =
            (actor.clone(), who.clone(), any::<bool>()).prop_map(|(actor, who, revalidate)| {
                Step::Get {
                    actor,
                    who,
                    revalidate,
                }
            });
        let list = (actor.clone(), query()).prop_map(|(actor, query)| Step::List { actor, query });
        // A PUT keeps the user's own name or email half the time, so that it is not refused
        // for a name that another user holds and changes the other member.
        let own: Vec<(Word, Word)> = state.users.iter().map(|u| (u.name, u.mail)).collect();
        let kept = (weighted(0.5, word()), weighted(0.5, word()));
        let put = (writer.clone(), kept, full_name(), age(), cond()).prop_map(
            move |((actor, who), (name, mail), full_name, age, cond)| Step::Put {
                actor,
                who,
                name: name.unwrap_or(own[who].0),
                mail: mail.unwrap_or(own[who].1),
                full_name,
                age,
                cond,
            },
        );
        let patch = (
            writer.clone(),
            fields(),
            any::<bool>(),
            weighted(0.08, Just(())),
            cond(),
        )
            .prop_map(|((actor, who), fields, merge, invalid, cond)| Step::Patch {
                actor,
                who,
                fields,
                merge,
                invalid: invalid.is_some(),
                cond,
            });
        // Role changes by the admin, and a moderator's only allowed change (ROLE-06).
        let promote =
            (who.clone(), select(Role::ALL.to_vec())).prop_map(|(who, role)| Step::Patch {
                actor: Actor::Admin,
                who,
                fields: Fields {
                    role: Some(role),
                    ..Fields::default()
                },
                merge: false,
                invalid: false,
                cond: Cond::None,
            });
        let moderators: Vec<usize> = (0..n)
            .filter(|&i| state.users[i].role == Role::Moderator && state.users[i].alive)
            .collect();
        let moderate = match moderators.is_empty() {
            true => (0..n).boxed(),
            false => select(moderators).boxed(),
        };
        let moderate =
            (moderate, who.clone(), any::<bool>()).prop_map(|(m, who, active)| Step::Patch {
                actor: Actor::User(m),
                who,
                fields: Fields {
                    is_active: Some(active),
                    ..Fields::default()
                },
                merge: false,
                invalid: false,
                cond: Cond::None,
            });
        // A rename to another case of the user's own name, which is no conflict (USR-04).
        let names: Vec<(usize, Word)> = (0..n).map(|i| (i, state.users[i].name)).collect();
        let recase =
            (select(names), any::<bool>(), any::<bool>()).prop_map(|((who, name), merge, own)| {
                Step::Patch {
                    actor: if own { Actor::User(who) } else { Actor::Admin },
                    who,
                    fields: Fields {
                        username: Some(Word {
                            shout: !name.shout,
                            ..name
                        }),
                        ..Fields::default()
                    },
                    merge,
                    invalid: false,
                    cond: Cond::None,
                }
            });
        let delete =
            (writer, cond()).prop_map(|((actor, who), cond)| Step::Delete { actor, who, cond });
        let sign_ups = if n < 3 { 6 } else { 2 };
        prop_oneof![
            sign_ups => sign_up,
            2 => retake,
            1 => login,
            4 => get,
            6 => list,
            2 => put,
            5 => patch,
            1 => promote,
            1 => moderate,
            2 => recase,
            2 => delete,
        ]
        .boxed()
    }

    fn apply(mut state: Model, step: &Step) -> Model {
        let status = state.expect(step)[0];
        state.apply(step, status);
        state
    }

    fn preconditions(state: &Model, step: &Step) -> bool {
        state.names_known_users(step)
    }
}
