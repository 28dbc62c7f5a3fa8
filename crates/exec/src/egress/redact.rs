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

/// What replaces a secret value a target echoed back.
pub const ECHO_MASK: &str = "***";

/// Secrets shorter than this are not looked for in responses: they would match ordinary text.
pub const MIN_ECHO_CHARS: usize = 4;

/// The secret values a request carried (header and query values whose names mark them
/// secret), to mask wherever the target may echo them back: response excerpts in the result,
/// the log and `/status`. Each is looked for as sent, after its scheme (`Bearer x` as `x`
/// too), form-URL-encoded (as echoed in a URL) and JSON-escaped (as echoed in a JSON string).
#[derive(Debug, Clone, Default)]
pub struct EchoMask {
    /// The forms looked for, longest first, so a whole `Bearer x` is masked before its `x`.
    needles: Vec<String>,
}

impl EchoMask {
    /// The secret values among `values` (name, value).
    pub fn new<'a>(values: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut needles = Vec::new();
        for (name, value) in values {
            if !is_secret_name(name) {
                continue;
            }
            let mut forms = vec![value.trim().to_owned()];
            if let Some((_scheme, rest)) = value.trim().split_once(' ') {
                forms.push(rest.trim().to_owned());
            }
            for form in forms.clone() {
                forms.push(url::form_urlencoded::byte_serialize(form.as_bytes()).collect());
                let json = serde_json::to_string(&form).unwrap_or_default();
                let inner = json.strip_prefix('"').and_then(|j| j.strip_suffix('"'));
                forms.extend(inner.map(str::to_owned));
            }
            needles.extend(
                forms
                    .into_iter()
                    .filter(|f| f.chars().count() >= MIN_ECHO_CHARS),
            );
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup();
        Self { needles }
    }

    /// `text` with every echoed secret replaced by [`ECHO_MASK`]. With `cut` (the text is the
    /// start of something longer), a secret's first [`MIN_ECHO_CHARS`] or more bytes at its
    /// very end are masked too.
    pub fn apply(&self, text: &str, cut: bool) -> String {
        let mut out = text.to_owned();
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), ECHO_MASK);
            }
        }
        if cut {
            for needle in &self.needles {
                let partial = (MIN_ECHO_CHARS..needle.len())
                    .rev()
                    .filter(|&k| needle.is_char_boundary(k))
                    .map(|k| &needle[..k])
                    .find(|start| out.ends_with(start));
                if let Some(start) = partial {
                    out.truncate(out.len() - start.len());
                    out.push_str(ECHO_MASK);
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_secrets_are_masked_in_every_simple_form() {
        let mask = EchoMask::new([
            ("Authorization", "Bearer s3cr3t-token"),
            ("X-Api-Key", "k=1&2 \"q\""),
            ("accept", "text/plain"),
            ("x-token", "abc"),
        ]);
        assert_eq!(
            mask.apply(
                "auth=Bearer s3cr3t-token raw=s3cr3t-token text/plain abc url=k%3D1%262+%22q%22 \
                 json=\"k=1&2 \\\"q\\\"\"",
                false
            ),
            "auth=*** raw=*** text/plain abc url=*** json=\"***\""
        );
        assert_eq!(mask.apply("ends with s3cr3t-to", true), "ends with ***");
        assert_eq!(
            mask.apply("ends with s3cr3t-to", false),
            "ends with s3cr3t-to"
        );
        assert_eq!(mask.apply("nothing here", true), "nothing here");
    }

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
