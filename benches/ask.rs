//! `ask`'s lookahead for one answer, as the interview runs it: the outlook for the
//! transport over every open question (random completions, each decided), and the
//! check of each open question for what it can still refine. Timed at the start of
//! an interview (name and direction answered: the most questions open), for each of
//! the direction question's options; the slowest is reported.

use criterion::{criterion_group, criterion_main, Criterion};
use rtadvisor::commands::ask::lookahead::Lookahead;
use rtadvisor::commands::ask::questions::{embedded, Questions};
use rtadvisor::engine::Engine;
use rtadvisor::profile::Profile;
use rtadvisor::rules::Knowledge;
use std::hint::black_box;
use std::time::Instant;

/// The profile the direction option `id` gives, and the questions still open.
fn start<'q>(qs: &'q Questions, id: &str) -> (Profile, Vec<&'q str>) {
    let q = qs.find("direction").expect("a direction question");
    let c = q.choices.iter().find(|c| c.id == id).expect("the option");
    let mut v = serde_json::json!({"name": "start"});
    for (f, x) in &c.sets {
        if x.as_str() != Some("none") {
            v[f.as_str()] = x.clone();
        }
    }
    let p: Profile = serde_json::from_value(v).expect("a valid start");
    let open = qs
        .questions
        .iter()
        .filter(|o| !o.always && !c.sets.contains_key(&o.field) && o.field != "name")
        .map(|o| o.field.as_str())
        .collect();
    (p, open)
}

fn one_answer(look: &Lookahead, p: &Profile, open: &[&str]) -> usize {
    let out = look.outlook(p, open);
    let now = look.now(p);
    let refinable = open.iter().filter(|f| look.refines(p, &now, f)).count();
    out.gain.len() + refinable
}

fn ask(c: &mut Criterion) {
    let k = Knowledge::embedded().expect("valid embedded rules");
    let engine = Engine::new(&k);
    let qs = embedded().expect("valid questions");
    let look = Lookahead::for_questions(&engine, &qs);
    let direction = qs.find("direction").expect("a direction question");
    let starts: Vec<(Profile, Vec<&str>)> = direction
        .choices
        .iter()
        .map(|c| start(&qs, &c.id))
        .collect();
    let (p, open) = starts
        .iter()
        .max_by_key(|(p, open)| {
            let t = Instant::now();
            black_box(one_answer(&look, p, open));
            t.elapsed()
        })
        .expect("options");
    let mut g = c.benchmark_group("ask");
    g.sample_size(20);
    g.bench_function("interview lookahead for one answer (slowest start)", |b| {
        b.iter(|| black_box(one_answer(&look, black_box(p), open)))
    });
    g.finish();
}

criterion_group!(benches, ask);
criterion_main!(benches);
