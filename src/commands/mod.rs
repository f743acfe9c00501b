//! One module per subcommand: advise, ask, doc, explain, matrix, platforms, rules,
//! init, probe, schema, completions, man. Each returns an [`Outcome`](crate::output::Outcome);
//! `app` only parses and dispatches.

mod advise;
pub mod ask;
mod completions;
pub mod doc;
mod explain;
mod init;
mod man;
mod matrix;
mod platforms;
pub mod probe;
mod rules;
mod schema;

pub use advise::{advise, no_viable_transport};
pub use completions::completions;
pub use explain::explain;
pub use init::{init, starter_profile};
pub use man::man;
pub use matrix::matrix;
pub use platforms::platforms;
pub use rules::rules;
pub use schema::{profile_schema, schema};

/// Escapes text for a GitHub-flavoured Markdown table cell: no pipes, no HTML, one line.
pub(crate) fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::report::strip_controls(text).chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// Collapses runs of whitespace (folded YAML text) into single spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_break_tables_or_inject_html() {
        assert_eq!(md_cell("a|b <i>&"), "a\\|b &lt;i&gt;&amp;");
        assert_eq!(md_cell("two\nlines"), "two lines");
    }
}
