//! `init [FILE]`: a commented starter profile.

use crate::cli::InitArgs;
use crate::fsx;
use crate::output::{emit, Failure, Outcome};
use crate::profile::{FieldKind, FieldSpec, CLIENTS, FIELDS};
use crate::rules::Knowledge;
use std::fmt::Write as _;
use std::io::Write as _;

pub fn init(a: InitArgs) -> Outcome {
    let k = Knowledge::embedded()?;
    let text = starter_profile(&k);
    let Some(path) = a.file else {
        return emit(&text);
    };
    let shown = crate::term::clean(&path.display().to_string()).into_owned();
    // Written whole through a temp file and a rename (or a hard link, which does
    // not clobber): a full disk or a file-size limit leaves no partial file.
    let written = if a.force {
        fsx::inspect(&path).and_then(|old| fsx::write_atomic(&path, text.as_bytes(), old.as_ref()))
    } else {
        fsx::write_new(&path, text.as_bytes())
    };
    written.map_err(|e| match e {
        fsx::FsError::Exists => Failure::Usage(format!(
            "{shown} already exists; pass --force to overwrite it"
        )),
        fsx::FsError::Io(e) => {
            Failure::Usage(format!("cannot write {shown}: {e}; nothing was written"))
        }
        e => Failure::Usage(format!("{shown}: {e}")),
    })?;
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "wrote {shown}; fill in what you know, then run: rtadvisor advise {shown}"
    );
    Ok(())
}

/// The starter profile: every field with its doc line; required fields filled in,
/// optional ones commented out so they stay unknown until answered.
pub fn starter_profile(k: &Knowledge) -> String {
    let mut out = String::from(
        "# rtadvisor workload profile v1\n\
         # Required fields are filled with examples: change them. Optional fields are\n\
         # commented out: a missing field is *unknown* (not a guess), and the report says\n\
         # which unknowns could change the answer. Uncomment what you know.\n\
         # Run: rtadvisor advise THIS_FILE   (rtadvisor schema gives editors a JSON Schema)\n",
    );
    for f in FIELDS {
        let _ = writeln!(out, "\n# {}{}", f.doc, choices(f, k));
        let value = example(f, k);
        if f.required {
            let _ = writeln!(out, "{}: {value}", f.name);
        } else {
            let _ = writeln!(out, "# {}: {value}", f.name);
        }
    }
    out
}

fn choices(f: &FieldSpec, k: &Knowledge) -> String {
    match f.kind {
        FieldKind::Choice(words) => format!("\n#   one of: {}", words.join(" | ")),
        FieldKind::Clients => format!("\n#   any of: {}", CLIENTS.join(", ")),
        FieldKind::Runtime => {
            let ids: Vec<&str> = k.runtimes.iter().map(|r| r.id.as_str()).collect();
            format!("\n#   one of: {}", wrap(&ids, "#   "))
        }
        FieldKind::Path => {
            let ids: Vec<&str> = k.hops.iter().map(|h| h.id.as_str()).collect();
            format!(
                "\n#   known hops: {}\n#   or inline: {{name: our-f5, idle_timeout_s: 300, buffers: true, websocket: false, http2: false}}",
                wrap(&ids, "#   ")
            )
        }
        _ => String::new(),
    }
}

/// Joins ids with commas, breaking lines near 88 columns.
fn wrap(ids: &[&str], indent: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
            if width + id.len() > 76 {
                out.push('\n');
                out.push_str(indent);
                out.push_str("  ");
                width = 0;
            } else {
                out.push(' ');
            }
        }
        out.push_str(id);
        width += id.len() + 2;
    }
    out
}

fn example(f: &FieldSpec, k: &Knowledge) -> String {
    let fixed = match f.name {
        "name" => Some("My real-time feature"),
        "direction" => Some("server-to-client"),
        "client_messages_per_minute" => Some("1"),
        "round_trip_ms" => Some("500"),
        "update_interval_s" => Some("2"),
        "max_delay_s" => Some("5"),
        "concurrent_clients" => Some("1000"),
        "streams_per_client" => Some("1"),
        "job_duration_s" => Some("30"),
        _ => None,
    };
    if let Some(v) = fixed {
        return v.to_string();
    }
    match f.kind {
        FieldKind::Text => "text".into(),
        FieldKind::Choice(words) => words.first().copied().unwrap_or("").to_string(),
        FieldKind::Number { .. } => "1".into(),
        FieldKind::Count { min } => min.max(1).to_string(),
        FieldKind::YesNo => "false".into(),
        FieldKind::Runtime => k
            .runtimes
            .first()
            .map_or_else(|| "container".into(), |r| r.id.to_string()),
        FieldKind::Path => {
            let first = k
                .hops
                .iter()
                .find(|h| h.id == "nginx")
                .or(k.hops.first())
                .map_or("nginx", |h| h.id.as_str());
            format!("[{first}]")
        }
        FieldKind::Clients => "[browser]".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::parse_profile;

    fn uncomment_all(text: &str) -> String {
        text.lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if FIELDS
                        .iter()
                        .any(|f| rest.starts_with(&format!("{}: ", f.name))) =>
                {
                    rest.to_string()
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn starter_parses_as_written_and_fully_uncommented() {
        let k = Knowledge::embedded().unwrap();
        let text = starter_profile(&k);
        let ids = k.hop_ids();
        let p = parse_profile(&text, &ids).unwrap();
        assert!(p.runtime.is_none() && p.path.is_none());
        let all = uncomment_all(&text);
        let full = parse_profile(&all, &ids).unwrap();
        assert!(full.runtime.is_some() && full.current_transport.is_some());
        for f in FIELDS {
            assert!(text.contains(f.doc), "{} has no doc line", f.name);
        }
    }
}
