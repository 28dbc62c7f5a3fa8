//! The SMTP relay email notices go through, from the `SUNDIAL_SMTP_*` settings.

use std::net::IpAddr;
use std::path::PathBuf;

use engine::EmailConfig;
use engine::email::{Mailer, RelayError, RelaySettings, SmtpTls};

use crate::config::Config;

/// Why the relay settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EmailSetupError {
    /// A setting the relay needs is missing.
    #[error("SUNDIAL_SMTP_HOST is set, so {0} is required")]
    Missing(&'static str),
    /// A user name without a password, or the other way round.
    #[error("SUNDIAL_SMTP_USERNAME and SUNDIAL_SMTP_PASSWORD (or _FILE) go together")]
    HalfCredentials,
    /// The CA file cannot be read.
    #[error("SUNDIAL_SMTP_CA_FILE {0}: {1}")]
    CaFile(PathBuf, std::io::Error),
    /// The settings do not make a relay.
    #[error("SMTP relay: {0}")]
    Relay(#[from] RelayError),
}

/// How email notices go out; `None` when no relay is configured.
pub fn email_config(config: &Config) -> Result<Option<EmailConfig>, EmailSetupError> {
    let Some(host) = config.smtp_host.as_deref().filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    let from = config
        .smtp_from
        .as_deref()
        .ok_or(EmailSetupError::Missing("SUNDIAL_SMTP_FROM"))?;
    let credentials = match (&config.smtp_username, &config.smtp_password) {
        (Some(user), Some(password)) => Some((user.as_str(), password.expose())),
        (None, None) => None,
        _ => return Err(EmailSetupError::HalfCredentials),
    };
    let ca_pem = config
        .smtp_ca_file
        .as_ref()
        .map(|path| std::fs::read(path).map_err(|e| EmailSetupError::CaFile(path.clone(), e)))
        .transpose()?;
    let tls = config.smtp_tls;
    if tls == SmtpTls::None && !is_loopback(host) {
        tracing::warn!(
            host,
            "SUNDIAL_SMTP_TLS=none sends notices to a relay that is not on this host in clear"
        );
    }
    let mailer = Mailer::new(RelaySettings {
        host,
        port: config.smtp_port.unwrap_or(tls.default_port()),
        tls,
        credentials,
        ca_pem: ca_pem.as_deref(),
        from,
    })?;
    tracing::info!(
        relay = host,
        tls = tls.as_str(),
        per_tenant_hour = config.notify_email_per_tenant_hour,
        "email notices go through an SMTP relay"
    );
    Ok(Some(EmailConfig {
        mailer,
        per_tenant_hour: config.notify_email_per_tenant_hour,
    }))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn relay() -> Config {
        Config {
            smtp_host: Some("127.0.0.1".into()),
            smtp_tls: SmtpTls::None,
            smtp_from: Some("Sundial <sundial@example.net>".into()),
            ..Config::default()
        }
    }

    #[test]
    fn no_host_is_no_relay_and_a_host_needs_a_sender_and_whole_credentials() {
        assert!(email_config(&Config::default()).unwrap().is_none());
        let email = email_config(&relay()).unwrap().unwrap();
        assert_eq!(email.per_tenant_hour, 100);
        assert_eq!(
            email.mailer.from().to_string(),
            "Sundial <sundial@example.net>"
        );
        let no_from = Config {
            smtp_from: None,
            ..relay()
        };
        assert!(matches!(
            email_config(&no_from),
            Err(EmailSetupError::Missing("SUNDIAL_SMTP_FROM"))
        ));
        let half = Config {
            smtp_username: Some("sundial".into()),
            ..relay()
        };
        assert!(matches!(
            email_config(&half),
            Err(EmailSetupError::HalfCredentials)
        ));
        let in_clear = Config {
            smtp_username: Some("sundial".into()),
            smtp_password: Some(Secret::new("pw")),
            ..relay()
        };
        assert!(matches!(
            email_config(&in_clear),
            Err(EmailSetupError::Relay(RelayError::ClearPassword))
        ));
        let missing_ca = Config {
            smtp_tls: SmtpTls::StartTls,
            smtp_ca_file: Some("/nonexistent/ca.pem".into()),
            ..relay()
        };
        let error = email_config(&missing_ca).unwrap_err().to_string();
        assert!(error.contains("SUNDIAL_SMTP_CA_FILE"), "{error}");
    }
}
