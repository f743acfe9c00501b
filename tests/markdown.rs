//! The design-doc section: snapshots (concise and full), the concise budget and
//! markdownlint's line length on every fixture, the HTML it renders to, escaping.

use assert_cmd::Command;
use pulldown_cmark::{html, Event, Options, Parser, Tag};
use std::path::Path;

fn markdown(args: &[&str]) -> String {
    let out = Command::cargo_bin("rtadvisor")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("advise")
        .args(args)
        .args(["--format", "markdown"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn fixture(name: &str) -> String {
    markdown(&[&format!("fixtures/{name}.yaml")])
}

/// The section `doc PROFILE --into DOC EXTRA...` writes, markers left out.
/// The profile is copied beside the doc, so the section names it by its file name.
fn doc_section(profile: &Path, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("d.md");
    let name = profile.file_name().unwrap();
    std::fs::copy(profile, dir.path().join(name)).unwrap();
    Command::cargo_bin("rtadvisor")
        .unwrap()
        .current_dir(dir.path())
        .arg("doc")
        .arg(name)
        .arg("--into")
        .arg("d.md")
        .args(extra)
        .assert()
        .success();
    let text = std::fs::read_to_string(&into).unwrap();
    let start = text.find("-->\n\n").unwrap() + 5;
    let end = text.rfind("\n<!-- rtadvisor:end -->").unwrap();
    text[start..end].to_string()
}

/// The long form of a fixture's section (`--detail full`).
fn full(name: &str, extra: &[&str]) -> String {
    let profile = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/{name}.yaml"));
    let mut args = vec!["--detail", "full"];
    args.extend_from_slice(extra);
    doc_section(&profile, &args)
}

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
    names.sort();
    assert!(names.len() >= 30, "{names:?}");
    names
}

/// What every concise section must look like, whatever the workload.
fn assert_well_formed(md: &str) {
    assert_shape(md, 3);
}

/// The shape of a section whose table has `columns` columns.
fn assert_shape(md: &str, columns: usize) {
    assert!(
        md.ends_with('\n') && !md.ends_with("\n\n"),
        "one trailing newline"
    );
    assert!(!md.contains("\n\n\n"), "no double blank lines");
    assert!(!md.contains('\r') && !md.contains('\u{1b}'));
    for line in md.lines() {
        assert_eq!(line, line.trim_end(), "trailing spaces in {line:?}");
    }
    let lines: Vec<&str> = md.lines().collect();
    let mut fenced = false;
    for (i, line) in lines.iter().enumerate() {
        // Inside a code block (the path diagram) a line is code, not Markdown.
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if line.starts_with('#') {
            assert!(i == 0 || lines[i - 1].is_empty(), "blank before {line:?}");
            assert!(
                lines.get(i + 1).is_none_or(|l| l.is_empty()),
                "blank after {line:?}"
            );
        }
        if line.starts_with('|') {
            assert_eq!(
                line.matches(" | ").count() + 1,
                columns,
                "{columns} columns: {line:?}"
            );
        }
    }
}

#[test]
fn ai_chat_tokens() {
    let md = fixture("ai-chat-tokens");
    assert_well_formed(&md);
    insta::assert_snapshot!(md);
}

#[test]
fn poker_table() {
    let md = fixture("poker-table");
    assert_well_formed(&md);
    insta::assert_snapshot!(md);
}

#[test]
fn invoice_pdf_export() {
    let md = fixture("invoice-pdf-export");
    assert_well_formed(&md);
    insta::assert_snapshot!(md);
}

#[test]
fn custom_f5_hop() {
    let md = fixture("custom-f5-hop");
    assert_well_formed(&md);
    insta::assert_snapshot!(md);
}

#[test]
fn azure_front_door_notifications() {
    let md = fixture("azure-front-door-notifications");
    assert_well_formed(&md);
    insta::assert_snapshot!(md);
}

#[test]
fn ai_chat_tokens_full() {
    let md = full("ai-chat-tokens", &[]);
    assert_shape(&md, 5);
    insta::assert_snapshot!(md);
}

#[test]
fn heading_level_moves_every_heading() {
    // The concise section has one heading, the title.
    let md = markdown(&["fixtures/ai-chat-tokens.yaml", "--heading-level", "4"]);
    assert!(md.starts_with("#### Real-time transport: Chat assistant token stream\n"));
    assert_eq!(md.lines().filter(|l| l.starts_with('#')).count(), 1);
    // The full form's subsections follow the title's level.
    let md = full("ai-chat-tokens", &["--heading-level", "4"]);
    assert!(md.starts_with("#### Real-time transport: Chat assistant token stream\n"));
    assert!(md.contains("\n##### Decision\n"));
    assert!(!md.contains("\n###### "));
    let md = full("ai-chat-tokens", &["--heading-level", "6"]);
    assert!(!md.contains("####### "), "never deeper than 6");
}

#[test]
fn same_input_same_bytes() {
    assert_eq!(fixture("custom-f5-hop"), fixture("custom-f5-hop"));
}

#[test]
fn pros_and_cons_come_from_the_fired_rules() {
    let md = full("custom-f5-hop", &[]);
    let ws = md
        .lines()
        .find(|l| l.starts_with("| WebSockets"))
        .expect("a websocket row");
    assert!(ws.contains("vetoed by `path-blocks-websockets`"), "{ws}");
    assert!(ws.contains("**veto**: A hop on the path does not pass the WebSocket Upgrade."));
    let sse = md.lines().find(|l| l.starts_with("| Server-Sent")).unwrap();
    assert!(
        sse.contains("**recommended**") && sse.contains("(+3)"),
        "{sse}"
    );
    // The concise table gives each option one verdict from the same rules.
    let md = fixture("custom-f5-hop");
    let ws = md.lines().find(|l| l.starts_with("| WebSockets")).unwrap();
    assert!(
        ws.ends_with("| vetoed: A hop on the path does not pass the WebSocket Upgrade. |"),
        "{ws}"
    );
    let sse = md.lines().find(|l| l.starts_with("| Server-Sent")).unwrap();
    assert!(sse.ends_with("| **chosen** |"), "{sse}");
}

#[test]
fn several_profiles_make_one_document_without_duplicate_headings() {
    let md = markdown(&[
        "fixtures/ai-chat-tokens.yaml",
        "fixtures/ai-chat-tokens.yaml",
        "fixtures/poker-table.yaml",
    ]);
    assert_well_formed(&md);
    assert!(md.starts_with("## Real-time transport decisions (3 profiles)\n"));
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
    let mut unique = headings.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), headings.len(), "{headings:#?}");
}

