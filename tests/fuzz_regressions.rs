//! Inputs the fuzzers found problems with (fuzz/), kept as regression tests.
//! Each file in tests/fuzz/ is named after the target it came from.

use rtadvisor::markers::{find_markers, splice};

const SECTION: &str = "## Real-time transport\n\nChosen: **sse**\n";

/// The doc target's checks, as in fuzz/fuzz_targets/doc.rs.
fn check_doc(doc: &str) {
    let markers = find_markers(doc);
    let once = match splice(doc, SECTION) {
        Ok(once) => once,
        Err(e) => {
            // A bad layout, or a doc that ends inside an unclosed code block or
            // comment (a section appended there would be part of it).
            assert!(
                markers.is_err() || e.message.contains("ends inside"),
                "{e:?}"
            );
            return;
        }
    };
    let twice = splice(&once, SECTION).unwrap();
    assert_eq!(once, twice, "a second run changed the doc");
    match markers.unwrap() {
        Some((begin, end)) => {
            assert!(once.starts_with(&doc[..begin]));
            assert!(once.ends_with(&doc[end..]));
        }
        None => assert!(once.starts_with(doc)),
    }
}

#[test]
fn every_saved_fuzz_input_passes_its_targets_checks() {
    let mut n = 0;
    for entry in std::fs::read_dir("tests/fuzz").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        if name.starts_with("doc-") {
            if let Ok(text) = std::str::from_utf8(&bytes) {
                check_doc(text);
                n += 1;
            }
        }
    }
    assert!(n >= 1);
}

#[test]
fn a_doc_without_line_feeds_ending_in_a_carriage_return() {
    // The shape of the input the doc fuzzer found: no `\n`, a trailing lone `\r`.
    check_doc("# Title\r");
    check_doc("x\r\r");
    check_doc("a\rb");
    check_doc("a\nb\r");
}

#[test]
fn docs_ending_inside_an_open_block_are_refused_not_corrupted() {
    for doc in [
        "```\ncode",
        "~~~\n",
        "<!-- open",
        "<pre>\n",
        "# T\n\n```md\n<!-- rtadvisor:begin -->\n",
    ] {
        check_doc(doc);
        assert!(splice(doc, SECTION).is_err(), "{doc:?}");
    }
    // Marker-like text in code is text: the doc gets its own section.
    check_doc("```\n<!-- rtadvisor:begin -->\n<!-- rtadvisor:end -->\n```\n");
    check_doc("\u{feff}<!-- rtadvisor:begin -->\n<!-- rtadvisor:end -->");
}
