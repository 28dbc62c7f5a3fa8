//! A request id on every HTTP request: taken from `X-Request-Id` when the client sent a usable
//! one, generated otherwise; echoed in the response header, recorded on the request's log
//! span, and quoted in problem+json bodies.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::trace::TraceLayer;

/// The header that carries the id both ways.
pub(crate) const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client-supplied id we keep.
const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: RequestId;
}

/// One request's id: 1 to 128 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestId(String);

impl RequestId {
    /// The client's id when it is 1 to 128 visible ASCII characters (no spaces or controls,
    /// which would let it forge or break log lines), otherwise `None`.
    pub fn parse(value: &HeaderValue) -> Option<Self> {
        let bytes = value.as_bytes();
        let usable = !bytes.is_empty()
            && bytes.len() <= MAX_LEN
            && bytes.iter().all(|b| b.is_ascii_graphic());
        usable.then(|| Self(String::from_utf8_lossy(bytes).into_owned()))
    }

    /// A fresh id (a UUID v7, so ids sort by time).
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of the request being handled on this task, if any.
    pub(crate) fn current() -> Option<String> {
        CURRENT.try_with(|id| id.0.clone()).ok()
    }
}

/// Gives every request an id and a log span carrying it (`request` with `method`, `uri` and
/// `request_id`, at info level, so that every event logged while handling it names the
/// request), and answers the id in `X-Request-Id`. Wraps the whole application: routes merged
/// in later have neither.
pub fn with_request_ids(router: Router) -> Router {
    router
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let id = request
                    .extensions()
                    .get::<RequestId>()
                    .map(RequestId::as_str)
                    .unwrap_or_default();
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    uri = %request.uri().path(),
                    request_id = %id,
                )
            }),
        )
        .layer(axum::middleware::from_fn(assign))
}

async fn assign(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(RequestId::parse)
        .unwrap_or_else(RequestId::generate);
    request.extensions_mut().insert(id.clone());
    let mut response = CURRENT.scope(id.clone(), next.run(request)).await;
    let value = HeaderValue::from_str(id.as_str()).expect("request ids are visible ASCII");
    response.headers_mut().insert(X_REQUEST_ID, value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_visible_ascii_ids_are_taken_from_clients() {
        let parse = |s: &[u8]| RequestId::parse(&HeaderValue::from_bytes(s).unwrap());
        assert_eq!(
            parse(b"abc-123_X.y:z/="),
            Some(RequestId("abc-123_X.y:z/=".into()))
        );
        assert_eq!(parse(&[b'a'; 128]).map(|id| id.0.len()), Some(128));
        assert_eq!(parse(&[b'a'; 129]), None);
        assert_eq!(parse(b""), None);
        assert_eq!(parse(b"two words"), None);
        assert_eq!(parse(b"tab\there"), None);
        assert_eq!(parse("caf\u{e9}".as_bytes()), None);
    }

    #[test]
    fn generated_ids_are_uuid_v7() {
        let id = RequestId::generate();
        let uuid = uuid::Uuid::parse_str(id.as_str()).unwrap();
        assert_eq!(uuid.get_version_num(), 7);
    }
}
