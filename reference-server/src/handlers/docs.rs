//! `GET /api/v1/docs` (DOC-01): the OpenAPI document rendered for people by Swagger UI. Every
//! file is compiled in (`fixtures/docs/`, where its source and version are noted), so the page
//! works with no network beyond this server.

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

use crate::error::ApiError;
use crate::response::Outcome;
use crate::response::Reply;

/// The page's own policy, in place of the API's `default-src 'none'` (HTTP-11), which it keeps
/// as the fallback: scripts, styles and the document only from this origin, no inline script,
/// and the `data:` images Swagger UI's style sheet holds.
pub const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

const PAGE: &[u8] = include_bytes!("../../../fixtures/docs/index.html");

/// The files under `{base}/docs/`, with their media types.
const ASSETS: [(&str, &str, &[u8]); 7] = [
    (
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../fixtures/docs/swagger-ui/swagger-ui-bundle.js"),
    ),
    (
        "swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../fixtures/docs/swagger-ui/swagger-ui.css"),
    ),
    (
        "init.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../fixtures/docs/init.js"),
    ),
    (
        "page.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../fixtures/docs/page.css"),
    ),
    // The bundle's licence and those of what it bundles, which its first line points to.
    (
        "LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("../../../fixtures/docs/swagger-ui/LICENSE"),
    ),
    (
        "NOTICE",
        "text/plain; charset=utf-8",
        include_bytes!("../../../fixtures/docs/swagger-ui/NOTICE"),
    ),
    (
        "swagger-ui-bundle.js.LICENSE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../../fixtures/docs/swagger-ui/swagger-ui-bundle.js.LICENSE.txt"),
    ),
];

fn file(content_type: &'static str, body: &'static [u8]) -> Reply {
    let mut reply = Reply::new(Bytes::from_static(body));
    reply
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    reply
}

/// `GET /api/v1/docs`. Its links are relative to `{base}/docs`, so `{base}/docs/` is sent there
/// (relatively too, so that it holds wherever the API is mounted).
pub fn page(trailing_slash: bool) -> Outcome {
    if trailing_slash {
        return redirect("../docs");
    }
    let mut reply = file("text/html; charset=utf-8", PAGE);
    reply.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    Ok(reply)
}

/// `GET /api/v1/docs/{asset}`: a file the page loads; any other name is an unrouted path.
pub fn asset(name: String) -> Outcome {
    ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, content_type, body)| file(content_type, body))
        .ok_or(ApiError::RouteNotFound)
}

/// `GET /docs`: where people look first, sent on to the page under the base URL.
pub fn root() -> Outcome {
    redirect("/api/v1/docs")
}

fn redirect(to: &'static str) -> Outcome {
    let mut reply = Reply::new(Bytes::new());
    *reply.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    reply
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(to));
    Ok(reply)
}
