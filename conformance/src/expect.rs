//! The assertions checks make about one exchange, each failing with the exchange attached.

use serde_json::Value;

use crate::failure::Failure;
use crate::http::Exchange;

/// The status is `status` and the body is a JSON value, which is returned.
pub fn ok_json(exchange: &Exchange, status: u16, what: &str) -> Result<Value, Failure> {
    if exchange.status != status {
        return Err(exchange.fail(
            format!("{what}: answered {} instead of {status}", exchange.status),
            format!("status {status}"),
            exchange.summary(),
        ));
    }
    exchange.json().ok_or_else(|| {
        exchange.fail(
            format!("{what}: the body is not JSON"),
            "a JSON body",
            exchange.summary(),
        )
    })
}

/// The status is one of `statuses`.
pub fn status(exchange: &Exchange, statuses: &[u16], what: &str) -> Result<(), Failure> {
    if statuses.contains(&exchange.status) {
        return Ok(());
    }
    let wanted: Vec<String> = statuses.iter().map(u16::to_string).collect();
    Err(exchange.fail(
        format!("{what}: answered {}", exchange.status),
        format!("status {}", wanted.join(" or ")),
        exchange.summary(),
    ))
}

/// The answer is `status` with an `application/problem+json` body whose `status` agrees; the
/// problem is returned.
pub fn problem(exchange: &Exchange, status: u16, what: &str) -> Result<Value, Failure> {
    self::status(exchange, &[status], what)?;
    if exchange.media_type() != "application/problem+json" {
        return Err(exchange.fail(
            format!("{what}: the error is not a problem document"),
            "Content-Type: application/problem+json",
            format!(
                "Content-Type: {}",
                exchange.header("content-type").unwrap_or("(none)")
            ),
        ));
    }
    let body = exchange.json().filter(Value::is_object).ok_or_else(|| {
        exchange.fail(
            format!("{what}: the problem is not a JSON object"),
            "a JSON object",
            exchange.summary(),
        )
    })?;
    if body["status"].as_u64() != Some(u64::from(status)) {
        return Err(exchange.fail(
            format!("{what}: the problem's status disagrees with the response"),
            format!("\"status\": {status}"),
            format!("\"status\": {}", body["status"]),
        ));
    }
    Ok(body)
}

/// The `field` names of a validation problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A `422` validation problem whose `errors` name every one of `fields`.
pub fn names_fields(exchange: &Exchange, fields: &[&str], what: &str) -> Result<(), Failure> {
    let problem = problem(exchange, 422, what)?;
    let named = error_fields(&problem);
    let missing: Vec<&&str> = fields
        .iter()
        .filter(|f| !named.iter().any(|n| n == **f))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(exchange.fail(
        format!("{what}: the validation problem does not name {missing:?}"),
        format!("`errors` with an entry whose `field` is each of {fields:?}"),
        format!("fields named: {named:?}"),
    ))
}

/// The `Allow` header's methods, uppercased and sorted.
pub fn allowed_methods(exchange: &Exchange) -> Option<Vec<String>> {
    let allow = exchange.header("allow")?;
    let mut methods: Vec<String> = allow
        .split(',')
        .map(|m| m.trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty())
        .collect();
    methods.sort();
    methods.dedup();
    Some(methods)
}
