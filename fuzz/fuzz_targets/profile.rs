//! Any bytes as a profile: decode, validate, decide, and render every format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtadvisor::engine::Engine;
use rtadvisor::rules::Knowledge;
use std::sync::OnceLock;

fn knowledge() -> &'static Knowledge {
    static K: OnceLock<Knowledge> = OnceLock::new();
    K.get_or_init(|| Knowledge::embedded().expect("embedded rules are valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = rtadvisor::input::decode(data.to_vec()) else { return };
    let k = knowledge();
    match rtadvisor::profile::parse_profile(&text, &k.hop_ids()) {
        Ok(p) => {
            let d = Engine::new(k).explain(&p, "fuzz");
            assert!(!d.rationale.is_empty());
            let _ = rtadvisor::report::json::render(std::slice::from_ref(&d));
            let _ = rtadvisor::report::table::render(std::slice::from_ref(&d));
            let _ = rtadvisor::report::explain::render(&d);
            let md = rtadvisor::report::markdown::render(&d, &p, k, 2);
            assert!(!md.contains('\u{1b}'));
            // The path diagram: every source line within 80 columns, whatever the names.
            if let Some(at) = md.find("```mermaid") {
                let block = &md[at..];
                let end = block[3..].find("\n```").map_or(block.len(), |e| e + 3);
                assert!(block[..end].lines().all(|l| l.chars().count() <= 80), "{md}");
            }
            let html = rtadvisor::report::html::render_all(&[(&d, &p)], k, true);
            assert!(!html.contains("<script") && !html.contains('\u{1b}'));
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty());
            let report = rtadvisor::diag::Report {
                source: rtadvisor::diag::Source { name: "fuzz.yaml".into(), text },
                diagnostics,
            };
            let _ = report.render(false);
        }
    }
});
