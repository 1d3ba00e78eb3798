//! Realistic bugs in what a response says, for the conformance proofs (`--violate NAME`, the
//! `violations` feature): each is a mistake implementations make, applied to the finished response
//! at this one seam so the code that builds responses stays as it should be. Without the feature
//! nothing here runs.

use http::{HeaderValue, Method, StatusCode, header};
use serde_json::Value;

use crate::response::Reply;
use crate::violations::Violations;

/// Applies the response bugs this server was started with to `reply`, the answer to `method` on
/// the route `template`.
pub fn apply(method: &Method, template: &str, reply: &mut Reply, v: &Violations) {
    if !cfg!(feature = "violations") {
        return;
    }
    let status = reply.status();
    let user_route = template == "/api/v1/users/{id}";
    // `raise HTTPException(409)`: a conflict answered with a bare title, no detail or instance.
    if status == StatusCode::CONFLICT && v.breaks("conflict-problem-without-detail") {
        edit_json(reply, |body| {
            if let Some(o) = body.as_object_mut() {
                o.remove("detail");
                o.remove("instance");
            }
        });
    }
    // An ORM row serialised whole on one route: its version column leaks out.
    if status == StatusCode::OK
        && *method == Method::PUT
        && user_route
        && v.breaks("put-leaks-version")
    {
        edit_json(reply, |body| {
            if let Some(o) = body.as_object_mut() {
                o.insert("version".into(), Value::from(2));
            }
        });
    }
    // A list serialiser that writes the page size it parsed from the query as the string it was.
    if status == StatusCode::OK && template == "/api/v1/users" && v.breaks("page-size-as-string") {
        edit_json(reply, |body| {
            if let Some(size) = body.get("page_size").and_then(Value::as_u64) {
                body["page_size"] = Value::from(size.to_string());
            }
        });
    }
    // The docs page pasted from Swagger UI's README, which loads it from a CDN: blank offline.
    if status == StatusCode::OK && template == "/api/v1/docs" && v.breaks("DOC-01") {
        let page = String::from_utf8_lossy(reply.body()).replace(
            "\"docs/swagger-ui",
            "\"https://unpkg.com/swagger-ui-dist@5.35.0/swagger-ui",
        );
        reply.headers_mut().remove(header::CONTENT_LENGTH);
        *reply.body_mut() = page.into_bytes().into();
    }
    // HTTP-13 broken: the routes added after the users' are tagged weakly, as a framework's
    // default middleware does.
    let nested = matches!(
        template,
        "/api/v1/users/{id}/orders"
            | "/api/v1/users/{id}/orders/{order_id}"
            | "/api/v1/jobs/{id}"
            | "/api/v1/users/{id}/notifications"
    );
    if status == StatusCode::OK && nested && v.breaks("HTTP-13") {
        let weak = format!("W/{}", crate::validators::etag(reply.body()));
        tag(reply, &weak);
    }
    // The orders below a user tagged with the version of the user they belong to, as a cache
    // keyed by the parent resource is: an order does not change the user, so a page that gained
    // one keeps its tag. (The user of these proofs is not changed meanwhile: its id stands for
    // its version.)
    let orders = template == "/api/v1/users/{id}/orders";
    if status == StatusCode::OK && orders && v.breaks("orders-tagged-by-user-version") {
        let body = serde_json::from_slice::<Value>(reply.body()).unwrap_or_default();
        let owner = body["items"][0]["user_id"].to_string();
        tag(reply, &crate::validators::etag(owner.as_bytes()));
    }
    // A validation error rendered by the framework's default handler, as plain JSON.
    if status == StatusCode::UNPROCESSABLE_ENTITY && v.breaks("validation-error-as-plain-json") {
        reply.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
}

fn tag(reply: &mut Reply, tag: &str) {
    if let Ok(value) = HeaderValue::from_str(tag) {
        reply.headers_mut().insert(header::ETAG, value);
    }
}

fn edit_json(reply: &mut Reply, edit: impl FnOnce(&mut Value)) {
    let Ok(mut body) = serde_json::from_slice::<Value>(reply.body()) else {
        return;
    };
    edit(&mut body);
    if let Ok(bytes) = serde_json::to_vec(&body) {
        reply.headers_mut().remove(header::CONTENT_LENGTH);
        *reply.body_mut() = bytes.into();
    }
}
