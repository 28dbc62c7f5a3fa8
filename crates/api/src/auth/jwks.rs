//! The identity provider's public keys (a JWKS), from a URL or a file, kept current.
//!
//! Keys rotate: a provider publishes a new key before it signs with it and drops the old one
//! later. So the set is refreshed periodically (the URL re-fetched, the file re-read when it
//! changed) and, for a token whose `kid` is unknown, at once — but at most once per cooldown,
//! so a stream of tokens with made-up `kid`s cannot turn into a stream of fetches. A failed
//! refresh keeps the keys already known. Refreshes happen on the request path, one at a time.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use crate::ApiError;

/// Largest JWKS document read.
const MAX_JWKS_BYTES: usize = 1024 * 1024;

/// Where the keys come from.
#[derive(Debug, Clone)]
pub enum JwksSource {
    /// Fetched with GET (`SUNDIAL_JWT_JWKS_URL`).
    Url(String),
    /// Read from disk (`SUNDIAL_JWT_JWKS_FILE`).
    File(PathBuf),
}

impl std::fmt::Display for JwksSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JwksSource::Url(url) => f.write_str(url),
            JwksSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// How often the keys are refreshed.
#[derive(Debug, Clone)]
pub struct JwksOptions {
    /// A URL's keys are re-fetched when they are older than this.
    pub refresh: Duration,
    /// A file is checked for changes at most this often (and on every unknown `kid`).
    pub file_check: Duration,
    /// Shortest time between two fetches of a URL caused by unknown `kid`s.
    pub cooldown: Duration,
    /// Budget of one fetch.
    pub timeout: Duration,
}

impl Default for JwksOptions {
    fn default() -> Self {
        Self {
            refresh: Duration::from_secs(300),
            file_check: Duration::from_secs(1),
            cooldown: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
        }
    }
}

