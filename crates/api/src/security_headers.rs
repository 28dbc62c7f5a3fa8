//! Browser security headers on every response: the console and the API docs are pages a
//! browser runs with a token in reach, so they may load code only from this origin, may not be
//! framed, and no response is sniffed into another type or cached by the browser unless it
//! says so itself.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// Scripts, fonts and API calls only from this origin; styles also inline (antd and
/// CodeMirror write `<style>` elements at run time, Swagger UI sets `style` attributes);
/// images also as `data:` URIs (Swagger UI's icons); no plugins, no `<base>` rewriting, no
/// framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Adds the security headers to every response of `router`. `Cache-Control: no-store` is set
/// only where the response has no cache policy of its own (the console's hashed assets do).
pub fn with_security_headers(router: Router) -> Router {
    let always = [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        // For browsers that predate `frame-ancestors`.
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ];
    let router = always.into_iter().fold(
        router,
        |router, (name, value): (HeaderName, HeaderValue)| {
            router.layer(SetResponseHeaderLayer::overriding(name, value))
        },
    );
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
}
