//! `--save-hop FILE`: the measured path as an inline hop in a profile's `path`,
//! edited as text so the user's comments and layout stay, validated as a profile
//! before anything is written, and written through [`crate::fsx`] (regular files
//! only, atomic, owner and mode kept).

use crate::diag::{Diagnostic, Report, Source};
use crate::fsx;
use crate::output::Failure;
use crate::profile::{parse_profile, Hop, InlineHop};
use crate::rules::Knowledge;
use std::path::Path;

/// The default name of the hop the probe writes (and replaces on the next run).
pub const HOP_NAME: &str = "measured-path";

/// A hop name `--hop-name` accepts: it goes into YAML flow style unquoted.
pub fn valid_hop_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// Where `{name: NAME` starts in `text`, as a whole name (not a prefix of another).
fn find_hop(text: &str, name: &str) -> Option<usize> {
    let needle = format!("{{name: {name}");
    let mut from = 0;
    while let Some(i) = text[from..].find(&needle) {
        let at = from + i;
        let rest = text[at + needle.len()..].trim_start();
        if rest.starts_with(',') || rest.starts_with('}') {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

fn num(x: f64) -> String {
    format!("{x}")
}

/// The hop in YAML flow style, on one line.
pub fn hop_yaml(h: &InlineHop) -> String {
    let mut parts = vec![format!("name: {}", h.name)];
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{k}: {v}"));
        }
    };
    add("idle_timeout_s", h.idle_timeout_s.map(num));
    add("lifetime_s", h.lifetime_s.map(num));
    add("buffers", h.buffers.map(|b| b.to_string()));
    add("websocket", h.websocket.map(|b| b.to_string()));
    add("sse", h.sse.map(|b| b.to_string()));
    add("http2", h.http2.map(|b| b.to_string()));
    format!("{{{}}}", parts.join(", "))
}

/// Splits a line's value from a trailing ` # comment`.
fn split_comment(s: &str) -> (&str, &str) {
    match s.find(" #") {
        Some(i) => (&s[..i], &s[i..]),
        None if s.trim_start().starts_with('#') => ("", s),
        None => (s, ""),
    }
}

/// Removes a `{name: NAME …}` element from a flow list's inside.
fn drop_flow_hop(inner: &str, name: &str) -> String {
    let Some(start) = find_hop(inner, name) else {
        return inner.to_string();
    };
    let Some(len) = inner[start..].find('}') else {
        return inner.to_string();
    };
    let before = inner[..start].trim_end();
    let before = before.strip_suffix(',').unwrap_or(before);
    let after = inner[start + len + 1..].trim_start();
    let after = after.strip_prefix(',').unwrap_or(after);
    match (before.trim().is_empty(), after.trim().is_empty()) {
        (true, _) => after.trim().to_string(),
        (_, true) => before.to_string(),
        _ => format!("{before}, {}", after.trim()),
    }
}

/// Adds (or replaces) the hop in the profile text's `path`; with `replace_path`,
/// the hop becomes the whole path (comments stay).
pub fn insert_hop(text: &str, hop: &str, name: &str, replace_path: bool) -> Result<String, String> {
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(at) = lines.iter().position(|l| l.starts_with("path:")) else {
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(nl);
        }
        out.push_str(&format!("path:{nl}  - {hop}{nl}"));
        return Ok(out);
    };
    let line = lines[at].trim_end_matches('\n').trim_end_matches('\r');
    let (raw, comment) = split_comment(&line["path:".len()..]);
    let value = raw.trim();
    let lead = if raw.starts_with(char::is_whitespace) {
        &raw[..raw.len() - raw.trim_start().len()]
    } else {
        " "
    };
    let trail = &raw[raw.trim_end().len()..];
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
    if value.starts_with('[') && value.ends_with(']') {
        let inner = drop_flow_hop(&value[1..value.len() - 1], name);
        let inner = inner.trim();
        let list = if inner.is_empty() || replace_path {
            format!("[{hop}]")
        } else {
            format!("[{inner}, {hop}]")
        };
        out[at] = format!("path:{lead}{list}{trail}{comment}{nl}");
        return Ok(out.concat());
    }
    if !value.is_empty() {
        return Err(format!(
            "its `path:` is written in a form the probe does not edit (`{value}`); add this hop to the list by hand: {hop}"
        ));
    }
    // A block list: items are the indented (or `-`) lines that follow.
    let mut last = at;
    let mut indent: Option<String> = None;
    let mut existing: Option<usize> = None;
    for (i, l) in lines.iter().enumerate().skip(at + 1) {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let item = l.trim_start().starts_with('-');
        if !(l.starts_with(' ') || l.starts_with('\t') || item) {
            break;
        }
        if item && indent.is_none() {
            indent = Some(l[..l.len() - l.trim_start().len()].to_string());
        }
        if t.starts_with("- ") && find_hop(t, name) == Some(2) {
            existing = Some(i);
        }
        last = i;
    }
    let indent = indent.unwrap_or_else(|| "  ".into());
    let item = format!("{indent}- {hop}{nl}");
    if replace_path {
        let mut kept: Vec<String> = out[..=at].to_vec();
        kept.extend(
            out[at + 1..=last]
                .iter()
                .filter(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
                .cloned(),
        );
        if kept.last().is_some_and(|l| !l.ends_with('\n')) {
            kept.push(nl.to_string());
        }
        kept.push(item);
        kept.extend(out[last + 1..].iter().cloned());
        return Ok(kept.concat());
    }
    match existing {
        Some(i) => out[i] = item,
        None => {
            if !out[last].ends_with('\n') {
                out[last].push_str(nl);
            }
            out.insert(last + 1, item);
        }
    }
    Ok(out.concat())
}

fn problem(name: &str, msg: String, help: &str) -> Failure {
    Failure::Input(vec![Report {
        source: Source {
            name: name.to_string(),
            text: String::new(),
        },
        diagnostics: vec![Diagnostic::new(msg, None).help(help)],
    }])
}

/// Refuses a `--save-hop` file that is missing or not a valid profile.
pub fn check(path: &Path, k: &Knowledge) -> Result<(), Failure> {
    let name = path.display().to_string();
    let fail = |e: fsx::FsError| Failure::Usage(format!("--save-hop {name}: {e}"));
    // Symbolic links, FIFOs and devices are refused; the file must be writable.
    if let Some(meta) = fsx::inspect(path).map_err(fail)? {
        fsx::check_writable(path, &meta).map_err(fail)?;
    }
    if !path.is_file() {
        return Err(problem(
            &name,
            "--save-hop: no such profile to add the measured hop to".into(),
            "create one first with `rtadvisor init FILE` (or `rtadvisor ask --save FILE`)",
        ));
    }
    let (name, text) = crate::load::read_input(path).map_err(|r| Failure::Input(vec![r]))?;
    parse_profile(&text, &k.hop_ids())
        .map(|_| ())
        .map_err(|diagnostics| {
            Failure::Input(vec![Report {
                source: Source { name, text },
                diagnostics,
            }])
        })
}

/// Writes `hop` into the profile at `path`; nothing is written unless the result
/// loads as a valid profile with the hop last in its `path`.
pub fn save(
    path: &Path,
    hop: &InlineHop,
    replace_path: bool,
    k: &Knowledge,
) -> Result<(), Failure> {
    check(path, k)?;
    let (name, text) = crate::load::read_input(path).map_err(|r| Failure::Input(vec![r]))?;
    let new_text = insert_hop(&text, &hop_yaml(hop), &hop.name, replace_path).map_err(|m| {
        problem(
            &name,
            format!("cannot add the measured hop: {m}"),
            "edit the file by hand",
        )
    })?;
    let ok = match parse_profile(&new_text, &k.hop_ids()) {
        Ok(p) => p.path.as_ref().is_some_and(|path| {
            path.iter().any(|h| matches!(h, Hop::Inline(i) if i == hop))
                && (!replace_path || path.len() == 1)
        }),
        Err(_) => false,
    };
    if !ok {
        return Err(problem(
            &name,
            "adding the measured hop would not give a valid profile, so nothing was written".into(),
            &format!("add it to `path` by hand: {}", hop_yaml(hop)),
        ));
    }
    let fail = |e: fsx::FsError| Failure::Usage(format!("{name}: {e}"));
    let meta = fsx::inspect(path).map_err(fail)?;
    fsx::write_atomic(path, new_text.as_bytes(), meta.as_ref()).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOP: &str = "{name: measured-path, idle_timeout_s: 3, buffers: true}";

    #[test]
    fn adds_a_path_key_when_there_is_none() {
        assert_eq!(
            insert_hop("name: x\ndirection: server-to-client", HOP, HOP_NAME, false).ok(),
            Some(format!(
                "name: x\ndirection: server-to-client\npath:\n  - {HOP}\n"
            ))
        );
    }

    #[test]
    fn appends_to_a_flow_list_keeping_its_comment() {
        let t = "name: x\npath: [cloudflare, nginx]   # outermost first\nhttp2: true\n";
        assert_eq!(
            insert_hop(t, HOP, HOP_NAME, false).ok(),
            Some(format!(
                "name: x\npath: [cloudflare, nginx, {HOP}]   # outermost first\nhttp2: true\n"
            ))
        );
        assert_eq!(
            insert_hop("path: []\n", HOP, HOP_NAME, false).ok(),
            Some(format!("path: [{HOP}]\n"))
        );
    }

    #[test]
    fn appends_to_a_block_list_with_its_indentation_and_comments() {
        let t = "name: x\npath:\n    # the CDN\n    - cloudflare\n    - nginx\n\n# auth\nauth: cookie\n";
        assert_eq!(
            insert_hop(t, HOP, HOP_NAME, false).ok(),
            Some(format!("name: x\npath:\n    # the CDN\n    - cloudflare\n    - nginx\n    - {HOP}\n\n# auth\nauth: cookie\n"))
        );
    }

    #[test]
    fn a_second_run_replaces_the_measured_hop() {
        let newer = "{name: measured-path, idle_timeout_s: 60}";
        let flow = insert_hop(&format!("path: [nginx, {HOP}]\n"), newer, HOP_NAME, false).ok();
        assert_eq!(flow, Some(format!("path: [nginx, {newer}]\n")));
        let block = insert_hop(
            &format!("path:\n- nginx\n- {HOP}\nauth: none\n"),
            newer,
            HOP_NAME,
            false,
        )
        .ok();
        assert_eq!(
            block,
            Some(format!("path:\n- nginx\n- {newer}\nauth: none\n"))
        );
    }

    #[test]
    fn replace_path_makes_the_hop_the_whole_path_keeping_comments() {
        let flow = insert_hop("path: [cloudflare, nginx]  # edge\n", HOP, HOP_NAME, true).ok();
        assert_eq!(flow, Some(format!("path: [{HOP}]  # edge\n")));
        let t = "path:\n  # the CDN\n  - cloudflare\n  - name: our-f5\n    idle_timeout_s: 300\nauth: none\n";
        assert_eq!(
            insert_hop(t, HOP, HOP_NAME, true).ok(),
            Some(format!("path:\n  # the CDN\n  - {HOP}\nauth: none\n"))
        );
    }

    #[test]
    fn another_name_is_another_hop() {
        let office = "{name: office, idle_timeout_s: 60}";
        let t = format!("path: [{HOP}]\n");
        assert_eq!(
            insert_hop(&t, office, "office", false).ok(),
            Some(format!("path: [{HOP}, {office}]\n"))
        );
        // `measured-path-2` is not `measured-path`.
        let t = "path: [{name: measured-path-2}]\n";
        assert_eq!(
            insert_hop(t, HOP, HOP_NAME, false).ok(),
            Some(format!("path: [{{name: measured-path-2}}, {HOP}]\n"))
        );
        assert!(valid_hop_name("office-wifi_2.lte"));
        for bad in ["", "a b", "a,b", "{x}", "-x", "a:b"] {
            assert!(!valid_hop_name(bad), "{bad}");
        }
    }

    #[test]
    fn refuses_forms_it_does_not_edit() {
        assert!(insert_hop("path: [nginx,\n  aws-alb]\n", HOP, HOP_NAME, false).is_err());
    }

    #[test]
    fn keeps_crlf_line_endings() {
        assert_eq!(
            insert_hop("name: x\r\n", HOP, HOP_NAME, false).ok(),
            Some(format!("name: x\r\npath:\r\n  - {HOP}\r\n"))
        );
    }

    #[test]
    fn the_hop_line_is_yaml_the_profile_loader_reads() {
        let hop = InlineHop {
            name: HOP_NAME.into(),
            idle_timeout_s: Some(2.9),
            buffers: Some(false),
            http2: Some(false),
            ..InlineHop::default()
        };
        assert_eq!(
            hop_yaml(&hop),
            "{name: measured-path, idle_timeout_s: 2.9, buffers: false, http2: false}"
        );
    }
}
