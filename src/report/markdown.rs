//! The design-doc section (GitHub-flavoured Markdown). Issue #3 fills this in.

use crate::engine::Decision;
use crate::rules::Knowledge;

/// Renders one decision as a markdown section whose title is at `level`.
pub fn render(d: &Decision, _k: &Knowledge, level: u8) -> String {
    let h = "#".repeat(level.clamp(1, 6) as usize);
    format!(
        "{h} Real-time transport: {}\n\nRecommended: **{}**\n",
        d.name, d.recommendation.transport
    )
}
