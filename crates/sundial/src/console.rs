//! The web console, embedded at build time from `web/dist` and served at `/`.
//!
//! `allow_missing` keeps a build without the console working; `/` then says how to build it.
//! The console's build writes `<file>.br` and `<file>.gz` beside each text file (see
//! `web/precompress.ts`); they are sent as they are to clients that accept them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$CONSOLE_DIST_DIR"]
#[allow_missing = true]
struct Assets;

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Sundial</title>\
<h1>Sundial is running</h1><p>The web console was not built into this binary. \
Build it with <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code> and rebuild Sundial \
(<code>./scripts/run</code> does both). The API is at <a href=/api/docs>/api/docs</a>.</p>";

/// The embedded files, ready to send; filled on the first visit.
static FILES: OnceLock<Files> = OnceLock::new();

/// Routes of the console: `/` and its hashed assets.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(|headers: HeaderMap| serve("index.html", headers)))
        .route(
            "/index.html",
            get(|headers: HeaderMap| serve("index.html", headers)),
        )
        .route(
            "/assets/{*path}",
            get(|Path(path): Path<String>, headers: HeaderMap| async move {
                serve(&format!("assets/{path}"), headers).await
            }),
        )
        .route(
            "/{name}",
            get(|Path(name): Path<String>, headers: HeaderMap| async move {
                serve(&name, headers).await
            }),
        )
}

fn files_blocking() -> &'static Files {
    FILES.get_or_init(|| {
        Files::new(Assets::iter().filter_map(|name| {
            let file = Assets::get(&name)?;
            let mime = file.metadata.mimetype().to_owned();
            // Release builds embed the files: no copy of those.
            let data = match file.data {
                Cow::Borrowed(data) => Bytes::from_static(data),
                Cow::Owned(data) => Bytes::from(data),
            };
            Some((name.into_owned(), mime, data))
        }))
    })
}

async fn serve(name: &str, headers: HeaderMap) -> Response {
    let files = match FILES.get() {
        Some(files) => files,
        // Debug builds read the files from disk.
        None => tokio::task::spawn_blocking(files_blocking)
            .await
            .expect("listing the console's files does not panic"),
    };
    match files.respond(name, &headers) {
        Some(response) => response,
        None if name == "index.html" => Html(NOT_BUILT).into_response(),
        // Anything else is the API's own problem+json 404.
        None => api::ApiError::NotFound.into_response(),
    }
}

/// A content coding the build may have made of a file, in our order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Br,
    Gzip,
}

impl Coding {
    const ALL: [Coding; 2] = [Coding::Br, Coding::Gzip];

    /// The suffix of the build's file in this coding.
    fn suffix(self) -> &'static str {
        match self {
            Coding::Br => ".br",
            Coding::Gzip => ".gz",
        }
    }

    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Coding::Br => "br",
            Coding::Gzip => "gzip",
        })
    }

    fn is_named(self, coding: &str) -> bool {
        match self {
            Coding::Br => coding == "br",
            Coding::Gzip => coding == "gzip" || coding == "x-gzip",
        }
    }
}

/// The console's files by name.
struct Files(HashMap<String, Prepared>);

/// One file as stored, and the encodings the build made of it.
struct Prepared {
    mime: HeaderValue,
    cache: HeaderValue,
    identity: Bytes,
    encoded: Vec<(Coding, Bytes)>,
}

impl Files {
    /// Prepares (name, MIME type, content) triples: `x.br` and `x.gz` become encodings of `x`
    /// (when there is an `x`).
    fn new(files: impl Iterator<Item = (String, String, Bytes)>) -> Self {
        let files: HashMap<String, (String, Bytes)> = files
            .map(|(name, mime, data)| (name, (mime, data)))
            .collect();
        let encoding_of = |name: &str| {
            Coding::ALL.into_iter().find_map(|coding| {
                let base = name.strip_suffix(coding.suffix())?;
                files
                    .contains_key(base)
                    .then_some((base.to_owned(), coding))
            })
        };
        let mut prepared: HashMap<String, Prepared> = files
            .iter()
            .filter(|(name, _)| encoding_of(name).is_none())
            .map(|(name, (mime, data))| (name.clone(), Prepared::new(name, mime, data.clone())))
            .collect();
        for (name, (_, data)) in &files {
            if let Some((base, coding)) = encoding_of(name)
                && let Some(file) = prepared.get_mut(&base)
            {
                file.encoded.push((coding, data.clone()));
            }
        }
        Self(prepared)
    }

    /// The response for `name`, in the coding the request's `Accept-Encoding` prefers among
    /// the ones the build made; `None` when there is no such file.
    fn respond(&self, name: &str, request: &HeaderMap) -> Option<Response> {
        let file = self.0.get(name)?;
        let encoded = accepted(request)
            .into_iter()
            .find_map(|wanted| file.encoded.iter().find(|(coding, _)| *coding == wanted));
        let mut response = encoded
            .map_or(&file.identity, |(_, data)| data)
            .clone()
            .into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, file.mime.clone());
        headers.insert(header::CACHE_CONTROL, file.cache.clone());
        // Caches must keep the compressed and the plain answers apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some((coding, _)) = encoded {
            headers.insert(header::CONTENT_ENCODING, coding.header());
        }
        Some(response)
    }
}

impl Prepared {
    fn new(name: &str, mime: &str, data: Bytes) -> Self {
        let mime = HeaderValue::from_str(mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream"));
        // Vite names everything under assets/ after its content hash, so those never change;
        // index.html names the current ones and must be revalidated on every load.
        let cache = HeaderValue::from_static(if name.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        });
        Self {
            mime,
            cache,
            identity: data,
            encoded: Vec::new(),
        }
    }
}

