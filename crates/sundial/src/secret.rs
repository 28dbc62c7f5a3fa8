//! The token secret: configured, or generated once into the data directory.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// File in the data directory that holds a generated secret.
const SECRET_FILE: &str = "jwt-secret";

/// Where the secret came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `SUNDIAL_JWT_SECRET` or the config file.
    Configured,
    /// Generated now, or earlier, into the data directory.
    Generated,
}

/// The configured secret, or the one generated into `data_dir` (created on first use, mode 0600).
pub fn load_or_generate(
    configured: Option<&str>,
    data_dir: &Path,
) -> std::io::Result<(Vec<u8>, Origin)> {
    if let Some(secret) = configured {
        return Ok((secret.as_bytes().to_vec(), Origin::Configured));
    }
    let path = data_dir.join(SECRET_FILE);
    match fs::read_to_string(&path) {
        Ok(secret) => {
            let mode = fs::metadata(&path)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(path = %path.display(), "the generated secret file is readable by others; run chmod 600");
            }
            Ok((secret.trim().as_bytes().to_vec(), Origin::Generated))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(data_dir)?;
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
