//! The web console, embedded at build time from `web/dist` and served at `/`.
//!
//! `allow_missing` keeps a build without the console working; `/` then says how to build it.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../web/dist"]
#[allow_missing = true]
struct Assets;

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Sundial</title>\
<h1>Sundial is running</h1><p>The web console was not built into this binary. \
Build it with <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code> and rebuild Sundial \
(<code>./scripts/run</code> does both). The API is at <a href=/api/docs>/api/docs</a>.</p>";

/// Routes of the console: `/` and its hashed assets.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route(
            "/assets/{*path}",
            get(|Path(path): Path<String>| file(format!("assets/{path}"))),
        )
        .route("/{name}", get(|Path(name): Path<String>| file(name)))
}

async fn index() -> Response {
    match Assets::get("index.html") {
        // The page names hashed assets, so it must be revalidated on every load.
        Some(file) => (
            [(header::CACHE_CONTROL, "no-cache")],
            Html(file.data.into_owned()),
        )
            .into_response(),
        None => Html(NOT_BUILT).into_response(),
    }
}

/// An embedded file; anything else is the API's own problem+json 404.
async fn file(name: String) -> Response {
    let Some(file) = Assets::get(&name) else {
        return api::ApiError::NotFound.into_response();
    };
    let mime = HeaderValue::from_str(file.metadata.mimetype())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    // Names under assets/ carry a content hash, so they never change; other files may.
    let cache = HeaderValue::from_static(if name.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    });
    (
        [(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, cache)],
        file.data.into_owned(),
    )
        .into_response()
}
