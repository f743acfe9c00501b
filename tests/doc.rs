//! `rtadvisor doc`: every injection case, through the binary.
//!
//! Each test works in a temp folder holding the doc and the profile `w.yaml` (a
//! copy of a fixture), and runs from that folder unless it says otherwise, so the
//! profile path the doc records is simply `w.yaml`.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const BEGIN: &str = "<!-- rtadvisor:begin -->";
const END: &str = "<!-- rtadvisor:end -->";
const FIXTURE: &str = "fixtures/ai-chat-tokens.yaml";
/// The begin marker `doc w.yaml --into DOC` writes with the default settings.
const BEGIN_W: &str =
    "<!-- rtadvisor:begin profile=\"w.yaml\" heading-level=\"2\" status=\"proposed\" -->";

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn rt(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rtadvisor").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

/// `doc w.yaml --into design.md EXTRA...`, run in the doc's folder.
fn doc(into: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let dir = into.parent().unwrap();
    rt(dir)
        .args(["doc", "w.yaml", "--into"])
        .arg(into.file_name().unwrap())
        .args(extra)
        .assert()
}

/// The section `advise --format markdown` prints for the profile in `dir`.
fn section_in(dir: &Path, profile: &str) -> String {
    let out = rt(dir)
        .args(["advise", profile, "--format", "markdown"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn section(dir: &Path) -> String {
    section_in(dir, "w.yaml")
}

/// A temp folder with `w.yaml` (a fixture) and, when given, `design.md`.
fn setup(content: Option<&[u8]>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo(FIXTURE), dir.path().join("w.yaml")).unwrap();
    let path = dir.path().join("design.md");
    if let Some(c) = content {
        std::fs::write(&path, c).unwrap();
    }
    (dir, path)
}

fn read(p: &Path) -> String {
    String::from_utf8(std::fs::read(p).unwrap()).unwrap()
}

/// Only the doc and the profile are left in the folder (no temp files).
fn assert_no_leftovers(dir: &Path) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["design.md".to_string(), "w.yaml".to_string()]);
}

#[test]
fn no_markers_appends_the_section_after_a_blank_line() {
    let (dir, p) = setup(Some(b"# Design\n\nOur context.\n"));
    doc(&p, &[]).success().stderr(predicate::str::contains(
        "design.md:5: the rtadvisor section for w.yaml was added at the end of the doc",
    ));
    let out = read(&p);
    assert_eq!(
        out,
        format!(
            "# Design\n\nOur context.\n\n{BEGIN_W}\n\n{}\n{END}\n",
            section(dir.path())
        )
    );
    assert_no_leftovers(dir.path());
}

#[test]
fn missing_doc_is_created() {
    let (dir, p) = setup(None);
    doc(&p, &[]).success().stderr(predicate::str::contains(
        "design.md:1: the rtadvisor section for w.yaml was written into a new doc",
    ));
    assert_eq!(
        read(&p),
        format!("{BEGIN_W}\n\n{}\n{END}\n", section(dir.path()))
    );
}

#[test]
fn missing_folder_is_refused() {
    let (dir, _) = setup(None);
    let p = dir.path().join("no-such-folder").join("design.md");
    rt(dir.path())
        .args(["doc", "w.yaml", "--into"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    assert!(!p.exists());
}

#[test]
fn replaces_only_between_the_markers() {
    let before = "# Design\n\nIntro.\n\n";
    let after = "\n\n## Appendix\n\nKept.\n";
    let (dir, p) = setup(Some(
        format!("{before}{BEGIN}\nstale text\n{END}{after}").as_bytes(),
    ));
    doc(&p, &[]).success().stderr(predicate::str::contains(
        "design.md:5: the rtadvisor section for w.yaml was written between the existing markers",
    ));
    assert_eq!(
        read(&p),
        format!("{before}{BEGIN_W}\n\n{}\n{END}{after}", section(dir.path()))
    );
}

#[test]
fn second_run_changes_nothing() {
    let (dir, p) = setup(Some(b"# Design\n"));
    doc(&p, &[]).success();
    let first = std::fs::read(&p).unwrap();
    let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
    doc(&p, &[])
        .success()
        .stderr(predicate::str::contains("up to date"));
    assert_eq!(std::fs::read(&p).unwrap(), first);
    assert_eq!(std::fs::metadata(&p).unwrap().modified().unwrap(), mtime);
    assert_no_leftovers(dir.path());
}

#[test]
fn crlf_docs_keep_crlf() {
    let (dir, p) = setup(Some(
        format!("# Design\r\n\r\n{BEGIN}\r\nold\r\n{END}\r\nAfter.\r\n").as_bytes(),
    ));
    doc(&p, &[]).success();
    let out = read(&p);
    assert!(
        !out.replace("\r\n", "").contains('\n'),
        "only CRLF line endings"
    );
    let sec = section(dir.path()).replace('\n', "\r\n");
    assert_eq!(
        out,
        format!("# Design\r\n\r\n{BEGIN_W}\r\n\r\n{sec}\r\n{END}\r\nAfter.\r\n")
    );
    let again = std::fs::read(&p).unwrap();
    doc(&p, &[]).success();
    assert_eq!(std::fs::read(&p).unwrap(), again);
}

#[test]
fn no_trailing_newline_is_preserved() {
    let (dir, p) = setup(Some(format!("# Design\n{BEGIN}\n{END}").as_bytes()));
    doc(&p, &[]).success();
    let out = read(&p);
    assert!(out.ends_with(END), "no newline added at the end");
    assert_eq!(
        out,
        format!("# Design\n{BEGIN_W}\n\n{}\n{END}", section(dir.path()))
    );

    let (_dir, p) = setup(Some(b"# Design"));
    doc(&p, &[]).success();
    assert!(read(&p).ends_with(END));
}

#[test]
fn utf8_around_the_markers_is_kept() {
    let before = "\u{feff}# Conception — naïve 设计 🚀\n\n";
    let after = "\nÉpilogue: ✓ ünïcödé\n";
    let (_dir, p) = setup(Some(format!("{before}{BEGIN}\n{END}{after}").as_bytes()));
    doc(&p, &[]).success();
    let out = read(&p);
    assert!(out.starts_with(&format!("{before}{BEGIN_W}\n")));
    assert!(out.ends_with(&format!("\n{END}{after}")));
}

#[test]
fn a_bom_before_a_marker_on_line_one_is_kept() {
    // Issue 10 (b): the marker on line 1 after a UTF-8 BOM used to be missed, so the
    // end marker stood alone and the doc was refused.
    let (dir, p) = setup(Some(
        format!("\u{feff}{BEGIN}\nold\n{END}\nAfter.\n").as_bytes(),
    ));
    doc(&p, &[]).success();
    let bytes = std::fs::read(&p).unwrap();
    assert_eq!(
        &bytes[..3],
        b"\xef\xbb\xbf",
        "the BOM is kept byte for byte"
    );
    assert_eq!(
        read(&p),
        format!(
            "\u{feff}{BEGIN_W}\n\n{}\n{END}\nAfter.\n",
            section(dir.path())
        )
    );
    rt(dir.path())
        .args(["doc", "--check", "design.md"])
        .assert()
        .success();
}

fn assert_refused(content: &str, line: usize, col: usize, message: &str) {
    let (_dir, p) = setup(Some(content.as_bytes()));
    doc(&p, &[])
        .code(2)
        .stderr(predicate::str::contains(message))
        .stderr(predicate::str::contains(format!("design.md:{line}:{col}")));
    assert_eq!(read(&p), content, "file untouched");
    doc(&p, &["--check"]).code(2);
}

#[test]
fn only_begin_marker_is_refused() {
    assert_refused(
        &format!("# Design\n\n{BEGIN}\nhand-written\n"),
        3,
        1,
        "begin marker without an end marker",
    );
}

#[test]
fn only_end_marker_is_refused() {
    assert_refused(
        &format!("# Design\n\n  {END}\n"),
        3,
        3,
        "end marker without a begin marker",
    );
}

#[test]
fn reversed_markers_are_refused() {
    assert_refused(
        &format!("# Design\n{END}\n{BEGIN}\n"),
        2,
        1,
        "end marker comes before the begin marker",
    );
}

#[test]
fn two_pairs_that_name_no_profile_are_refused() {
    // Several sections are allowed, but each must name its profile: two bare
    // pairs cannot be told apart.
    assert_refused(
        &format!("# D\n{BEGIN}\n{END}\n\n{BEGIN}\n{END}\n"),
        5,
        1,
        "a second begin marker",
    );
}

#[test]
fn marker_text_inside_a_line_is_not_a_marker() {
    let content = format!("Markers look like `{BEGIN}`.\n");
    let (_dir, p) = setup(Some(content.as_bytes()));
    doc(&p, &[]).success();
    assert!(read(&p).starts_with(&content));
}

#[test]
fn markers_in_code_blocks_and_comments_are_text() {
    // Defect 1: the example pair in a fenced block used to be taken as the section.
    let examples = format!(
        "# Design\n\n```markdown\n{BEGIN}\n...generated section...\n{END}\n```\n\n\
         ~~~~ md title=\"tildes\"\n{BEGIN}\n~~~~\n\n    {END}\n\n<!-- a note:\n{BEGIN}\n\nProse.\n"
    );
    let (dir, p) = setup(Some(examples.as_bytes()));
    doc(&p, &[]).success();
    let out = read(&p);
    assert!(out.starts_with(&examples), "the examples are untouched");
    assert_eq!(
        out,
        format!("{examples}\n{BEGIN_W}\n\n{}\n{END}\n", section(dir.path()))
    );

    // One example pair and one real pair: the real one is refreshed, not refused.
    let both = format!("# D\n\n```\n{BEGIN}\n{END}\n```\n\n{BEGIN}\nold\n{END}\n");
    std::fs::write(&p, &both).unwrap();
    doc(&p, &[]).success();
    let out = read(&p);
    assert!(out.starts_with(&format!("# D\n\n```\n{BEGIN}\n{END}\n```\n\n{BEGIN_W}\n\n")));
    assert!(!out.contains("old"));
}

#[test]
fn the_design_docs_page_survives_doc() {
    let (dir, p) = setup(None);
    let page = std::fs::read_to_string(repo("docs/design-docs.md")).unwrap();
    std::fs::write(&p, &page).unwrap();
    doc(&p, &[]).success();
    let out = read(&p);
    assert!(out.starts_with(&page), "every example in the page is kept");
    assert_eq!(
        out,
        format!("{page}\n{BEGIN_W}\n\n{}\n{END}\n", section(dir.path()))
    );
    rt(dir.path())
        .args(["doc", "--check", "design.md"])
        .assert()
        .success();
}

#[test]
fn appending_into_an_unclosed_code_block_is_refused() {
    let content = "# Design\n\n```sh\nrtadvisor doc w.yaml --into d.md\n";
    let (_dir, p) = setup(Some(content.as_bytes()));
    doc(&p, &[])
        .code(2)
        .stderr(predicate::str::contains("ends inside a fenced code block"));
    assert_eq!(read(&p), content);
}

#[test]
fn check_fails_when_stale_and_writes_nothing() {
    let content = format!("# Design\n\n{BEGIN}\nold\n{END}\n");
    let (dir, p) = setup(Some(content.as_bytes()));
    doc(&p, &["--check"])
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "design.md:3: the section for w.yaml is out of date",
        ))
        .stderr(predicate::str::contains(
            "run `rtadvisor doc w.yaml --into design.md` to refresh",
        ));
    assert_eq!(read(&p), content);
    assert_no_leftovers(dir.path());

    // A missing doc is out of date too, and is not created.
    let (_dir, missing) = setup(None);
    doc(&missing, &["--check"]).code(1);
    assert!(!missing.exists());
}

#[test]
fn check_passes_when_current() {
    let (_dir, p) = setup(Some(b"# Design\n"));
    doc(&p, &[]).success();
    let before = std::fs::read(&p).unwrap();
    doc(&p, &["--check"]).success();
    assert_eq!(std::fs::read(&p).unwrap(), before);
}

#[test]
fn heading_level_is_applied() {
    let (_dir, p) = setup(None);
    doc(&p, &["--heading-level", "3"]).success();
    assert!(read(&p)
        .contains("heading-level=\"3\" status=\"proposed\" -->\n\n### Real-time transport: "));
}

#[test]
fn settings_are_recorded_so_a_plain_check_passes() {
    // Defect 2: after `--heading-level 3`, a plain `--check` said "out of date" and
    // suggested a command that dropped the level.
    let (dir, p) = setup(None);
    doc(&p, &["--heading-level", "3", "--status", "accepted"]).success();
    assert!(read(&p).starts_with(
        "<!-- rtadvisor:begin profile=\"w.yaml\" heading-level=\"3\" status=\"accepted\" -->\n\n### "
    ));
    doc(&p, &["--check"]).success();
    rt(dir.path())
        .args(["doc", "--check", "design.md"])
        .assert()
        .success();
    let before = read(&p);
    rt(dir.path()).args(["doc", "design.md"]).assert().success();
    assert_eq!(read(&p), before, "a refresh keeps the recorded settings");
    // Flags given to --check are what is checked, and the fix repeats them.
    doc(&p, &["--check", "--heading-level", "4"])
        .code(1)
        .stderr(predicate::str::contains(
            "`rtadvisor doc w.yaml --into design.md --heading-level 4`",
        ));
}

#[test]
fn check_does_not_depend_on_the_working_directory() {
    // Defect 2: the section named the profile path as typed, so a check run from
    // another folder saw a different section.
    let (dir, _) = setup(None);
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    rt(dir.path())
        .args(["doc", "w.yaml", "--into", "docs/d.md"])
        .assert()
        .success();
    let d = docs.join("d.md");
    assert!(read(&d).starts_with(
        "<!-- rtadvisor:begin profile=\"../w.yaml\" heading-level=\"2\" status=\"proposed\" -->"
    ));
    assert!(read(&d).contains("Generated by rtadvisor from ../w.yaml;"));
    rt(&docs)
        .args(["doc", "../w.yaml", "--into", "d.md", "--check"])
        .assert()
        .success();
    rt(dir.path())
        .args(["doc", "./w.yaml", "--into", "./docs/d.md", "--check"])
        .assert()
        .success();
    rt(&docs)
        .args(["doc", "--check", "d.md"])
        .assert()
        .success();
    rt(Path::new("/"))
        .arg("doc")
        .arg("--check")
        .arg(&d)
        .assert()
        .success();
}

#[test]
fn a_bare_marker_is_filled_in_and_a_doc_alone_is_refreshed() {
    let (dir, p) = setup(Some(format!("# D\n\n{BEGIN}\n{END}\n").as_bytes()));
    // A bare pair names no profile: the doc alone cannot say what goes there.
    rt(dir.path())
        .args(["doc", "design.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("this section names no profile"))
        .stderr(predicate::str::contains("design.md:3:1"));
    doc(&p, &[]).success();
    assert!(read(&p).starts_with(&format!("# D\n\n{BEGIN_W}\n")));

    // The profile changes: the doc alone is out of date, and refreshed.
    let yaml = read(&dir.path().join("w.yaml")).replace("resume: true", "resume: false");
    std::fs::write(dir.path().join("w.yaml"), yaml).unwrap();
    rt(dir.path())
        .args(["doc", "--check", "design.md"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "design.md:3: the section for w.yaml is out of date",
        ))
        .stderr(predicate::str::contains("run `rtadvisor doc design.md`"));
    rt(dir.path())
        .args(["doc", "design.md"])
        .assert()
        .success()
        .stderr(predicate::str::contains("was refreshed in place"));
    doc(&p, &["--check"]).success();
}

#[test]
fn a_doc_holds_one_section_per_profile() {
    // Defect 3: several sections in one doc, each naming its profile.
    let (dir, p) = setup(Some(b"# Features\n"));
    std::fs::copy(
        repo("fixtures/poker-table.yaml"),
        dir.path().join("poker.yaml"),
    )
    .unwrap();
    doc(&p, &[]).success();
    rt(dir.path())
        .args([
            "doc",
            "poker.yaml",
            "--into",
            "design.md",
            "--heading-level",
            "3",
        ])
        .assert()
        .success();
    let out = read(&p);
    assert_eq!(out.matches("<!-- rtadvisor:begin").count(), 2);
    assert!(out.contains(BEGIN_W));
    assert!(out.contains(
        "<!-- rtadvisor:begin profile=\"poker.yaml\" heading-level=\"3\"\n  status=\"proposed\" -->"
    ));
    // Refreshing one keeps the other byte for byte.
    let first_end = out.find(END).unwrap() + END.len();
    doc(&p, &["--status", "accepted"]).success();
    let after = read(&p);
    assert_eq!(
        after[after.find(END).unwrap()..],
        out[first_end - END.len()..]
    );
    assert!(after.contains("status=\"accepted\""));
    // Both are checked and refreshed from the doc alone.
    rt(dir.path())
        .args(["doc", "--check", "design.md"])
        .assert()
        .success()
        .stderr(predicate::str::contains("2 sections in 1 doc up to date"));
    let yaml = read(&dir.path().join("poker.yaml")).replace("\nname: ", "\nname: Renamed ");
    std::fs::write(dir.path().join("poker.yaml"), yaml).unwrap();
    rt(dir.path())
        .args(["doc", "--check", "design.md"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the section for poker.yaml is out of date",
        ))
        .stderr(predicate::str::contains("the section for w.yaml").not());
}

#[test]
fn check_a_folder_of_docs() {
    let (dir, p) = setup(Some(b"# A\n"));
    doc(&p, &[]).success();
    let sub = dir.path().join("adr");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("0002-other.md"), "# No section here\n").unwrap();
    rt(dir.path())
        .args(["doc", "w.yaml", "--into", "adr/0001-feed.md"])
        .assert()
        .success();
    rt(dir.path())
        .args(["doc", "--check", "."])
        .assert()
        .success()
        .stderr(predicate::str::contains("2 sections in 2 docs up to date"));
    let stale = read(&p).replace("**Decision:**", "**Decision (edited):**");
    std::fs::write(&p, stale).unwrap();
    rt(dir.path())
        .args(["doc", "--check", "."])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "./design.md:3: the section for w.yaml is out of date",
        ))
        .stderr(predicate::str::contains("0001-feed.md").not());
    // Refreshing the folder fixes it.
    rt(dir.path()).args(["doc", "."]).assert().success();
    rt(dir.path())
        .args(["doc", "--check", "."])
        .assert()
        .success();
    // A folder with no sections at all is a mistake in a CI job.
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("x.md"), "# x\n").unwrap();
    rt(empty.path())
        .args(["doc", "--check", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rtadvisor section"));
}

#[test]
fn after_places_a_new_section_and_says_where() {
    // Defect 4: the first run appended after "Open questions" and said nothing.
    let content =
        "# Design\n\n## Context\n\nText.\n\n### Detail\n\nMore.\n\n## Open questions\n\nNone.\n";
    let (dir, p) = setup(Some(content.as_bytes()));
    doc(&p, &["--after", "context", "--check"]).code(1);
    assert_eq!(read(&p), content, "--check writes nothing");
    doc(&p, &["--after", "Contxt"])
        .code(2)
        .stderr(predicate::str::contains("did you mean \"Context\""));
    assert_eq!(read(&p), content);
    doc(&p, &["--after", "Context"])
        .success()
        .stderr(predicate::str::contains(
            "design.md:11: the rtadvisor section for w.yaml was added after the part under \"Context\" (line 3)",
        ));
    let out = read(&p);
    assert_eq!(
        out,
        format!(
            "# Design\n\n## Context\n\nText.\n\n### Detail\n\nMore.\n\n{BEGIN_W}\n\n{}\n{END}\n\n## Open questions\n\nNone.\n",
            section(dir.path())
        )
    );
    // Once placed, the section stays where it is.
    doc(&p, &["--after", "Open questions"])
        .success()
        .stderr(predicate::str::contains(
            "--after \"Open questions\" only places a new section",
        ));
    assert_eq!(read(&p), out);
}

#[test]
fn status_is_set_and_kept() {
    // Defect 6: the status was always "proposed".
    let (dir, p) = setup(None);
    doc(&p, &["--status", "accepted"]).success();
    assert!(read(&p).contains("Status: accepted."));
    // A person edits the status in the begin marker; a refresh keeps it.
    let edited = read(&p).replace("status=\"accepted\"", "status=\"superseded\"");
    std::fs::write(&p, edited).unwrap();
    rt(dir.path()).args(["doc", "design.md"]).assert().success();
    assert!(read(&p).contains("Status: superseded."));
    doc(&p, &[]).success();
    assert!(read(&p).contains("Status: superseded."));
    // A mistyped status is refused where it is written.
    let typo = read(&p).replace("status=\"superseded\"", "status=\"acepted\"");
    std::fs::write(&p, &typo).unwrap();
    rt(dir.path())
        .args(["doc", "design.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "status `acepted` is not a decision status",
        ))
        .stderr(predicate::str::contains("did you mean `accepted`?"))
        .stderr(predicate::str::contains("design.md:1:"));
    assert_eq!(read(&p), typo);
    doc(&p, &["--status", "maybe"]).code(2);
}

#[test]
fn a_status_written_in_an_older_section_is_kept() {
    // Sections written before the marker recorded settings said "Status: ...".
    let (dir, p) = setup(Some(
        format!("{BEGIN}\n\n## Old\n\nStatus: deprecated. Old text.\n\n{END}\n").as_bytes(),
    ));
    doc(&p, &[]).success();
    let out = read(&p);
    assert!(out.contains("status=\"deprecated\""), "{out}");
    assert!(out.contains("Status: deprecated."));
    let _ = dir;
}

#[test]
fn detail_full_keeps_the_long_form() {
    let (dir, p) = setup(None);
    doc(&p, &["--detail", "full"]).success();
    let out = read(&p);
    // Past 80 columns the settings go on over a second line (markdownlint).
    assert!(out.starts_with(
        "<!-- rtadvisor:begin profile=\"w.yaml\" heading-level=\"2\" status=\"proposed\"\n  detail=\"full\" -->\n"
    ));
    for h in [
        "### Decision drivers",
        "### Considered options",
        "### Rationale",
        "### Gotchas",
    ] {
        assert!(out.contains(h), "{h}");
    }
    rt(dir.path())
        .args(["doc", "--check", "design.md"])
        .assert()
        .success();
    // Back to concise by flag.
    doc(&p, &["--detail", "concise"]).success();
    assert!(!read(&p).contains("### Rationale"));
    assert!(!read(&p).contains("detail="));
}

#[test]
fn the_profile_itself_is_refused_as_the_doc() {
    // Issue 10 (a): `doc w.yaml --into w.yaml` wrote the section into the profile.
    let (dir, _) = setup(None);
    let w = dir.path().join("w.yaml");
    let before = std::fs::read(&w).unwrap();
    for into in ["w.yaml", "./w.yaml"] {
        rt(dir.path())
            .args(["doc", "w.yaml", "--into", into])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is the profile"));
    }
    std::fs::hard_link(&w, dir.path().join("linked.md")).unwrap();
    rt(dir.path())
        .args(["doc", "w.yaml", "--into", "linked.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the profile"));
    assert_eq!(std::fs::read(&w).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn check_reads_a_symlinked_doc_but_writing_through_it_is_refused() {
    // Issue 10 (c): --check writes nothing, so a symlinked doc may be checked.
    let (dir, p) = setup(Some(b"# Design\n"));
    doc(&p, &[]).success();
    std::os::unix::fs::symlink("design.md", dir.path().join("link.md")).unwrap();
    rt(dir.path())
        .args(["doc", "w.yaml", "--into", "link.md", "--check"])
        .assert()
        .success();
    rt(dir.path())
        .args(["doc", "--check", "link.md"])
        .assert()
        .success();
    let before = read(&p);
    rt(dir.path())
        .args(["doc", "w.yaml", "--into", "link.md", "--status", "accepted"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"));
    rt(dir.path())
        .args(["doc", "link.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"));
    assert_eq!(read(&p), before);
}

#[test]
fn a_marker_naming_a_missing_profile_points_at_it() {
    let content = "<!-- rtadvisor:begin profile=\"gone.yaml\" -->\nold\n<!-- rtadvisor:end -->\n";
    let (dir, p) = setup(Some(content.as_bytes()));
    rt(dir.path())
        .args(["doc", "--check", "design.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the profile gone.yaml is not a file",
        ))
        .stderr(predicate::str::contains("design.md:1:31"));
    assert_eq!(read(&p), content);
}

#[test]
fn a_profile_without_into_is_explained() {
    let (dir, _) = setup(None);
    rt(dir.path())
        .args(["doc", "w.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("looks like a profile"))
        .stderr(predicate::str::contains("--into DOC"));
}

#[test]
fn a_folder_is_refused() {
    let (dir, _) = setup(None);
    rt(dir.path())
        .args(["doc", "w.yaml", "--into"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a folder"))
        .stderr(predicate::str::contains(dir.path().to_string_lossy()));
}

#[test]
fn non_utf8_is_refused() {
    let bytes: &[u8] = b"# Design \xff\xfe\n";
    let (_dir, p) = setup(Some(bytes));
    doc(&p, &[])
        .code(2)
        .stderr(predicate::str::contains("not UTF-8"))
        .stderr(predicate::str::contains("design.md"));
    assert_eq!(std::fs::read(&p).unwrap(), bytes);
}

#[cfg(unix)]
#[test]
fn permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, p) = setup(Some(b"# Design\n"));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    doc(&p, &[]).success();
    let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[cfg(unix)]
#[test]
fn read_only_doc_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let content = b"# Design\n";
    let (dir, p) = setup(Some(content));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    // As root the file stays writable; rtadvisor still refuses (it honours the
    // permission bits), but say so rather than pretend the OS enforced it.
    let writable_anyway = std::fs::OpenOptions::new().append(true).open(&p).is_ok();
    if writable_anyway {
        eprintln!("note: running as a user that can write read-only files");
    }
    doc(&p, &[])
        .code(2)
        .stderr(predicate::str::contains("read-only"));
    assert_eq!(std::fs::read(&p).unwrap(), content);
    assert_no_leftovers(dir.path());
}

#[test]
fn two_sections_for_one_profile_file_are_refused() {
    let content = "<!-- rtadvisor:begin profile=\"w.yaml\" -->\n<!-- rtadvisor:end -->\n\n\
                   <!-- rtadvisor:begin profile=\"sub/../w.yaml\" -->\n<!-- rtadvisor:end -->\n";
    let (dir, p) = setup(Some(content.as_bytes()));
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    rt(dir.path())
        .args(["doc", "design.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a second section for the profile sub/../w.yaml",
        ))
        .stderr(predicate::str::contains("design.md:4:"));
    assert_eq!(read(&p), content);
}

#[test]
fn a_rule_folder_is_recorded_too() {
    let (dir, p) = setup(None);
    let rules = dir.path().join("our-rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::copy(
        repo("docs/examples/managed-pubsub/standard.yaml"),
        rules.join("standard.yaml"),
    )
    .unwrap();
    std::fs::copy(repo("fixtures/poker-table.yaml"), dir.path().join("w.yaml")).unwrap();
    doc(&p, &["--rules", "our-rules"]).success();
    let out = read(&p);
    assert!(out.contains("rules=\"our-rules\" -->"), "{out}");
    assert!(
        out.contains("Managed pub/sub (our standard)"),
        "the overlay was used"
    );
    // The doc alone is checked with the same rules, from another folder too.
    rt(Path::new("/"))
        .arg("doc")
        .arg("--check")
        .arg(&p)
        .assert()
        .success();
    // Without them, the section would differ.
    let plain = section(dir.path());
    assert!(!plain.contains("Managed pub/sub (our standard)"));
}

#[cfg(unix)]
#[test]
fn a_symlinked_profile_is_recorded_by_its_own_name() {
    let (dir, p) = setup(None);
    std::fs::create_dir(dir.path().join("profiles")).unwrap();
    std::fs::rename(
        dir.path().join("w.yaml"),
        dir.path().join("profiles/real.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink("profiles/real.yaml", dir.path().join("w.yaml")).unwrap();
    doc(&p, &[]).success();
    assert!(read(&p).starts_with(BEGIN_W));
    doc(&p, &["--check"]).success();
    rt(dir.path())
        .args(["doc", "--check", "design.md"])
        .assert()
        .success();
    // The same file by another path finds the same section and keeps its path.
    rt(dir.path())
        .args([
            "doc",
            "profiles/real.yaml",
            "--into",
            "design.md",
            "--check",
        ])
        .assert()
        .success();
}
