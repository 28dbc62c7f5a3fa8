//! Secrets: a value that never shows itself in `Debug`, and the token secret, configured or
//! generated once into the data directory.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};

/// File in the data directory that holds a generated secret.
const SECRET_FILE: &str = "jwt-secret";

/// A secret setting (a password-bearing URL, a token secret). Its `Debug` says only that it is
/// there, so printing a configuration or an error that holds it cannot leak it.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(\"[redacted]\")")
    }
}

/// Any scalar is taken as its text, so a secret that happens to parse as a number is not
/// echoed back in a type error.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Secret;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Secret, E> {
                Ok(Secret::new(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Secret, E> {
                Ok(Secret::new(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Secret, E> {
                Ok(Secret::new(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Secret, E> {
                Ok(Secret::new(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Secret, E> {
                Ok(Secret::new(v.to_string()))
            }
        }
        d.deserialize_any(Text)
    }
}

/// Where the secret came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `SUNDIAL_JWT_SECRET`, `SUNDIAL_JWT_SECRET_FILE` or the config file.
    Configured,
    /// Generated now, or earlier, into the data directory.
    Generated,
}

/// The configured secret, or the one generated into `data_dir` (created on first use, mode 0600;
/// an existing file readable by others is narrowed to 0600).
pub fn load_or_generate(
    configured: Option<&Secret>,
    data_dir: &Path,
) -> std::io::Result<(Vec<u8>, Origin)> {
    if let Some(secret) = configured {
        return Ok((secret.expose().as_bytes().to_vec(), Origin::Configured));
    }
    let path = data_dir.join(SECRET_FILE);
    match fs::read_to_string(&path) {
        Ok(secret) => {
            crate::files::private_file(&path)?;
            Ok((secret.trim().as_bytes().to_vec(), Origin::Generated))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::files::private_dir(data_dir)?;
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
            let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)?;
            file.write_all(secret.as_bytes())?;
            file.sync_all()?;
            Ok((secret.into_bytes(), Origin::Generated))
        }
        Err(e) => Err(e),
    }
}