const HOSTILE_NAME: &str = "a|b <script>alert(1)</script> \u{1b}[31m";
const HOSTILE_HOP: &str = "f5|x <img src=x onerror=alert(1)> `*_[y]";

#[test]
fn user_text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("hostile.yaml");
    let yaml = format!(
        "name: {}\ndirection: server-to-client\nupdate_interval_s: 5\nmax_delay_s: 5\nruntime: container\n\
         path: [{{name: {}, idle_timeout_s: 30, buffers: true, websocket: false}}, nginx]\n",
        serde_json::to_string(HOSTILE_NAME).unwrap(),
        serde_json::to_string(HOSTILE_HOP).unwrap(),
    );
    std::fs::write(&profile, yaml).unwrap();
    let concise = markdown(&[profile.to_str().unwrap()]);
    assert_well_formed(&concise);
    assert!(concise.starts_with(
        "## Real-time transport: a\\|b &lt;script&gt;alert(1)&lt;/script&gt; \\[31m\n"
    ));
    for bad in ["<script", "<img", "\u{1b}"] {
        assert!(!concise.contains(bad), "{bad} in the concise section");
    }
    for line in concise.lines().filter(|l| l.starts_with('|')) {
        let unescaped_pipes =
            line.len() - line.replace('|', "").len() - line.matches("\\|").count();
        assert_eq!(unescaped_pipes, 4, "{line}");
    }

    let md = doc_section(&profile, &["--detail", "full"]);
    assert_shape(&md, 5);

    assert!(!md.contains("<script"), "no HTML tag from the name");
    assert!(!md.contains("<img"), "no HTML tag from the hop name");
    assert!(!md.contains('\u{1b}'), "control characters removed");
    assert!(md.starts_with(
        "## Real-time transport: a\\|b &lt;script&gt;alert(1)&lt;/script&gt; \\[31m\n"
    ));
    let hop = "f5\\|x &lt;img src=x onerror=alert(1)&gt; \\`\\*\\_\\[y\\]";
    // Prose is wrapped at 80 columns: look for the texts with line breaks as spaces.
    let flat = md.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!("first: {hop} (described in the profile")),
        "drivers"
    );
    assert!(
        flat.contains(&format!(": {hop} buffers responses by default")),
        "gotchas"
    );
    // Every table row keeps its five cells.
    for line in md.lines().filter(|l| l.starts_with('|')) {
        let unescaped_pipes =
            line.len() - line.replace('|', "").len() - line.matches("\\|").count();
        assert_eq!(unescaped_pipes, 6, "{line}");
    }
}

/// Lines markdownlint's MD013 (line length 80, not strict) would flag: longer than
/// 80 once the last run of non-space characters counts as one (so a long URL at
/// the end is allowed). Table rows are exempt (`tables: false` in the CI config).
fn too_long(md: &str) -> Vec<String> {
    md.lines()
        .filter(|l| !l.starts_with('|'))
        .filter(|l| {
            let head = l.trim_end_matches(|c: char| !c.is_whitespace());
            let counted = head.chars().count() + usize::from(head.len() < l.len());
            counted > 80
        })
        .map(str::to_string)
        .collect()
}

