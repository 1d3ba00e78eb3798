//! One scenario per persona, weighted like real traffic: most users browse, some shop, a few
//! sign up, an admin or two manage accounts, and a service follows the events.

pub mod admin;
pub mod browse;
pub mod capacity;
pub mod listen;
pub mod shop;
pub mod signup;

/// How long a user pauses after a failed transaction. A failure can come back at once (a
/// refused connection, a missing session): without a pause the user would spin without ever
/// yielding, starving goose's own timers, and flood a dead host with millions of requests.
pub const PAUSE_AFTER_FAILURE: std::time::Duration = std::time::Duration::from_millis(100);

/// A transaction running `$f(user, &run)`, named after the function.
macro_rules! step {
    ($run:expr, $f:path) => {{
        let run = std::sync::Arc::clone($run);
        goose::prelude::Transaction::new(std::sync::Arc::new(move |user| {
            let run = std::sync::Arc::clone(&run);
            Box::pin(async move {
                let result = $f(user, &run).await;
                if result.is_err() {
                    tokio::time::sleep($crate::scenarios::PAUSE_AFTER_FAILURE).await;
                }
                result
            })
        }))
        .set_name(stringify!($f))
    }};
}
pub(crate) use step;
