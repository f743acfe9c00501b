//! Text that reaches a terminal: user and rule text (names, file names, ids) is
//! cleaned of everything that could move the cursor, restyle, hide or reorder
//! what the reader sees.

use std::borrow::Cow;

/// Characters that must never reach a terminal from user or rule text: C0 and C1
/// controls (ESC starts escape sequences), bidirectional controls (which make text
/// display in another order than it is), the Arabic letter mark, and zero-width
/// characters (which hide text or make two different names look the same).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{00AD}'
    )
}

/// `s` on one line with every unsafe character removed (line breaks and tabs
/// become spaces).
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
            .filter(|c| !is_unsafe(*c))
            .collect(),
    )
}

/// Like [`clean`], but keeps line breaks: for multi-line messages.
pub fn clean_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.split('\n')
            .map(|l| clean(l).into_owned())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// A source line for a snippet: each unsafe character replaced by `?` repeated
/// to its UTF-8 length, so byte offsets into the line stay valid.
pub fn mask_same_len(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\t' && is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c != '\t' && is_unsafe(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// True when `s` has nothing visible (empty, spaces, or only invisible characters).
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || is_unsafe(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_bidi_and_invisible_characters() {
        assert_eq!(clean("a\u{1b}[31mred\u{7}\u{202E}x"), "a[31mredx");
        assert_eq!(clean("x\u{061C}y\u{200B}z\u{FEFF}\u{9b}"), "xyz");
        assert_eq!(clean("two\nlines"), "two lines");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        assert_eq!(clean_lines("a\u{1b}b\nc"), "ab\nc");
    }

    #[test]
    fn masks_keep_byte_offsets() {
        let s = "a\u{202E}b\u{1b}c";
        let m = mask_same_len(s);
        assert_eq!(m.len(), s.len());
        assert_eq!(m, "a???b?c");
    }

    #[test]
    fn invisible_names_are_blank() {
        assert!(is_blank("\u{200B}"));
        assert!(is_blank(" \u{200D}\u{FEFF} "));
        assert!(!is_blank("a\u{200B}"));
    }
}