/// The words a reader reads: the text of the rendered section (URLs excluded).
fn rendered_words(md: &str) -> usize {
    use pulldown_cmark::{CodeBlockKind, Tag, TagEnd};
    let mut text = String::new();
    let mut picture = false;
    for e in Parser::new_ext(md, Options::all()) {
        match e {
            // A Mermaid block is read as the picture it draws, not as words.
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if &*lang == "mermaid" => {
                picture = true
            }
            Event::End(TagEnd::CodeBlock) => picture = false,
            Event::Text(_) if picture => {}
            Event::Text(t) | Event::Code(t) => {
                text.push_str(&t);
                text.push(' ');
            }
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().count()
}

#[test]
fn concise_sections_fit_the_budget_on_every_fixture() {
    let mut report = Vec::new();
    for name in fixture_names() {
        let md = fixture(&name);
        assert_well_formed(&md);
        // The budget is what a reader reads: the path diagram's Mermaid source is
        // shown as a picture, so its lines are not counted, but kept small.
        let lines = rtadvisor::report::markdown::reading_lines(&md).len();
        let diagram = md.lines().count() - lines;
        let words = rendered_words(&md);
        report.push(format!(
            "{name}: {lines} lines (+{diagram} of diagram source), {words} words"
        ));
        assert!(lines <= 40, "{name}: {lines} lines\n{md}");
        assert!(
            diagram <= 30,
            "{name}: {diagram} lines of diagram source\n{md}"
        );
        assert!(words <= 450, "{name}: {words} words\n{md}");
        assert!(
            rtadvisor::report::markdown::count_words(&md) <= 450,
            "{name}: over the renderer's own word count"
        );
        let long = too_long(&md);
        assert!(
            long.is_empty(),
            "{name}: lines markdownlint flags: {long:#?}"
        );
        // The long form wraps nothing, but is there for whoever wants it.
        assert!(full(&name, &[]).lines().count() > lines, "{name}");
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn each_thing_is_said_once() {
    for name in fixture_names() {
        let md = fixture(&name);
        let items: Vec<&str> = md.lines().filter(|l| l.starts_with("- [ ] ")).collect();
        assert!(!items.is_empty(), "{name}: a build checklist");
        let mut seen = items.clone();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), items.len(), "{name}: an item twice");
        // Every gotcha is named once: as its fix, merged into an add-on, or listed.
        let json: serde_json::Value = serde_json::from_slice(
            &Command::cargo_bin("rtadvisor")
                .unwrap()
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args([
                    "advise",
                    &format!("fixtures/{name}.yaml"),
                    "--format",
                    "json",
                ])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        for g in json["gotchas"].as_array().unwrap() {
            let id = format!("`{}`", g["id"].as_str().unwrap());
            assert_eq!(md.matches(&id).count(), 1, "{name}: {id}\n{md}");
        }
        assert!(!md.contains("| none |") && !md.contains("none |"), "{name}");
        assert!(!md.contains("Cons"), "{name}");
    }
}

#[test]
fn sections_render_to_the_expected_html() {
    for name in fixture_names() {
        let md = fixture(&name);
        let mut out = String::new();
        let opts =
            Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
        html::push_html(&mut out, Parser::new_ext(&md, opts));
        let count = |s: &str| out.matches(s).count();
        assert_eq!(count("<h2>"), 1, "{name}: one heading, the title\n{out}");
        assert_eq!(count("<h3>") + count("<h1>") + count("<h4>"), 0, "{name}");
        assert_eq!(count("<table>"), 1, "{name}: one table");
        let json: serde_json::Value = serde_json::from_slice(
            &Command::cargo_bin("rtadvisor")
                .unwrap()
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args([
                    "advise",
                    &format!("fixtures/{name}.yaml"),
                    "--format",
                    "json",
                ])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        let options = json["ranking"].as_array().unwrap().len();
        assert_eq!(count("<tr>"), options + 1, "{name}: a row per option");
        assert_eq!(
            count("<input disabled=\"\" type=\"checkbox\"/>"),
            md.lines().filter(|l| l.starts_with("- [ ] ")).count(),
            "{name}: every build item is a checklist item"
        );
        assert_eq!(
            count("<a href=\"https://"),
            md.matches("](https://").count(),
            "{name}: every source link renders as a link"
        );
        assert_eq!(
            count("<a href="),
            count("<a href=\"https://"),
            "{name}: only web links"
        );
        assert!(out.contains("<strong>Decision:</strong>"), "{name}");
        // Escapes only keep text literal; none shows up in the rendered page.
        assert!(!out.contains('\\'), "{name}: a visible backslash\n{out}");
        assert_eq!(
            count("<strong>"),
            md.matches("**").count() / 2,
            "{name}: every bold span renders as bold"
        );
        let confidence = json["recommendation"]["confidence"].as_str().unwrap();
        assert!(
            out.contains(&format!("<strong>{confidence}</strong> confidence")),
            "{name}"
        );
        // Nothing but the markdown's own HTML: no raw tags from text.
        for e in Parser::new_ext(&md, opts) {
            assert!(
                !matches!(e, Event::Html(_) | Event::InlineHtml(_)),
                "{name}: raw HTML {e:?}"
            );
            if let Event::Start(Tag::Heading { level, .. }) = e {
                assert_eq!(level as u8, 2, "{name}");
            }
        }
    }
}
