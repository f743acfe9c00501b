//! Renderers: pure functions from a [`Decision`](crate::engine::Decision) to text.

pub mod audit;
pub mod explain;
pub mod json;
pub mod markdown;
pub mod table;

/// Removes control characters (ESC, BEL, …), bidi controls and invisible
/// characters from user text for terminal output (see [`crate::term`]).
pub fn strip_controls(s: &str) -> String {
    crate::term::clean(s).into_owned()
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
