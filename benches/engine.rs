//! Engine speed: one profile (with flips and unknowns), a batch of 1,000, and
//! loading the embedded rules. Run with `cargo bench`.

use criterion::{criterion_group, criterion_main, Criterion};
use rtadvisor::engine::Engine;
use rtadvisor::profile::{parse_profile, Profile};
use rtadvisor::rules::Knowledge;
use std::hint::black_box;

fn fixtures(k: &Knowledge) -> Vec<(String, Profile)> {
    let mut paths: Vec<_> = std::fs::read_dir("fixtures")
        .expect("run from the crate root")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable fixture");
            let profile = parse_profile(&text, &k.hop_ids()).expect("valid fixture");
            (p.display().to_string(), profile)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let k = Knowledge::embedded().expect("valid embedded rules");
    let engine = Engine::new(&k);
    let all = fixtures(&k);
    let one = all
        .iter()
        .find(|(n, _)| n.ends_with("comment-thread.yaml"))
        .expect("fixture");

    c.bench_function("load embedded rules", |b| {
        b.iter(|| black_box(Knowledge::embedded()))
    });
    c.bench_function("decide one profile (with flips)", |b| {
        b.iter(|| black_box(engine.decide(black_box(&one.1), &one.0)))
    });
    let text = std::fs::read_to_string(&one.0).expect("fixture");
    let ids = k.hop_ids();
    c.bench_function("parse and validate one profile", |b| {
        b.iter(|| black_box(parse_profile(black_box(&text), &ids)))
    });
    let batch: Vec<&(String, Profile)> = all.iter().cycle().take(1000).collect();
    let mut g = c.benchmark_group("batch");
    g.sample_size(20);
    g.bench_function("decide 1,000 profiles (one thread, with flips)", |b| {
        b.iter(|| {
            for (n, p) in &batch {
                black_box(engine.decide(p, n));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