/// Why the keys could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    /// The URL could not be fetched, or did not answer 200.
    #[error("fetching the JWKS from {url}: {reason}")]
    Fetch {
        /// The JWKS URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The file could not be read.
    #[error("reading the JWKS file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The document is not a JWKS.
    #[error("the JWKS from {origin} is not a JSON Web Key Set: {reason}")]
    Parse {
        /// The URL or file.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// One usable public key.
#[derive(Clone)]
struct Key {
    kid: Option<String>,
    alg: Algorithm,
    key: DecodingKey,
}

/// Identifies a version of the file, so an unchanged file is not parsed again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

struct Loaded {
    keys: Vec<Key>,
    /// When the source was last looked at (fetched, or the file stat'ed), successfully or not.
    checked_at: Instant,
    /// When an unknown `kid` last caused a fetch.
    unknown_fetch_at: Option<Instant>,
    stamp: Option<FileStamp>,
}

/// The public keys tokens may be signed with.
pub struct Jwks {
    source: JwksSource,
    options: JwksOptions,
    client: reqwest::Client,
    loaded: RwLock<Loaded>,
    /// Held while refreshing, so concurrent requests wait for one refresh instead of each
    /// starting their own.
    refreshing: Mutex<()>,
}

impl std::fmt::Debug for Jwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwks")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

impl Jwks {
    /// Loads the keys once; fails when the source cannot be read or is not a JWKS.
    pub async fn load(source: JwksSource, options: JwksOptions) -> Result<Self, JwksError> {
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .build()
            .map_err(|e| JwksError::Fetch {
                url: source.to_string(),
                reason: e.to_string(),
            })?;
        let jwks = Self {
            source,
            options,
            client,
            loaded: RwLock::new(Loaded {
                keys: Vec::new(),
                checked_at: Instant::now(),
                unknown_fetch_at: None,
                stamp: None,
            }),
            refreshing: Mutex::new(()),
        };
        let (keys, stamp) = jwks.read_source().await?;
        if keys.is_empty() {
            tracing::warn!(source = %jwks.source, "the JWKS has no usable RS256, ES256 or EdDSA signing key");
        }
        *jwks.loaded.write().await = Loaded {
            keys,
            checked_at: Instant::now(),
            unknown_fetch_at: None,
            stamp,
        };
        Ok(jwks)
    }

    /// How many usable keys are known.
    pub async fn key_count(&self) -> usize {
        self.loaded.read().await.keys.len()
    }

    /// The key that verifies a token with this `kid` and `alg`, refreshing the set first when
    /// it is due, and once more (rate-limited) when the `kid` is unknown.
    pub(crate) async fn key_for(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<DecodingKey, ApiError> {
        if self.refresh_due(false).await {
            self.refresh(false).await;
        }
        if let Some(key) = self.find(kid, alg).await {
            return Ok(key);
        }
        if self.refresh_due(true).await {
            self.refresh(true).await;
            if let Some(key) = self.find(kid, alg).await {
                return Ok(key);
            }
        }
        Err(ApiError::Unauthorized(
            "The token's signing key is not among the identity provider's keys.",
        ))
    }

    async fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<DecodingKey> {
        let loaded = self.loaded.read().await;
        let mut candidates = loaded
            .keys
            .iter()
            .filter(|key| key.alg == alg && (kid.is_none() || key.kid.as_deref() == kid));
        let first = candidates.next()?;
        // Without a kid, the key must be the only one that fits.
        (kid.is_some() || candidates.next().is_none()).then(|| first.key.clone())
    }

    async fn refresh_due(&self, unknown_kid: bool) -> bool {
        let loaded = self.loaded.read().await;
        match (&self.source, unknown_kid) {
            (JwksSource::File(_), false) => loaded.checked_at.elapsed() >= self.options.file_check,
            // Stat'ing a file is cheap, and it is only re-read when it changed.
            (JwksSource::File(_), true) => true,
            (JwksSource::Url(_), false) => loaded.checked_at.elapsed() >= self.options.refresh,
            (JwksSource::Url(_), true) => loaded
                .unknown_fetch_at
                .is_none_or(|at| at.elapsed() >= self.options.cooldown),
        }
    }

    async fn refresh(&self, unknown_kid: bool) {
        let _one_at_a_time = self.refreshing.lock().await;
        // Another request may have refreshed while this one waited.
        if !self.refresh_due(unknown_kid).await {
            return;
        }
        let result = self.read_source_if_changed().await;
        let mut loaded = self.loaded.write().await;
        loaded.checked_at = Instant::now();
        if unknown_kid {
            loaded.unknown_fetch_at = Some(Instant::now());
        }
        match result {
            Ok(Some((keys, stamp))) => {
                tracing::info!(source = %self.source, keys = keys.len(), "JWKS refreshed");
                loaded.keys = keys;
                loaded.stamp = stamp;
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "JWKS refresh failed; keeping the keys known so far");
            }
        }
    }

    /// The source's keys, or `None` for a file that has not changed since it was last read.
    async fn read_source_if_changed(
        &self,
    ) -> Result<Option<(Vec<Key>, Option<FileStamp>)>, JwksError> {
        if let JwksSource::File(path) = &self.source {
            let stamp = file_stamp(path)?;
            if self.loaded.read().await.stamp.as_ref() == Some(&stamp) {
                return Ok(None);
            }
        }
        self.read_source().await.map(Some)
    }

    async fn read_source(&self) -> Result<(Vec<Key>, Option<FileStamp>), JwksError> {
        match &self.source {
            JwksSource::File(path) => {
                let stamp = file_stamp(path)?;
                let bytes = tokio::fs::read(path)
                    .await
                    .map_err(|source| JwksError::Read {
                        path: path.clone(),
                        source,
                    })?;
                Ok((parse(&bytes, &self.source)?, Some(stamp)))
            }
            JwksSource::Url(url) => {
                let bytes = self.fetch(url).await.map_err(|reason| JwksError::Fetch {
                    url: url.clone(),
                    reason,
                })?;
                Ok((parse(&bytes, &self.source)?, None))
            }
        }
    }

    async fn fetch(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut response = self
            .client
            .get(url)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("status {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(format!("larger than {MAX_JWKS_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

fn file_stamp(path: &std::path::Path) -> Result<FileStamp, JwksError> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).map_err(|source| JwksError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(FileStamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode: meta.ino(),
    })
}

/// The usable signing keys of a JWKS document. Keys of other kinds (symmetric `oct` keys above
/// all: a published key must never verify an HMAC), other algorithms or other uses are skipped.
fn parse(bytes: &[u8], source: &JwksSource) -> Result<Vec<Key>, JwksError> {
    let raw: RawSet = serde_json::from_slice(bytes).map_err(|e| JwksError::Parse {
        origin: source.to_string(),
        reason: e.to_string(),
    })?;
    let mut keys = Vec::new();
    for value in raw.keys {
        let kid = value.get("kid").and_then(|v| v.as_str()).map(str::to_owned);
        match serde_json::from_value::<Jwk>(value)
            .ok()
            .and_then(|jwk| usable(&jwk))
        {
            Some((alg, key)) => keys.push(Key { kid, alg, key }),
            None => {
                tracing::warn!(%source, kid = kid.as_deref().unwrap_or(""), "skipping a JWKS key that is not an RS256, ES256 or EdDSA signing key")
            }
        }
    }
    Ok(keys)
}

fn usable(jwk: &Jwk) -> Option<(Algorithm, DecodingKey)> {
    if matches!(&jwk.common.public_key_use, Some(u) if *u != PublicKeyUse::Signature) {
        return None;
    }
    let alg = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Algorithm::ES256,
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        _ => return None,
    };
    if jwk
        .common
        .key_algorithm
        .is_some_and(|declared| declared != KeyAlgorithm::from(alg))
    {
        return None;
    }
    DecodingKey::from_jwk(jwk).ok().map(|key| (alg, key))
}
