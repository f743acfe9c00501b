//! `rtadvisor doc FILE --into DOC`: every injection case, through the binary.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const BEGIN: &str = "<!-- rtadvisor:begin -->";
const END: &str = "<!-- rtadvisor:end -->";
const PROFILE: &str = "fixtures/ai-chat-tokens.yaml";

fn doc(into: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("rtadvisor")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["doc", PROFILE, "--into"])
        .arg(into)
        .args(extra)
        .assert()
}

/// The section `advise --format markdown` prints for the same profile.
fn section() -> String {
    let out = Command::cargo_bin("rtadvisor")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["advise", PROFILE, "--format", "markdown"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn setup(content: Option<&[u8]>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("design.md");
    if let Some(c) = content {
        std::fs::write(&path, c).unwrap();
    }
    (dir, path)
}

fn read(p: &Path) -> String {
    String::from_utf8(std::fs::read(p).unwrap()).unwrap()
}

/// Only DOC itself is left in its folder (no temp files).
fn assert_no_leftovers(dir: &Path) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["design.md".to_string()]);
}

#[test]
fn no_markers_appends_the_section_after_a_blank_line() {
    let (dir, p) = setup(Some(b"# Design\n\nOur context.\n"));
    doc(&p, &[]).success();
    let out = read(&p);
    assert_eq!(
        out,
        format!(
            "# Design\n\nOur context.\n\n{BEGIN}\n\n{}\n{END}\n",
            section()
        )
    );
    assert_no_leftovers(dir.path());
}

#[test]
fn missing_doc_is_created() {
    let (_dir, p) = setup(None);
    doc(&p, &[]).success();
    assert_eq!(read(&p), format!("{BEGIN}\n\n{}\n{END}\n", section()));
}

#[test]
fn missing_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("no-such-folder").join("design.md");
    doc(&p, &[])
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    assert!(!p.exists());
}

#[test]
fn replaces_only_between_the_markers() {
    let before = "# Design\n\nIntro.\n\n";
    let after = "\n\n## Appendix\n\nKept.\n";
    let (_dir, p) = setup(Some(
        format!("{before}{BEGIN}\nstale text\n{END}{after}").as_bytes(),
    ));
    doc(&p, &[]).success();
    assert_eq!(
        read(&p),
        format!("{before}{BEGIN}\n\n{}\n{END}{after}", section())
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
    let (_dir, p) = setup(Some(
        format!("# Design\r\n\r\n{BEGIN}\r\nold\r\n{END}\r\nAfter.\r\n").as_bytes(),
    ));
    doc(&p, &[]).success();
    let out = read(&p);
    assert!(
        !out.replace("\r\n", "").contains('\n'),
        "only CRLF line endings"
    );
    let sec = section().replace('\n', "\r\n");
    assert_eq!(
        out,
        format!("# Design\r\n\r\n{BEGIN}\r\n\r\n{sec}\r\n{END}\r\nAfter.\r\n")
    );
    let again = std::fs::read(&p).unwrap();
    doc(&p, &[]).success();
    assert_eq!(std::fs::read(&p).unwrap(), again);
}

#[test]
fn no_trailing_newline_is_preserved() {
    let (_dir, p) = setup(Some(format!("# Design\n{BEGIN}\n{END}").as_bytes()));
    doc(&p, &[]).success();
    let out = read(&p);
    assert!(out.ends_with(END), "no newline added at the end");
    assert_eq!(out, format!("# Design\n{BEGIN}\n\n{}\n{END}", section()));

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
    assert!(out.starts_with(&format!("{before}{BEGIN}\n")));
    assert!(out.ends_with(&format!("\n{END}{after}")));
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
fn two_pairs_are_refused() {
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
fn check_fails_when_stale_and_writes_nothing() {
    let content = format!("# Design\n\n{BEGIN}\nold\n{END}\n");
    let (dir, p) = setup(Some(content.as_bytes()));
    doc(&p, &["--check"])
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("out-of-date"));
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
    assert!(read(&p).contains(&format!("{BEGIN}\n\n### Real-time transport: ")));
}

#[test]
fn a_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    doc(dir.path(), &[])
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
