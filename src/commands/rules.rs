//! `rules list`, `rules show ID`, `rules check DIR`.

use super::one_line;
use crate::app::{emit, knowledge, Failure, Outcome};
use crate::cli::RulesCommand;
use crate::diag::suggestion;
use crate::report::strip_controls;
use crate::rules::{check_dir, Knowledge, Rule};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use std::fmt::Write;

pub fn rules(r: RulesCommand) -> Outcome {
    match r {
        RulesCommand::List(arg) => emit(&list(&knowledge(&arg)?)),
        RulesCommand::Show { id, rules } => {
            let k = knowledge(&rules)?;
            emit(&show(&k, &id)?)
        }
        RulesCommand::Check { dir } => {
            if !dir.is_dir() {
                return Err(Failure::Usage(format!(
                    "{}: not a folder of rule files",
                    dir.display()
                )));
            }
            let k = check_dir(&dir)?;
            emit(&check_summary(&k, &dir.display().to_string()))
        }
    }
}

/// One row per rule: id, dimension, message, origin.
pub fn list(k: &Knowledge) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    if table.width().is_none() {
        table.set_width(120);
    }
    table.set_header(vec!["id", "dimension", "message", "origin"]);
    for r in &k.rules {
        table.add_row(vec![
            r.id.clone(),
            r.dimension.clone(),
            strip_controls(&one_line(&r.message)),
            strip_controls(&r.origin.describe()),
        ]);
    }
    format!("{table}\n{} rules\n", k.rules.len())
}

/// Everything about one rule; an unknown id is a usage error with a suggestion.
pub fn show(k: &Knowledge, id: &str) -> Result<String, Failure> {
    let Some(r) = k.rule(id) else {
        return Err(Failure::Usage(format!(
            "unknown rule `{}`; {}",
            strip_controls(id),
            suggestion(id, k.rules.iter().map(|r| r.id.as_str()))
        )));
    };
    Ok(render_rule(k, r))
}

fn render_rule(k: &Knowledge, r: &Rule) -> String {
    let mut out = String::new();
    let clean = |s: &str| strip_controls(&one_line(s));
    let _ = writeln!(
        out,
        "{}  ({}, {})",
        r.id,
        r.dimension,
        clean(&r.origin.describe())
    );
    let _ = writeln!(out, "{}\n", clean(&r.message));
    let _ = writeln!(out, "why:\n  {}\n", clean(&r.why));
    let _ = writeln!(out, "when:     {}", clean(&r.when.describe()));
    if r.per_hop {
        let _ = writeln!(out, "foreach:  hop (evaluated once per hop on the path)");
    }
    if !r.score.is_empty() {
        let parts: Vec<String> = r.score.iter().map(|(t, p)| format!("{t} {p:+}")).collect();
        let _ = writeln!(out, "score:    {}", parts.join(", "));
    }
    if !r.veto.is_empty() {
        let _ = writeln!(out, "veto:     {}", r.veto.join(", "));
    }
    if !r.only_for.is_empty() {
        let _ = writeln!(out, "for:      {}", r.only_for.join(", "));
    }
    if !r.add_ons.is_empty() {
        let _ = writeln!(out, "add-ons:  {}", r.add_ons.join(", "));
    }
    if let Some(g) = &r.gotcha {
        let _ = writeln!(out, "gotcha:   {}: {}", clean(&g.id), clean(&g.text));
        let _ = writeln!(out, "  fix:    {}", clean(&g.fix));
    }
    let _ = writeln!(out, "sources:");
    for s in &r.sources {
        match k.source(s) {
            Some(info) => {
                let _ = writeln!(
                    out,
                    "  - {}: {} <{}> (checked {}{})",
                    info.id,
                    clean(&info.title),
                    clean(&info.url),
                    clean(&info.checked),
                    if info.confidence == "primary" {
                        String::new()
                    } else {
                        format!(", {}", info.confidence)
                    }
                );
            }
            None => {
                let _ = writeln!(out, "  - {}", clean(s));
            }
        }
    }
    out
}

/// The success line of `rules check`.
pub fn check_summary(k: &Knowledge, dir: &str) -> String {
    let own = |o: &crate::rules::Origin| !o.is_default();
    let own_rules = k.rules.iter().filter(|r| own(&r.origin)).count();
    let own_hops = k.hops.iter().filter(|h| own(&h.origin)).count();
    let own_runtimes = k.runtimes.iter().filter(|r| own(&r.origin)).count();
    let own_sources = k.sources.iter().filter(|s| own(&s.origin)).count();
    format!(
        "ok: {} rules ({own_rules} from {}), {} runtimes ({own_runtimes} from it), {} hops ({own_hops} from it), {} sources ({own_sources} from it), {} transports, {} add-ons\n",
        k.rules.len(),
        strip_controls(dir),
        k.runtimes.len(),
        k.hops.len(),
        k.sources.len(),
        k.transports.len(),
        k.add_ons.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_rule_shows_its_sources() {
        let k = Knowledge::embedded().unwrap();
        for r in &k.rules {
            let text = show(&k, &r.id).unwrap();
            assert!(text.contains("checked "), "{}", r.id);
            assert!(text.contains("when:"), "{}", r.id);
        }
    }

    #[test]
    fn unknown_rule_suggests_a_close_id() {
        let k = Knowledge::embedded().unwrap();
        let Err(Failure::Usage(msg)) = show(&k, "one-way-trafic") else {
            panic!("expected a usage error");
        };
        assert!(msg.contains("did you mean `one-way-traffic`"), "{msg}");
    }
}

#[cfg(test)]
mod doc_tests {
    #[test]
    fn docs_list_every_variable_and_operator() {
        let doc = include_str!("../../docs/rules.md");
        for v in crate::rules::vars::VARS {
            assert!(
                doc.contains(&format!("| `{}` |", v.name)),
                "docs/rules.md has no row for variable `{}`",
                v.name
            );
        }
        for op in [
            "eq", "ne", "in", "gt", "gte", "lt", "lte", "contains", "known", "all", "any", "not",
        ] {
            assert!(
                doc.contains(&format!("`{op}")) || doc.contains(&format!("{op}:")),
                "{op}"
            );
        }
        for section in crate::rules::DIMENSIONS {
            assert!(doc.contains(section), "{section}");
        }
    }
}
