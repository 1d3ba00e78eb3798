//! One scenario per persona, weighted like real traffic: most users browse, a few sign up, an
//! admin or two manage accounts.

pub mod admin;
pub mod browse;
pub mod capacity;
pub mod signup;

/// A transaction running `$f(user, &run)`, named after the function.
macro_rules! step {
    ($run:expr, $f:path) => {{
        let run = std::sync::Arc::clone($run);
        goose::prelude::Transaction::new(std::sync::Arc::new(move |user| {
            let run = std::sync::Arc::clone(&run);
            Box::pin(async move { $f(user, &run).await })
        }))
        .set_name(stringify!($f))
    }};
}
pub(crate) use step;
