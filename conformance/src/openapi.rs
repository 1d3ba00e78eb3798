//! Every response the suite receives, from every check, held to the contract's OpenAPI document:
//! the status is one the document lists for the operation, the `Content-Type` one it gives for
//! that status, and the body matches that schema (problems included). One layer under every
//! check, in the HTTP client, so no check can forget it.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use jsonschema::Validator;
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::http::Exchange;
use crate::schema::document;

/// What the document says `exchange` may be; `Ok` for requests it does not describe (a path no
/// template matches, a method the path does not have: GEN-01 and GEN-11 judge those).
pub fn judge(base: &str, exchange: &Exchange) -> Result<(), Failure> {
    let Some(path) = exchange.url.strip_prefix(base) else {
        return Ok(());
    };
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let method = exchange.request.method.to_ascii_lowercase();
    let Some((template, operation)) = operation(path, &method) else {
        return Ok(());
    };
    let status = exchange.status.to_string();
    let responses = &operation["responses"];
    let Some(response) = responses
        .get(&status)
        .or_else(|| responses.get(format!("{}XX", &status[..1])))
        .or_else(|| responses.get("default"))
    else {
        let listed: Vec<&str> = responses
            .as_object()
            .map(|r| r.keys().map(String::as_str).collect())
            .unwrap_or_default();
        return Err(exchange.fail(
            format!(
                "{} {template} answered {status}, a status the OpenAPI document does not list for it",
                exchange.request.method
            ),
            format!("one of {}", listed.join(", ")),
            exchange.summary(),
        ));
    };
    let response = resolve(response);
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return Ok(());
    };
    // A compressed body is judged by HTTP-12, which decodes it.
    if exchange.body.is_empty() || exchange.header("content-encoding").is_some() {
        return Ok(());
    }
    let media = exchange.media_type();
    let Some(described) = content.get(&media) else {
        let listed: Vec<&str> = content.keys().map(String::as_str).collect();
        return Err(exchange.fail(
            format!(
                "{} {template} answered {status} as `{media}`, which the OpenAPI document does not give for it",
                exchange.request.method
            ),
            format!("Content-Type: {}", listed.join(" or ")),
            format!(
                "Content-Type: {}",
                exchange.header("content-type").unwrap_or("(none)")
            ),
        ));
    };
    let Some(schema) = described.get("schema") else {
        return Ok(());
    };
    let Some(body) = exchange.json() else {
        return Err(exchange.fail(
            format!(
                "{} {template} answered {status} with a body that is not JSON",
                exchange.request.method
            ),
            format!("a `{media}` body"),
            exchange.summary(),
        ));
    };
    let selects = query.split('&').any(|p| p.starts_with("fields="));
    let errors = violations(schema, selects, &body);
    if errors.is_empty() {
        return Ok(());
    }
    Err(exchange.fail(
        format!(
            "{} {template} answered {status} with a body its OpenAPI schema does not allow",
            exchange.request.method
        ),
        "a body matching the document's schema",
        errors.join("; "),
    ))
}

/// The operation of `method` on the path template that `path` matches, literal segments before
/// parameters (`/users/me` before `/users/{id}`).
fn operation(path: &str, method: &str) -> Option<(&'static str, &'static Value)> {
    // `/users/` is not `/users`: a trailing slash leaves an empty segment that nothing matches.
    let segments: Vec<&str> = path.split('/').collect();
    let paths = document()["paths"].as_object()?;
    let mut best: Option<(usize, &'static str, &'static Value)> = None;
    for (template, item) in paths {
        let parts: Vec<&str> = template.split('/').collect();
        if parts.len() != segments.len() {
            continue;
        }
        let mut literal = 0;
        let matches = parts.iter().zip(&segments).all(|(p, s)| {
            if p.starts_with('{') {
                !s.is_empty()
            } else {
                literal += 1;
                p == s
            }
        });
        if matches && best.is_none_or(|(l, _, _)| literal > l) {
            best = Some((literal, template.as_str(), item));
        }
    }
    let (_, template, item) = best?;
    item.get(method).map(|op| (template, op))
}

/// A response object, its `$ref` followed.
fn resolve(response: &'static Value) -> &'static Value {
    response
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/"))
        .and_then(|r| document().pointer(&format!("/{r}")))
        .unwrap_or(response)
}

/// How `body` breaks `schema`. Without `fields` (COL-07) a partial representation is not one of
/// the answers a schema offers, so its `Partial…` alternatives are dropped.
fn violations(schema: &'static Value, selects: bool, body: &Value) -> Vec<String> {
    static VALIDATORS: OnceLock<Mutex<HashMap<(usize, bool), &'static Validator>>> =
        OnceLock::new();
    let key = (schema as *const Value as usize, selects);
    let cache = VALIDATORS.get_or_init(Mutex::default);
    let validator = *cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_insert_with(|| Box::leak(Box::new(compile(schema, selects))));
    validator
        .iter_errors(body)
        .take(3)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn compile(schema: &Value, selects: bool) -> Validator {
    let mut schema = schema.clone();
    if !selects && let Some(any) = schema.get_mut("anyOf").and_then(Value::as_array_mut) {
        any.retain(|alt| !alt["$ref"].as_str().is_some_and(|r| r.contains("/Partial")));
    }
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document()["components"],
    });
    if let (Some(root), Some(schema)) = (root.as_object_mut(), schema.as_object()) {
        root.extend(schema.clone());
    }
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .expect("the contract's schemas compile")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win_over_parameters() {
        assert_eq!(
            operation("/users/me", "get").map(|o| o.0),
            Some("/users/me")
        );
        assert_eq!(
            operation("/users/42", "put").map(|o| o.0),
            Some("/users/{id}")
        );
        assert!(operation("/users/42", "post").is_none());
        assert!(operation("/nothing/here", "get").is_none());
    }
}
