//! Speed, as the README's Performance section reports it. Run with `cargo bench`
//! (`cargo bench -- NAME` for one group). Covers:
//! - cold start: the whole process (`advise FILE --format json`), spawned, beside
//!   `cat FILE`;
//! - loading the default rules: decoding the precompiled form, and parsing the YAML
//!   (what `--rules` overlays still pay);
//! - a warm decision with flips and unknowns, and without them, on every fixture
//!   (and the median over fixtures, printed at the end);
//! - the batch: 10,000 profiles decided in process (one thread), and
//!   `advise DIR --format json` spawned on a folder of 10,000.
//!
//! `ask`'s lookahead, as the interview runs it, is `benches/ask.rs`.
//!
//! Speed is measured here and by `scripts/bench.sh`, never asserted in tests.

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use rtadvisor::engine::Engine;
use rtadvisor::profile::{parse_profile, Profile};
use rtadvisor::rules::Knowledge;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rtadvisor");

fn fixture_paths() -> Vec<PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir("fixtures")
        .expect("run from the crate root")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
}

fn fixtures(k: &Knowledge) -> Vec<(String, Profile)> {
    fixture_paths()
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable fixture");
            let profile = parse_profile(&text, &k.hop_ids()).expect("valid fixture");
            (p.display().to_string(), profile)
        })
        .collect()
}

/// A folder of `n` profiles: the fixtures over and over, each under its own name.
fn batch_dir(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let texts: Vec<String> = fixture_paths()
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("readable fixture"))
        .collect();
    for i in 0..n {
        let text = &texts[i % texts.len()];
        std::fs::write(dir.path().join(format!("p{i:05}.yaml")), text).expect("write");
    }
    dir
}

fn spawn(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("spawn");
    black_box(status);
}

fn cold_start(c: &mut Criterion) {
    let file = "fixtures/comment-thread.yaml";
    let mut g = c.benchmark_group("cold start (spawned process)");
    g.bench_function("cat FILE", |b| b.iter(|| spawn("cat", &[file])));
    g.bench_function("advise FILE --format json", |b| {
        b.iter(|| spawn(BIN, &["advise", file, "--format", "json"]))
    });
    g.finish();
}

fn rules(c: &mut Criterion) {
    let mut g = c.benchmark_group("default rules");
    g.bench_function("decode the precompiled form", |b| {
        b.iter(|| black_box(Knowledge::embedded()))
    });
    g.sample_size(20);
    g.bench_function("parse and validate the YAML", |b| {
        b.iter(|| black_box(Knowledge::parse_defaults()))
    });
    g.finish();
}

/// The in-process pieces of one `advise FILE --format json` run, each alone: what a
/// cold start spends outside the kernel and the loader.
fn start_up(c: &mut Criterion) {
    use clap::Parser;
    let mut g = c.benchmark_group("start-up pieces");
    let args = [
        "rtadvisor",
        "advise",
        "fixtures/comment-thread.yaml",
        "--format",
        "json",
    ];
    g.bench_function("parse the command line", |b| {
        b.iter(|| black_box(rtadvisor::cli::Cli::try_parse_from(black_box(args))))
    });
    let k = Knowledge::embedded().expect("valid embedded rules");
    g.bench_function("make the engine", |b| b.iter(|| black_box(Engine::new(&k))));
    g.bench_function("drop the rules", |b| {
        b.iter_batched(
            || Knowledge::embedded().expect("valid embedded rules"),
            drop,
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn warm(c: &mut Criterion) {
    let k = Knowledge::embedded().expect("valid embedded rules");
    let engine = Engine::new(&k);
    let all = fixtures(&k);
    let mut g = c.benchmark_group("warm decision");
    g.throughput(Throughput::Elements(all.len() as u64));
    g.bench_function("every fixture, with flips", |b| {
        b.iter(|| {
            for (n, p) in &all {
                black_box(engine.decide(black_box(p), n));
            }
        })
    });
    g.bench_function("every fixture, without flips", |b| {
        b.iter(|| {
            for (n, p) in &all {
                black_box(engine.decide_without_flips(black_box(p), n));
            }
        })
    });
    g.finish();
    let mut g = c.benchmark_group("warm decision, one fixture");
    for name in ["comment-thread", "iot-fleet-100k"] {
        let Some((n, p)) = all.iter().find(|(n, _)| n.contains(name)) else {
            continue;
        };
        g.bench_with_input(BenchmarkId::new("with flips", name), p, |b, p| {
            b.iter(|| black_box(engine.decide(black_box(p), n)))
        });
        g.bench_with_input(BenchmarkId::new("without flips", name), p, |b, p| {
            b.iter(|| black_box(engine.decide_without_flips(black_box(p), n)))
        });
    }
    g.finish();
    let text = std::fs::read_to_string("fixtures/comment-thread.yaml").expect("fixture");
    let ids = k.hop_ids();
    c.bench_function("parse and validate one profile", |b| {
        b.iter(|| black_box(parse_profile(black_box(&text), &ids)))
    });
}

fn batch(c: &mut Criterion) {
    let k = Knowledge::embedded().expect("valid embedded rules");
    let engine = Engine::new(&k);
    let all = fixtures(&k);
    let many: Vec<&(String, Profile)> = all.iter().cycle().take(10_000).collect();
    let mut g = c.benchmark_group("batch of 10,000");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("decide in process (one thread, with flips)", |b| {
        b.iter(|| {
            for (n, p) in &many {
                black_box(engine.decide(p, n));
            }
        })
    });
    g.bench_function("advise DIR --format json (spawned)", |b| {
        // Made only when this benchmark runs (criterion calls the closure then).
        let dir = batch_dir(10_000);
        let path = dir.path().to_str().expect("utf-8 temp path").to_string();
        b.iter(|| spawn(BIN, &["advise", &path, "--format", "json"]))
    });
    g.finish();
}

/// The median over fixtures of each fixture's own median decision time: the figure
/// the README gives for a warm decision.
fn medians() {
    let k = Knowledge::embedded().expect("valid embedded rules");
    let engine = Engine::new(&k);
    let all = fixtures(&k);
    let per = |f: &dyn Fn(&Profile, &str)| -> Duration {
        let mut each: Vec<Duration> = all
            .iter()
            .map(|(n, p)| {
                let mut runs: Vec<Duration> = (0..101)
                    .map(|_| {
                        let t = Instant::now();
                        f(p, n);
                        t.elapsed()
                    })
                    .collect();
                runs.sort();
                runs[runs.len() / 2]
            })
            .collect();
        each.sort();
        each[each.len() / 2]
    };
    let with = per(&|p, n| drop(black_box(engine.decide(p, n))));
    let without = per(&|p, n| drop(black_box(engine.decide_without_flips(p, n))));
    println!(
        "median warm decision over {} fixtures: {:.1} µs with flips and unknowns, {:.1} µs without",
        all.len(),
        with.as_secs_f64() * 1e6,
        without.as_secs_f64() * 1e6
    );
}

criterion_group!(benches, cold_start, rules, start_up, warm, batch);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if !std::env::args().any(|a| a == "--list") {
        medians();
    }
}
