//! Text from inputs made safe to show a person: control characters
//! escaped (a CN holding ESC or CR must not retitle a terminal or forge a
//! report line) and long values cut short (a 100 KB CN is not echoed
//! whole). JSON output keeps values as they are; JSON escapes them itself.

/// Longest value echoed in a message, in characters.
pub const ECHO_LIMIT: usize = 200;

/// Longest line of a message (an error or log line) in characters.
pub const LINE_LIMIT: usize = 1000;

/// `s` with control characters escaped (`\x1b`, `\r`, `\u{85}`) and cut
/// at [`ECHO_LIMIT`] characters, saying how long it was.
pub fn clip(s: &str) -> String {
    clip_to(s, ECHO_LIMIT)
}

/// As [`clip`], cut at `limit` characters.
pub fn clip_to(s: &str, limit: usize) -> String {
    let mut out = escape_controls(&s.chars().take(limit).collect::<String>());
    let total = s.chars().count();
    if total > limit {
        out.push_str(&format!("... ({total} characters)"));
    }
    out
}

/// A path (any bytes) as text for messages: UTF-8 as it is, each byte
/// that is not UTF-8 written `\xNN`, so two different names never print
/// the same (a lossy `\u{fffd}` would hide which file is meant).
pub fn path_text(path: &std::ffi::OsStr) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::with_capacity(path.len());
    for chunk in path.as_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// `s` with every control character (C0, DEL, C1) and the bidirectional
/// overrides escaped Rust-style; everything else unchanged.
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_show_bytes_that_are_not_utf8_escaped() {
        use std::os::unix::ffi::OsStrExt;
        let path = std::ffi::OsStr::from_bytes(b"pki/d\xff\xfe/ca.pem");
        assert_eq!(path_text(path), "pki/d\\xff\\xfe/ca.pem");
        assert_eq!(path_text(std::ffi::OsStr::new("caf\u{e9}")), "caf\u{e9}");
    }

    #[test]
    fn controls_are_escaped_and_long_values_cut() {
        assert_eq!(
            escape_controls("a\x1b]0;owned\x07b"),
            "a\\u{1b}]0;owned\\u{7}b"
        );
        assert_eq!(escape_controls("line\r\nforged"), "line\\r\\nforged");
        assert_eq!(escape_controls("plain é"), "plain é");
        let long = "x".repeat(100_000);
        let shown = clip(&long);
        assert!(shown.len() < 300, "{}", shown.len());
        assert!(shown.ends_with("(100000 characters)"), "{shown}");
    }
}
