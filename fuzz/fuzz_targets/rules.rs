//! Any bytes as a rules file laid over the defaults: load, validate, and on success
//! decide a profile with the result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtadvisor::diag::Source;
use rtadvisor::rules::{Knowledge, DEFAULT_FILES};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = rtadvisor::input::decode(data.to_vec()) else { return };
    let mut sources: Vec<Source> = DEFAULT_FILES
        .iter()
        .map(|(n, t)| Source { name: (*n).to_string(), text: (*t).to_string() })
        .collect();
    sources.push(Source { name: "fuzz.yaml".into(), text });
    match Knowledge::from_sources(sources) {
        Ok(k) => {
            let p = rtadvisor::profile::Profile::new("fuzz", rtadvisor::profile::Direction::Bidirectional);
            let _ = rtadvisor::engine::Engine::new(&k).decide(&p, "fuzz");
        }
        Err(e) => {
            for r in &e.reports {
                assert!(!r.diagnostics.is_empty());
                let _ = r.render(false);
            }
        }
    }
});
