//! JSON output v1: one object for one profile, an array for several (input order).

use crate::engine::Decision;

pub fn render(decisions: &[Decision]) -> String {
    let text = match decisions {
        [one] => serde_json::to_string_pretty(one),
        many => serde_json::to_string_pretty(many),
    };
    let mut out = text.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}
