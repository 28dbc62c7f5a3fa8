//! The web console, embedded at build time from `web/dist` and served at `/`.
//!
//! `allow_missing` keeps a build without the console working; `/` then says how to build it.
//! Text files are gzipped once, in the background from start-up, and sent compressed to
//! clients that accept it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
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

/// The embedded files, ready to send; filled once, off the request path.
static FILES: OnceLock<Files> = OnceLock::new();

/// Routes of the console: `/` and its hashed assets.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    // Compressing takes a moment (most of it the main script); do it before the first visit.
    std::thread::spawn(files_blocking);
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
        None => tokio::task::spawn_blocking(files_blocking)
            .await
            .expect("preparing the console's files does not panic"),
    };
    match files.respond(name, &headers) {
        Some(response) => response,
        None if name == "index.html" => Html(NOT_BUILT).into_response(),
        // Anything else is the API's own problem+json 404.
        None => api::ApiError::NotFound.into_response(),
    }
}

/// The console's files by name.
struct Files(HashMap<String, Prepared>);

/// One file, as stored and gzipped.
struct Prepared {
    mime: HeaderValue,
    cache: HeaderValue,
    identity: Bytes,
    /// `None` when gzip would not make it smaller (images, fonts, tiny files).
    gzip: Option<Bytes>,
}

impl Files {
    /// Prepares (name, MIME type, content) triples.
    fn new(files: impl Iterator<Item = (String, String, Bytes)>) -> Self {
        Self(
            files
                .map(|(name, mime, data)| {
                    let prepared = Prepared::new(&name, &mime, data);
                    (name, prepared)
                })
                .collect(),
        )
    }

    /// The response for `name`, compressed when the request's `Accept-Encoding` allows it;
    /// `None` when there is no such file.
    fn respond(&self, name: &str, request: &HeaderMap) -> Option<Response> {
        let file = self.0.get(name)?;
        let gzip = file.gzip.as_ref().filter(|_| accepts_gzip(request));
        let mut response = gzip.unwrap_or(&file.identity).clone().into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, file.mime.clone());
        headers.insert(header::CACHE_CONTROL, file.cache.clone());
        // Caches must keep the compressed and the plain answer apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if gzip.is_some() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
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
        let gzip = gzip(&data).filter(|packed| packed.len() < data.len());
        Self {
            mime,
            cache,
            identity: data,
            gzip: gzip.map(Bytes::from),
        }
    }
}

fn gzip(data: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).ok()?;
    encoder.finish().ok()
}

/// Whether `Accept-Encoding` lets us answer gzip (RFC 9110 §12.5.3): `gzip` (or `x-gzip`) with
/// a non-zero weight, or else `*` with one.
fn accepts_gzip(request: &HeaderMap) -> bool {
    let mut named = None;
    let mut any = false;
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
                .is_none_or(|q| q.is_ok_and(|q| q > 0.0));
            match coding.as_str() {
                "gzip" | "x-gzip" => named = Some(named.unwrap_or(false) || weight),
                "*" => any = weight,
                _ => {}
            }
        }
    }
    named.unwrap_or(any)
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    /// Script-like text of about 200 KB, as a bundle is: repetitive, but not only one line.
    fn script() -> Vec<u8> {
        (0..4000)
            .map(|i| {
                format!(
                    "export const value{i} = () => render(\"item-{i}\", {});\n",
                    i * 7
                )
            })
            .collect::<String>()
            .into_bytes()
    }

    fn files() -> Files {
        Files::new(
            [
                ("index.html", "text/html", b"<!doctype html>".repeat(40)),
                ("assets/index-Bx1.js", "text/javascript", script()),
                (
                    "assets/logo-C2.png",
                    "image/png",
                    vec![0x89, b'P', b'N', b'G'],
                ),
            ]
            .into_iter()
            .map(|(n, m, d)| (n.to_owned(), m.to_owned(), Bytes::from(d))),
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

    #[tokio::test]
    async fn hashed_assets_are_gzipped_for_clients_that_accept_it_and_cached_for_good() {
        let files = files();
        let response = files
            .respond("assets/index-Bx1.js", &accepting("gzip, deflate, br"))
            .unwrap();
        let headers = response.headers().clone();
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
        assert_eq!(headers[header::VARY], "accept-encoding");
        assert_eq!(headers[header::CONTENT_TYPE], "text/javascript");
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let packed = body(response).await;
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, script());
        assert!(packed.len() * 5 < unpacked.len(), "{}", packed.len());

        let plain = files
            .respond("assets/index-Bx1.js", &HeaderMap::new())
            .unwrap();
        assert!(!plain.headers().contains_key(header::CONTENT_ENCODING));
        assert_eq!(plain.headers()[header::VARY], "accept-encoding");
        assert_eq!(body(plain).await, script());
    }

    #[tokio::test]
    async fn index_html_is_revalidated_and_incompressible_files_go_as_they_are() {
        let files = files();
        let index = files.respond("index.html", &accepting("gzip")).unwrap();
        assert_eq!(index.headers()[header::CACHE_CONTROL], "no-cache");
        assert_eq!(index.headers()[header::CONTENT_ENCODING], "gzip");

        let logo = files
            .respond("assets/logo-C2.png", &accepting("gzip"))
            .unwrap();
        assert!(!logo.headers().contains_key(header::CONTENT_ENCODING));
        assert_eq!(body(logo).await, [0x89, b'P', b'N', b'G']);

        assert!(
            files
                .respond("assets/missing.js", &accepting("gzip"))
                .is_none()
        );
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        for (value, gzip) in [
            ("gzip", true),
            ("deflate, GZIP;q=0.5", true),
            ("x-gzip", true),
            ("*", true),
            ("br, *;q=0.1", true),
            ("gzip;q=0", false),
            ("gzip;q=0, *", false),
            ("*;q=0", false),
            ("br, deflate", false),
            ("identity", false),
            ("", false),
        ] {
            assert_eq!(accepts_gzip(&accepting(value)), gzip, "{value:?}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
