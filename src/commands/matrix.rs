//! `matrix`: the SSE vs WebSocket (vs polling vs queue) comparison from `rules/`.

use super::md_cell;
use crate::cli::{Format, MatrixArgs};
use crate::load::knowledge;
use crate::output::{emit, Outcome};
use crate::report::strip_controls;
use crate::rules::{Knowledge, TransportInfo};
use std::fmt::Write;

pub fn matrix(a: MatrixArgs) -> Outcome {
    let k = knowledge(&a.rules)?;
    let text = match a.format {
        Format::Table => table(&k),
        Format::Markdown => markdown(&k),
        Format::Json => json(&k),
    };
    emit(&text)
}

/// The transports that have at least one cell, in knowledge order.
fn columns(k: &Knowledge) -> Vec<&TransportInfo> {
    k.transports
        .iter()
        .filter(|t| {
            k.comparison
                .iter()
                .any(|row| row.cells.iter().any(|(id, _)| *id == t.id))
        })
        .collect()
}

fn cell<'a>(row: &'a crate::rules::ComparisonRow, transport: &str) -> &'a str {
    row.cells
        .iter()
        .find(|(id, _)| id == transport)
        .map_or("", |(_, text)| text.as_str())
}

pub fn table(k: &Knowledge) -> String {
    let cols = columns(k);
    let mut t = crate::report::terminal_table();
    let mut header = vec![String::new()];
    header.extend(cols.iter().map(|c| strip_controls(&c.name)));
    t.set_header(header);
    for row in &k.comparison {
        let mut cells = vec![strip_controls(&row.dimension)];
        cells.extend(cols.iter().map(|c| strip_controls(cell(row, &c.id))));
        t.add_row(cells);
    }
    format!("{t}\n")
}

pub fn markdown(k: &Knowledge) -> String {
    let cols = columns(k);
    let mut out = String::new();
    let _ = write!(out, "| |");
    for c in &cols {
        let _ = write!(out, " {} |", md_cell(&c.name));
    }
    let _ = write!(out, "\n|---|");
    for _ in &cols {
        let _ = write!(out, "---|");
    }
    out.push('\n');
    let mut cited: Vec<&str> = Vec::new();
    for row in &k.comparison {
        let _ = write!(out, "| **{}** |", md_cell(&row.dimension));
        for c in &cols {
            let _ = write!(out, " {} |", md_cell(cell(row, &c.id)));
        }
        out.push('\n');
        for s in &row.sources {
            if !cited.contains(&s.as_str()) {
                cited.push(s);
            }
        }
    }
    if !cited.is_empty() {
        out.push_str("\nSources:\n\n");
        for id in cited {
            if let Some(s) = k.source(id) {
                let _ = writeln!(
                    out,
                    "- [{}](<{}>) (checked {})",
                    md_cell(&s.title).replace(['[', ']'], ""),
                    s.url.replace(['<', '>', ' '], ""),
                    md_cell(&s.checked)
                );
            }
        }
    }
    out
}

pub fn json(k: &Knowledge) -> String {
    let rows: Vec<serde_json::Value> = k
        .comparison
        .iter()
        .map(|row| {
            let cells: serde_json::Map<String, serde_json::Value> = row
                .cells
                .iter()
                .map(|(id, text)| (id.to_string(), serde_json::Value::String(text.to_string())))
                .collect();
            serde_json::json!({
                "dimension": row.dimension,
                "cells": cells,
                "sources": row.sources,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_every_row() {
        let k = Knowledge::embedded().unwrap();
        let md = markdown(&k);
        let tbl = table(&k);
        let v: serde_json::Value = serde_json::from_str(&json(&k)).unwrap();
        assert_eq!(v.as_array().unwrap().len(), k.comparison.len());
        for row in &k.comparison {
            assert!(md.contains(&md_cell(&row.dimension)), "{}", row.dimension);
            assert!(tbl.contains(row.dimension.split(' ').next().unwrap()));
        }
        let header = md.lines().next().unwrap();
        assert!(
            header.contains("WebSocket") || header.contains("websocket"),
            "{header}"
        );
        let cols = header.matches('|').count();
        for line in md.lines().take_while(|l| l.starts_with('|')) {
            assert_eq!(line.replace("\\|", "").matches('|').count(), cols, "{line}");
        }
    }
}