/// The codings `Accept-Encoding` allows (RFC 9110 §12.5.3), best first: each by its own
/// weight, or by `*`'s when not named; weight 0 refuses it; brotli first at equal weight.
fn accepted(request: &HeaderMap) -> Vec<Coding> {
    let mut named: [Option<f32>; 2] = [None, None];
    let mut any = None;
    for value in request.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .find_map(|p| {
                    let (key, value) = p.split_once('=')?;
                    (key.trim().eq_ignore_ascii_case("q")).then(|| value.trim().parse::<f32>())
                })
                .map_or(1.0, |q| q.unwrap_or(0.0));
            if coding == "*" {
                any = Some(weight);
            }
            for (slot, known) in named.iter_mut().zip(Coding::ALL) {
                if known.is_named(&coding) {
                    *slot = Some(slot.map_or(weight, |w: f32| w.max(weight)));
                }
            }
        }
    }
    let mut codings: Vec<(Coding, f32)> = Coding::ALL
        .into_iter()
        .zip(named)
        .filter_map(|(coding, weight)| {
            let weight = weight.or(any)?;
            (weight > 0.0).then_some((coding, weight))
        })
        .collect();
    // Stable: at equal weight the order of ALL stays.
    codings.sort_by(|a, b| b.1.total_cmp(&a.1));
    codings.into_iter().map(|(coding, _)| coding).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        Files::new(
            [
                ("index.html", "text/html", &b"<!doctype html>"[..]),
                ("index.html.gz", "application/gzip", b"index-gzip"),
                ("index.html.br", "application/octet-stream", b"index-br"),
                (
                    "assets/index-Bx1.js",
                    "text/javascript",
                    b"export const a = 1;",
                ),
                (
                    "assets/index-Bx1.js.br",
                    "application/octet-stream",
                    b"js-br",
                ),
                ("assets/index-Bx1.js.gz", "application/gzip", b"js-gzip"),
                ("assets/logo-C2.png", "image/png", &[0x89, b'P', b'N', b'G']),
                (
                    "assets/data-D3.json.gz",
                    "application/gzip",
                    b"no plain file",
                ),
            ]
            .into_iter()
            .map(|(n, m, d)| (n.to_owned(), m.to_owned(), Bytes::from_static(d))),
        )
    }

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, value.parse().unwrap());
        headers
    }

    async fn body(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    /// (Content-Encoding, body) of the answer for `name` to `accept`.
    async fn sent(files: &Files, name: &str, accept: &HeaderMap) -> (Option<String>, Vec<u8>) {
        let response = files.respond(name, accept).unwrap();
        assert_eq!(response.headers()[header::VARY], "accept-encoding");
        let coding = response
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_owned());
        (coding, body(response).await)
    }

    #[tokio::test]
    async fn hashed_assets_go_in_the_best_coding_the_client_accepts_and_are_cached_for_good() {
        let files = files();
        let js = "assets/index-Bx1.js";
        let response = files.respond(js, &accepting("gzip, deflate, br")).unwrap();
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/javascript");
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        for (accept, coding, content) in [
            (accepting("gzip, deflate, br"), Some("br"), &b"js-br"[..]),
            (accepting("gzip"), Some("gzip"), b"js-gzip"),
            (accepting("br;q=0.5, gzip"), Some("gzip"), b"js-gzip"),
            (accepting("identity"), None, b"export const a = 1;"),
            (HeaderMap::new(), None, b"export const a = 1;"),
        ] {
            assert_eq!(
                sent(&files, js, &accept).await,
                (coding.map(str::to_owned), content.to_vec()),
                "{accept:?}"
            );
        }
    }

    #[tokio::test]
    async fn index_html_is_revalidated_and_files_without_encodings_go_as_they_are() {
        let files = files();
        let index = files.respond("index.html", &accepting("br")).unwrap();
        assert_eq!(index.headers()[header::CACHE_CONTROL], "no-cache");
        assert_eq!(index.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(body(index).await, b"index-br");

        assert_eq!(
            sent(&files, "assets/logo-C2.png", &accepting("br, gzip")).await,
            (None, vec![0x89, b'P', b'N', b'G'])
        );
        // The encodings are not files of their own; one without its plain file is.
        assert!(
            files
                .respond("assets/index-Bx1.js.br", &HeaderMap::new())
                .is_none()
        );
        assert_eq!(
            sent(&files, "assets/data-D3.json.gz", &accepting("gzip")).await,
            (None, b"no plain file".to_vec())
        );
        assert!(
            files
                .respond("assets/missing.js", &accepting("br"))
                .is_none()
        );
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        use Coding::{Br, Gzip};
        for (value, codings) in [
            ("gzip", vec![Gzip]),
            ("br", vec![Br]),
            ("gzip, br", vec![Br, Gzip]),
            ("gzip;q=1, br;q=0.9", vec![Gzip, Br]),
            ("deflate, GZIP;q=0.5", vec![Gzip]),
            ("x-gzip", vec![Gzip]),
            ("*", vec![Br, Gzip]),
            ("br;q=0.2, *;q=0.5", vec![Gzip, Br]),
            ("gzip;q=0, *", vec![Br]),
            ("*;q=0", vec![]),
            ("br;q=0, gzip;q=0", vec![]),
            ("br;q=nonsense, gzip", vec![Gzip]),
            ("deflate", vec![]),
            ("identity", vec![]),
            ("", vec![]),
        ] {
            assert_eq!(accepted(&accepting(value)), codings, "{value:?}");
        }
        assert_eq!(accepted(&HeaderMap::new()), vec![]);
    }
}
