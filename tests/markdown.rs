//! `advise --format markdown`: snapshots of the design-doc section, and escaping.

use assert_cmd::Command;

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

/// What every section must look like, whatever the workload.
fn assert_well_formed(md: &str) {
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
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with('#') {
            assert!(i == 0 || lines[i - 1].is_empty(), "blank before {line:?}");
            assert!(
                lines.get(i + 1).is_none_or(|l| l.is_empty()),
                "blank after {line:?}"
            );
        }
        if line.starts_with('|') {
            assert_eq!(line.matches(" | ").count() + 2, 6, "five columns: {line:?}");
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
fn heading_level_moves_every_heading() {
    let md = markdown(&["fixtures/ai-chat-tokens.yaml", "--heading-level", "4"]);
    assert!(md.starts_with("#### Real-time transport: Chat assistant token stream\n"));
    assert!(md.contains("\n##### Decision\n"));
    assert!(!md.contains("\n###### "));
    let md = markdown(&["fixtures/ai-chat-tokens.yaml", "--heading-level", "6"]);
    assert!(!md.contains("####### "), "never deeper than 6");
}

#[test]
fn same_input_same_bytes() {
    assert_eq!(fixture("custom-f5-hop"), fixture("custom-f5-hop"));
}

#[test]
fn pros_and_cons_come_from_the_fired_rules() {
    let md = fixture("custom-f5-hop");
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
    let md = markdown(&[profile.to_str().unwrap()]);
    assert_well_formed(&md);

    assert!(!md.contains("<script"), "no HTML tag from the name");
    assert!(!md.contains("<img"), "no HTML tag from the hop name");
    assert!(!md.contains('\u{1b}'), "control characters removed");
    assert!(md.starts_with(
        "## Real-time transport: a\\|b &lt;script&gt;alert(1)&lt;/script&gt; \\[31m\n"
    ));
    let hop = "f5\\|x &lt;img src=x onerror=alert(1)&gt; \\`\\*\\_\\[y\\]";
    assert!(
        md.contains(&format!("first: {hop} (described in the profile")),
        "drivers"
    );
    assert!(
        md.contains(&format!(": {hop} buffers responses by default")),
        "gotchas"
    );
    // Every table row keeps its five cells.
    for line in md.lines().filter(|l| l.starts_with('|')) {
        let unescaped_pipes =
            line.len() - line.replace('|', "").len() - line.matches("\\|").count();
        assert_eq!(unescaped_pipes, 6, "{line}");
    }
}
