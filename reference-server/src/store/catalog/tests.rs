use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::*;
use crate::domain::{Email, FullName, Role, Username};

fn user(id: u64, name: &str, email: &str, created: i64) -> User {
    let at = OffsetDateTime::from_unix_timestamp(created).expect("a time");
    User {
        id,
        username: Username::parse(name, false).expect("a username"),
        email: Email::parse(email, false).expect("an email"),
        full_name: Some(FullName::parse(&format!("Person {name}")).expect("short")),
        age: None,
        role: if id.is_multiple_of(3) {
            Role::Admin
        } else {
            Role::User
        },
        is_active: id.is_multiple_of(2),
        password_hash: String::new(),
        created_at: at,
        updated_at: at,
    }
}

/// Users whose username, email and creation orders all differ from id order, with ties in
/// `created_at` and usernames whose case would sort them differently.
fn population() -> BTreeMap<u64, User> {
    (1..=23u64)
        .map(|id| {
            let name = format!(
                "{}user{:02}",
                if id.is_multiple_of(2) { "B" } else { "a" },
                50 - id
            );
            let email = format!("m{:02}@example.com", (id * 7) % 23);
            (id, user(id, &name, &email, (id % 4) as i64))
        })
        .collect()
}

/// What a list must hold: every user that matches, sorted by brute force.
fn expected(users: &BTreeMap<u64, User>, sort: Sort, filter: &Filter) -> Vec<u64> {
    let mut matching: Vec<&User> = users
        .values()
        .filter(|u| Entry::of(u).matches(&Matcher::new(filter)))
        .collect();
    matching.sort_by(|a, b| {
        let by_key = match sort.key {
            SortKey::Id => Ordering::Equal,
            SortKey::Username => a.username.key().cmp(&b.username.key()),
            SortKey::Email => a.email.key().cmp(&b.email.key()),
            SortKey::CreatedAt => a.created_at.cmp(&b.created_at),
        };
        by_key.then(a.id.cmp(&b.id))
    });
    if sort.direction == Direction::Desc {
        matching.reverse();
    }
    matching.iter().map(|u| u.id).collect()
}

fn sorts() -> impl Iterator<Item = Sort> {
    SortKey::ALL
        .into_iter()
        .flat_map(|key| [Direction::Asc, Direction::Desc].map(|direction| Sort { key, direction }))
}

fn filters() -> [Filter; 4] {
    [
        Filter::default(),
        Filter {
            role: Some(Role::Admin),
            ..Filter::default()
        },
        Filter {
            is_active: Some(true),
            search: Some("buser".into()),
            ..Filter::default()
        },
        Filter {
            search: Some("person a".into()),
            ..Filter::default()
        },
    ]
}

fn walk_pages(catalog: &Catalog, sort: Sort, filter: &Filter, size: usize) -> Vec<u64> {
    let mut all = Vec::new();
    for page in 0.. {
        let slice = catalog.page(sort, filter, (page * size) as u64, size);
        assert!(slice.ids.len() <= size);
        if slice.ids.is_empty() {
            assert!((page * size) as u64 >= slice.total);
            break;
        }
        all.extend(slice.ids);
    }
    all
}

fn walk_cursor(catalog: &Catalog, sort: Sort, filter: &Filter, limit: usize) -> Vec<u64> {
    let (mut all, mut after) = (Vec::new(), None);
    loop {
        let run = catalog.after(sort, filter, after.as_ref(), limit);
        assert!(run.ids.len() <= limit);
        all.extend(&run.ids);
        if !run.more {
            return all;
        }
        after = run.last;
    }
}

#[test]
fn offset_and_cursor_walks_hold_every_match_once_in_sort_order() {
    let users = population();
    let catalog = Catalog::build(users.values().cloned().map(Ok)).expect("builds");
    for sort in sorts() {
        for filter in filters() {
            let want = expected(&users, sort, &filter);
            for size in [1, 4, 30] {
                assert_eq!(
                    walk_pages(&catalog, sort, &filter, size),
                    want,
                    "{sort:?} {filter:?}"
                );
                assert_eq!(
                    walk_cursor(&catalog, sort, &filter, size),
                    want,
                    "{sort:?} {filter:?}"
                );
            }
        }
    }
}

#[test]
fn refreshes_keep_every_order_and_the_last_write_wins() {
    let mut users = population();
    let catalog = Catalog::build(users.values().cloned().map(Ok)).expect("builds");
    let renamed = user(5, "AAA_first", "zzz@example.com", 9);
    users.insert(5, renamed.clone());
    users.remove(&8);
    users.insert(40, user(40, "mid_user", "m11a@example.com", 2));
    let mut deactivated = users[&6].clone();
    deactivated.is_active = false;
    users.insert(6, deactivated);
    for id in [5, 8, 40, 6] {
        catalog
            .refresh(id, || Ok(users.get(&id).cloned()))
            .expect("refreshes");
    }
    for sort in sorts() {
        for filter in filters() {
            assert_eq!(
                walk_pages(&catalog, sort, &filter, 3),
                expected(&users, sort, &filter)
            );
        }
    }
}

#[test]
fn a_cursor_walk_sees_each_lasting_user_once_while_others_come_and_go() {
    let mut users = population();
    let catalog = Catalog::build(users.values().cloned().map(Ok)).expect("builds");
    for sort in sorts() {
        let lasting: Vec<u64> = users.keys().copied().filter(|id| id % 5 != 0).collect();
        let (mut seen, mut after, mut next_id) = (Vec::new(), None, 100);
        loop {
            let run = catalog.after(sort, &Filter::default(), after.as_ref(), 3);
            seen.extend(&run.ids);
            // Between pages, a user already seen (or a doomed one) goes and a new one comes.
            if let Some(&gone) = run.ids.iter().find(|id| *id % 5 == 0 || **id >= 100) {
                users.remove(&gone);
                catalog.refresh(gone, || Ok(None)).expect("refreshes");
            }
            next_id += 1;
            let name = format!("new{next_id}");
            let new = user(next_id, &name, &format!("{name}@example.com"), 1);
            users.insert(next_id, new.clone());
            catalog
                .refresh(next_id, || Ok(Some(new)))
                .expect("refreshes");
            if !run.more {
                break;
            }
            after = run.last;
        }
        let mut unique = seen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "{sort:?}: {seen:?}");
        for id in lasting.iter().filter(|id| users.contains_key(id)) {
            assert!(seen.contains(id), "{sort:?}: {id} missing from {seen:?}");
        }
    }
}

#[test]
fn the_collection_changes_with_a_write_that_changes_a_user_and_with_a_delete() {
    let users = population();
    let catalog = Catalog::build(users.values().cloned().map(Ok)).expect("builds");
    let at = |secs| OffsetDateTime::from_unix_timestamp(secs).expect("a time");
    assert_eq!(catalog.last_modified(), at(3), "the newest updated_at");

    let unchanged = users[&5].clone();
    catalog
        .refresh(5, || Ok(Some(unchanged)))
        .expect("refreshes");
    catalog.refresh(999, || Ok(None)).expect("refreshes");
    assert_eq!(catalog.last_modified(), at(3), "nothing changed");

    let mut updated = users[&5].clone();
    updated.updated_at = at(100);
    catalog.refresh(5, || Ok(Some(updated))).expect("refreshes");
    assert_eq!(catalog.last_modified(), at(100));

    catalog.refresh(6, || Ok(None)).expect("refreshes");
    assert!(
        catalog.last_modified() > at(100),
        "a delete is a change now"
    );
}
