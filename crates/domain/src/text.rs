//! Text that reaches people from tenants' tasks (log lines, response excerpts): bidirectional
//! controls are escaped so a line cannot reorder what is shown around it ("Trojan Source",
//! CVE-2021-42574): `a\u{202e}b` shows as the ten characters `a\u{202e}b`.

use std::borrow::Cow;

/// Whether `c` is a bidirectional formatting control: the embeddings and overrides
/// (U+202A–U+202E), the isolates (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// `text` with every bidirectional control written as its Rust escape (`\u{202e}`); borrowed
/// when there is none. Escaping twice changes nothing: the escapes are plain ASCII.
pub fn escape_bidi(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_bidi_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_are_escaped_and_everything_else_kept() {
        assert!(matches!(
            escape_bidi("plain ünïcode 每日"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            escape_bidi("a\u{202e}b\u{2066}c\u{2069}\u{200e}\u{200f}\u{202a}"),
            "a\\u{202e}b\\u{2066}c\\u{2069}\\u{200e}\\u{200f}\\u{202a}"
        );
        let once = escape_bidi("x\u{202d}y").into_owned();
        assert_eq!(escape_bidi(&once), once);
        for c in ['\u{2029}', '\u{2065}', '\u{206a}', '\u{200d}'] {
            assert!(!is_bidi_control(c), "{c:?}");
        }
    }
}
