//! Masking of secrets in what people see (logs, API output); execution keeps the real values.
//!
//! The rule itself (which names are secret, what a mask looks like) is `domain::secrets`, the
//! one place the API's masking of task configurations and versions uses too.

pub use domain::secrets::{for_display as header_for_display, is_secret_name, mask};
use url::Url;

/// The URL as it may be shown: credentials removed, secret-looking query values masked (the
/// mask is written as is, so the result is for reading, not for sending), fragment dropped.
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        let _ = shown.set_username("redacted");
        let _ = shown.set_password(None);
    }
    shown.set_fragment(None);
    shown.set_query(None);
    let Some(query) = url.query() else {
        return shown.to_string();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((key, value)) => {
                let decoded = |s: &str| {
                    url::form_urlencoded::parse(s.as_bytes())
                        .next()
                        .map(|(k, _)| k.into_owned())
                        .unwrap_or_default()
                };
                if is_secret_name(&decoded(key)) {
                    format!("{key}={}", mask(&decoded(value)))
                } else {
                    part.to_owned()
                }
            }
            None => part.to_owned(),
        })
        .collect();
    format!("{shown}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_secrets() {
        let url = Url::parse("https://api.example.com/x?page=2&api_key=abcdefghijklmnop&token=x")
            .unwrap();
        assert_eq!(
            redact_url(&url),
            "https://api.example.com/x?page=2&api_key=••••op&token=••••"
        );
        let plain = Url::parse("https://api.example.com/x?page=2").unwrap();
        assert_eq!(redact_url(&plain), "https://api.example.com/x?page=2");
        let creds = Url::parse("https://user:pw@api.example.com/").unwrap();
        assert!(!redact_url(&creds).contains("pw") && !redact_url(&creds).contains("user"));
    }
}
