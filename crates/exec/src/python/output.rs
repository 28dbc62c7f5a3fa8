//! Turning the script's raw output bytes into safe log lines.

/// Makes one line of raw output safe to store and show: valid UTF-8 is kept, except control
/// characters (ANSI escapes, carriage returns, C1 controls), Unicode line separators and bidi
/// overrides, which are written as `\xNN` / `\u{NNNN}`; bytes that are not UTF-8 become `\xNN`.
/// Nothing the script prints can move a terminal's cursor, fake a new log line or reorder text
/// in a viewer.
pub fn escape_line(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for ch in chunk.valid().chars() {
            if needs_escape(ch) {
                push_escaped(&mut out, ch);
            } else {
                out.push(ch);
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

fn needs_escape(ch: char) -> bool {
    match ch {
        '\t' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // Arabic letter mark, LRM/RLM, line/paragraph separators, bidi embeddings and isolates.
        '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

fn push_escaped(out: &mut String, ch: char) {
    match ch {
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
    }
}

/// Splits a byte stream into lines of at most `max` bytes without ever holding more than that:
/// a flood without newlines costs a fixed buffer, not memory proportional to its size.
#[derive(Debug)]
pub struct LineSplitter {
    line: Vec<u8>,
    max: usize,
}

impl LineSplitter {
    /// A splitter emitting lines of at most `max` bytes (`max` ≥ 4 so a character fits).
    pub fn new(max: usize) -> Self {
        let max = max.max(4);
        Self {
            line: Vec::with_capacity(max.min(64 * 1024)),
            max,
        }
    }

    /// Feeds bytes; calls `emit` with each complete line (without its `\n`).
    pub fn push(&mut self, mut bytes: &[u8], mut emit: impl FnMut(&[u8])) {
        while !bytes.is_empty() {
            let room = self.max - self.line.len();
            let window = &bytes[..bytes.len().min(room)];
            if let Some(pos) = window.iter().position(|&b| b == b'\n') {
                self.line.extend_from_slice(&window[..pos]);
                emit(&self.line);
                self.line.clear();
                bytes = &bytes[pos + 1..];
            } else {
                self.line.extend_from_slice(window);
                bytes = &bytes[window.len()..];
                if self.line.len() >= self.max {
                    // Cut at a character boundary when one is near, so a split line does not
                    // show a character as escaped bytes on both sides.
                    let cut = utf8_boundary(&self.line);
                    let rest = self.line.split_off(cut);
                    emit(&self.line);
                    self.line = rest;
                }
            }
        }
    }

    /// The unterminated last line, if any.
    pub fn finish(&mut self) -> Option<Vec<u8>> {
        (!self.line.is_empty()).then(|| std::mem::take(&mut self.line))
    }
}

/// The length of the longest prefix of `line` that does not end inside a UTF-8 sequence
/// (`line.len()` if it does not, or if the tail is not UTF-8 anyway).
fn utf8_boundary(line: &[u8]) -> usize {
    for back in 1..=3.min(line.len()) {
        let i = line.len() - back;
        let b = line[i];
        if b & 0xC0 == 0x80 {
            continue; // continuation byte: keep looking for the lead byte
        }
        let needed = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return line.len(),
        };
        return if back < needed { i } else { line.len() };
    }
    line.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_ansi_bidi_and_invalid_bytes() {
        assert_eq!(escape_line(b"plain text\tok"), "plain text\tok");
        assert_eq!(escape_line(b"\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
        assert_eq!(escape_line(b"fake\rline"), "fake\\rline");
        assert_eq!(escape_line(b"\xff\xfe ok \xc3\xa9"), "\\xff\\xfe ok \u{e9}");
        assert_eq!(
            escape_line("a\u{202e}b\u{2028}".as_bytes()),
            "a\\u{202e}b\\u{2028}"
        );
        assert_eq!(escape_line(b"nul\0"), "nul\\x00");
        assert_eq!(escape_line("\u{85}".as_bytes()), "\\u{0085}");
    }

    #[test]
    fn splits_lines_and_caps_their_length() {
        let mut s = LineSplitter::new(8);
        let mut lines = Vec::new();
        s.push(b"ab\ncd", |l| lines.push(l.to_vec()));
        s.push(b"ef\n0123456789\n", |l| lines.push(l.to_vec()));
        assert_eq!(
            lines,
            vec![
                b"ab".to_vec(),
                b"cdef".to_vec(),
                b"01234567".to_vec(),
                b"89".to_vec()
            ]
        );
        assert_eq!(s.finish(), None);
        s.push(b"tail", |_| panic!("no newline yet"));
        assert_eq!(s.finish(), Some(b"tail".to_vec()));
    }

    #[test]
    fn a_split_keeps_characters_whole() {
        let mut s = LineSplitter::new(4);
        let mut lines = Vec::new();
        s.push("abcé\n".as_bytes(), |l| lines.push(l.to_vec()));
        assert_eq!(lines, vec![b"abc".to_vec(), "é".as_bytes().to_vec()]);
    }
}
