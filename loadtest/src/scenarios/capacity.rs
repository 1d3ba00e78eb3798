//! Capacity: how much load this generator itself can make. Every user repeats `GET /health`,
//! the target's cheapest route, so that against a fast target the requests/s reached are goose's
//! ceiling on this machine rather than the target's (`ci/perf` compares them with wrk's).

use std::sync::Arc;

use goose::prelude::*;

use super::step;
use crate::api::{Call, route};
use crate::run::Run;

pub fn scenario(run: &Arc<Run>) -> Result<Scenario, GooseError> {
    Ok(Scenario::new("capacity").register_transaction(step!(run, health)))
}

async fn health(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    Call::get(route::HEALTH, route::HEALTH).send(user).await?;
    Ok(())
}
