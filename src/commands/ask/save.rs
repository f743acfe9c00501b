//! Writing the answers as a commented profile v1 that `advise` reads unchanged.

use crate::profile::{Profile, FIELDS, HOP_FIELDS};
use serde_json::Value as Json;
use std::fmt::Write;

/// A YAML scalar or flow list for one answered value.
fn yaml_value(v: &Json) -> String {
    match v {
        // A JSON string is a valid YAML double-quoted scalar; quote only when needed.
        Json::String(s) if is_plain(s) => s.clone(),
        Json::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(yaml_value).collect::<Vec<_>>().join(", ")
        ),
        // An inline hop, as SPEC.md writes one: {name: our-f5, idle_timeout_s: 300, …}.
        Json::Object(map) => {
            let order = |k: &str| {
                HOP_FIELDS
                    .iter()
                    .position(|(f, _)| *f == k)
                    .unwrap_or(usize::MAX)
            };
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| order(k));
            let fields: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}: {}", yaml_value(&map[*k])))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        // 3600, not 3600.0.
        Json::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Ids and enum words (`aws-alb`, `server-to-client`) need no quotes.
fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !matches!(
            s,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        )
}

/// The profile as commented YAML: a header, each answered field with its doc as a
/// trailing comment, and the unanswered fields listed as comments.
pub fn profile_yaml(p: &Profile, header: &str) -> String {
    let v = serde_json::to_value(p).unwrap_or(Json::Null);
    let mut answered: Vec<(&str, String, &str)> = Vec::new();
    let mut unknown: Vec<(&str, &str)> = Vec::new();
    for f in FIELDS {
        match v.get(f.name).filter(|x| !x.is_null()) {
            Some(x) => answered.push((f.name, yaml_value(x), f.doc)),
            None => unknown.push((f.name, f.doc)),
        }
    }
    let width = answered
        .iter()
        .map(|(n, val, _)| n.len() + 2 + val.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    out.push('\n');
    for (name, val, doc) in &answered {
        let entry = format!("{name}: {val}");
        let _ = writeln!(out, "{entry:<width$}  # {doc}");
    }
    if !unknown.is_empty() {
        let _ = writeln!(
            out,
            "\n# Not answered (unknown, not a default; add them if you learn them):"
        );
        let w = unknown.iter().map(|(n, _)| n.len()).max().unwrap_or(0) + 1;
        for (name, doc) in unknown {
            let entry = format!("{name}:");
            let _ = writeln!(out, "# {entry:<w$}  {doc}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{parse_profile, Direction, Hop};
    use crate::rules::Knowledge;

    #[test]
    fn saved_profiles_parse_back_unchanged() {
        let k = Knowledge::embedded().unwrap();
        let mut p = Profile::new(
            "Chat: \"tokens\" # not a comment\n\t\u{1b}[31m",
            Direction::ServerToClient,
        );
        p.update_interval_s = Some(0.05);
        p.max_delay_s = Some(2.0);
        p.job_duration_s = Some(3600.0);
        p.client_messages_per_minute = Some(0.0);
        p.runtime = Some("vercel-edge".into());
        p.path = Some(vec![
            Hop::Known("cloudflare".into()),
            Hop::Known("nginx".into()),
        ]);
        p.concurrent_clients = Some(5000);
        p.http2 = Some(true);
        p.clients = Some(vec![crate::profile::Client::Browser]);
        let text = profile_yaml(&p, "header line one\nline two");
        assert!(text.starts_with("# header line one\n# line two\n"));
        assert!(text.contains("# Not answered"));
        assert!(text.contains("# payload:"));
        assert!(text.contains("job_duration_s: 3600 "), "{text}");
        assert!(text.contains("update_interval_s: 0.05 "), "{text}");
        let back = parse_profile(&text, &k.hop_ids()).unwrap();
        assert_eq!(back, p, "{text}");
    }

    #[test]
    fn an_empty_path_is_saved_as_an_empty_list() {
        let k = Knowledge::embedded().unwrap();
        let mut p = Profile::new("yes", Direction::Bidirectional);
        p.path = Some(Vec::new());
        let text = profile_yaml(&p, "h");
        assert!(text.contains("name: \"yes\""), "{text}");
        assert_eq!(parse_profile(&text, &k.hop_ids()).unwrap(), p, "{text}");
    }
}
