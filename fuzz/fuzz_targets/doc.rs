//! Marker injection: splicing a section into any document never touches a byte
//! outside the markers, and a second splice changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtadvisor::markers::{find_markers, splice};

const SECTION: &str = "## Real-time transport\n\nChosen: **sse**\n";

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = std::str::from_utf8(data) else { return };
    let markers = find_markers(doc);
    let once = match splice(doc, SECTION) {
        Ok(once) => once,
        Err(e) => {
            // A bad layout, or a doc that ends inside an unclosed code block or
            // comment (a section appended there would be part of it).
            assert!(markers.is_err() || e.message.contains("ends inside"), "{e:?}");
            return;
        }
    };
    let twice = splice(&once, SECTION).expect("a spliced doc has one valid pair of markers");
    assert_eq!(once, twice, "a second run changed the doc");
    match markers {
        Ok(Some((begin, end))) => {
            // Bytes before the begin marker and after the end marker are unchanged.
            assert!(once.starts_with(&doc[..begin]));
            let tail = &doc[end..];
            assert!(once.ends_with(tail));
        }
        Ok(None) => assert!(once.starts_with(doc), "appending must keep the doc as a prefix"),
        Err(_) => unreachable!("splice succeeded"),
    }
});
