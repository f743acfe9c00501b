//! `rules list`, `rules show ID`, `rules check DIR`.

use super::one_line;
use crate::cli::{ListFormat, RulesCommand};
use crate::diag::suggestion;
use crate::load::knowledge;
use crate::output::{emit, Failure, Outcome};
use crate::report::strip_controls;
use crate::rules::{check_dir, is_question_file, yaml_files, Knowledge, Rule};
use std::fmt::Write;

pub fn rules(r: RulesCommand) -> Outcome {
    match r {
        RulesCommand::List { format, rules } => {
            let k = knowledge(&rules)?;
            match format {
                ListFormat::Table => emit(&list(&k)),
                ListFormat::Json => crate::output::emit_plain(&list_json(&k)),
            }
        }
        RulesCommand::Vars { format } => match format {
            ListFormat::Table => emit(&vars()),
            ListFormat::Json => crate::output::emit_plain(&vars_json()),
        },
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
            let questions = check_question_files(&dir)?;
            let mut out = check_summary(&k, &dir.display().to_string());
            for (name, n) in questions {
                let _ = writeln!(
                    out,
                    "ok: {}: the interview's question file, {n} questions",
                    strip_controls(&name)
                );
            }
            emit(&out)
        }
    }
}

/// One row per rule: id, dimension, message, origin.
pub fn list(k: &Knowledge) -> String {
    let mut table = crate::report::terminal_table();
    table.set_header(vec!["id", "dimension", "message", "origin"]);
    for r in &k.rules {
        table.add_row(vec![
            r.id.to_string(),
            r.dimension.to_string(),
            strip_controls(&one_line(&r.message)),
            strip_controls(&r.origin.describe()),
        ]);
    }
    format!("{table}\n{} rules\n", k.rules.len())
}

/// Every rule as JSON: id, dimension, message, why, effects, sources, origin.
pub fn list_json(k: &Knowledge) -> String {
    let rules: Vec<serde_json::Value> = k
        .rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "dimension": r.dimension,
                "message": one_line(&r.message),
                "why": one_line(&r.why),
                "score": r.score.iter().map(|(t, p)| (t.clone(), *p)).collect::<std::collections::BTreeMap<_, _>>(),
                "veto": r.veto,
                "add_ons": r.add_ons,
                "gotcha": r.gotcha.as_ref().map(|g| g.id.clone()),
                "only_for": r.only_for,
                "per_hop": r.per_hop,
                "sources": r.sources,
                "origin": r.origin.describe(),
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&rules).unwrap_or_default();
    s.push('\n');
    s
}

fn var_type(t: &crate::rules::vars::VarType) -> String {
    use crate::rules::vars::VarType;
    match t {
        VarType::Num => "number".into(),
        VarType::Bool => "true | false".into(),
        VarType::Word(words) => words.join(" | "),
        VarType::Id => "a runtime or hop id".into(),
        VarType::IdList => "a list of hop ids".into(),
        VarType::WordList(words) => format!("a list of: {}", words.join(", ")),
        #[allow(unreachable_patterns)]
        _ => "text".into(),
    }
}

fn var_scope(s: &crate::rules::vars::Scope) -> &'static str {
    match s {
        crate::rules::vars::Scope::Profile => "profile",
        crate::rules::vars::Scope::Hop => "each hop (foreach: hop rules)",
    }
}

/// The variables conditions (`when:`) and texts (`{name}`) may use.
pub fn vars() -> String {
    let mut t = crate::report::terminal_table();
    t.set_header(vec!["variable", "type", "scope", "meaning"]);
    for v in crate::rules::vars::VARS {
        t.add_row(vec![
            v.name.to_string(),
            var_type(&v.ty),
            var_scope(&v.scope).to_string(),
            v.doc.to_string(),
        ]);
    }
    format!(
        "{t}
{} variables; use them in `when:` conditions and as {{placeholders}} in rule texts (docs/rules.md)\n",
        crate::rules::vars::VARS.len()
    )
}

pub fn vars_json() -> String {
    let vars: Vec<serde_json::Value> = crate::rules::vars::VARS
        .iter()
        .map(|v| {
            serde_json::json!({
                "name": v.name,
                "type": var_type(&v.ty),
                "scope": var_scope(&v.scope),
                "fields": v.fields,
                "doc": v.doc,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&vars).unwrap_or_default();
    s.push('\n');
    s
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

/// The question files of a rules folder (`questions.yaml`), each checked as `ask`
/// reads it: (file, number of questions), or every problem in every one.
fn check_question_files(dir: &std::path::Path) -> Result<Vec<(String, usize)>, Failure> {
    let paths = yaml_files(dir)
        .map_err(|e| Failure::Usage(format!("{}: cannot read rules folder: {e}", dir.display())))?;
    let mut ok = Vec::new();
    let mut reports = Vec::new();
    for p in paths {
        let Ok(text) = crate::input::read_text(&p) else {
            continue; // check_dir has read every file already, and said why not
        };
        if !is_question_file(&text) {
            continue;
        }
        let name = p.display().to_string();
        let source = crate::diag::Source {
            name: name.clone(),
            text,
        };
        match super::ask::questions::check_file(source) {
            Ok(n) => ok.push((name, n)),
            Err(r) => reports.push(r),
        }
    }
    if reports.is_empty() {
        Ok(ok)
    } else {
        Err(Failure::Input(reports))
    }
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
