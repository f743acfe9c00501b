//! Two dimensions the other targets reach only by luck: policy numbers in a rules
//! overlay (any f64, NaN and infinities included, in any combination of keys) and
//! the length of a profile's `path` (0 to 80 hops, known and inline, around the
//! 32-hop cap). Loading must refuse bad policies with diagnostics, never panic
//! later; a path over the cap is one diagnostic; a decision's heartbeat is
//! finite, positive, and under every idle timeout on the path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtadvisor::diag::Source;
use rtadvisor::engine::Engine;
use rtadvisor::rules::{Knowledge, DEFAULT_FILES};
use std::sync::OnceLock;

fn embedded() -> &'static Knowledge {
    static K: OnceLock<Knowledge> = OnceLock::new();
    K.get_or_init(|| Knowledge::embedded().expect("embedded rules are valid"))
}

const KEYS: [(&str, &str); 7] = [
    ("confidence", "high_margin"),
    ("confidence", "medium_margin"),
    ("heartbeat", "fraction"),
    ("heartbeat", "step_s"),
    ("heartbeat", "min_s"),
    ("heartbeat", "max_s"),
    ("heartbeat", "default_s"),
];
const HOPS: [&str; 8] = [
    "nginx", "aws-alb", "cloudflare", "heroku-router", "gcp-lb", "envoy", "corporate-proxy", "aws-api-gateway",
];

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
    /// A number a policy could hold: interesting values or raw bits.
    fn number(&mut self) -> f64 {
        match self.byte() % 12 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => 0.0,
            4 => -1.0,
            5 => 0.45,
            6 => 1.0,
            7 => 1.5,
            8 => 100.0,
            9 => 1e300,
            10 => f64::from(self.byte()) / 8.0,
            _ => {
                let mut b = [0u8; 8];
                for x in &mut b {
                    *x = self.byte();
                }
                f64::from_le_bytes(b)
            }
        }
    }
}

fn yaml_number(v: f64) -> String {
    if v.is_nan() {
        ".nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { ".inf".into() } else { "-.inf".into() }
    } else {
        format!("{v:?}")
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    // Seven first bytes in eight: the path dimension alone, over the embedded
    // rules (fast). The eighth: a policy overlay too, which re-validates every
    // default rule file with it (hundreds of times slower under the sanitizer).
    if b.byte() % 8 != 0 {
        path(embedded(), &mut b);
        return;
    }
    // The policy overlay: each key present or not, with any number.
    let mask = b.byte();
    let mut confidence = String::new();
    let mut heartbeat = String::new();
    for (i, (section, key)) in KEYS.iter().enumerate() {
        if mask & (1 << i) != 0 {
            let line = format!("    {key}: {}\n", yaml_number(b.number()));
            if *section == "confidence" { confidence.push_str(&line) } else { heartbeat.push_str(&line) }
        }
    }
    let mut overlay = String::from("policy:\n");
    if !confidence.is_empty() {
        overlay.push_str("  confidence:\n");
        overlay.push_str(&confidence);
    }
    if !heartbeat.is_empty() {
        overlay.push_str("  heartbeat:\n");
        overlay.push_str(&heartbeat);
    }
    if confidence.is_empty() && heartbeat.is_empty() {
        overlay = String::new();
    }
    let mut sources: Vec<Source> = DEFAULT_FILES
        .iter()
        .map(|(n, t)| Source { name: (*n).to_string(), text: (*t).to_string() })
        .collect();
    sources.push(Source { name: "policy.yaml".into(), text: overlay });
    let k = match Knowledge::from_sources(sources) {
        Ok(k) => k,
        Err(e) => {
            for r in &e.reports {
                assert!(!r.diagnostics.is_empty());
                let _ = r.render(false);
            }
            return;
        }
    };

    path(&k, &mut b);
});

/// The path: 0 to 80 hops, known ids and inline hops with any idle timeout.
fn path(k: &Knowledge, b: &mut Bytes) {
    let n = usize::from(b.byte()) % 81;
    let mut hops = Vec::with_capacity(n);
    for _ in 0..n {
        let pick = b.byte();
        if pick % 4 == 0 {
            hops.push(format!("{{name: hop{pick}, idle_timeout_s: {}}}", yaml_number(b.number())));
        } else {
            hops.push(HOPS[usize::from(pick) % HOPS.len()].to_string());
        }
    }
    let direction = ["server-to-client", "bidirectional", "client-to-server"][usize::from(b.byte()) % 3];
    let text = format!("name: fuzz\ndirection: {direction}\npath: [{}]\n", hops.join(", "));
    match rtadvisor::profile::parse_profile(&text, &k.hop_ids()) {
        Ok(p) => {
            let hops = p.path.as_ref().map_or(0, Vec::len);
            assert!(hops <= rtadvisor::profile::MAX_PATH_HOPS);
            let d = Engine::new(k).decide(&p, "fuzz");
            if let Some(hb) = d.recommendation.heartbeat_s {
                assert!(hb.is_finite() && hb > 0.0, "heartbeat {hb}");
            }
            let _ = rtadvisor::report::table::render(std::slice::from_ref(&d));
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty());
            if n > rtadvisor::profile::MAX_PATH_HOPS {
                assert_eq!(diagnostics.len(), 1, "one diagnostic for a path over the cap");
            }
        }
    }
}
