//! Renderers: pure functions from a [`Decision`](crate::engine::Decision) to text.

pub mod explain;
pub mod json;
pub mod markdown;
pub mod table;

/// Removes control characters (ESC, BEL, …) from user text for terminal output.
pub fn strip_controls(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect()
}

/// Unicode bidirectional overrides can make text display differently from what it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_escape_sequences() {
        assert_eq!(
            super::strip_controls("a\u{1b}[31mred\u{7}\u{202E}x"),
            "a[31mredx"
        );
    }
}
