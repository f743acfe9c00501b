//! Reading what a command works on: the rules in force (`--rules`), and workload
//! profiles from files, folders and stdin, each validated into a [`Profile`] or
//! reported with its diagnostics; big batches on every core.

use crate::cli::RulesArg;
use crate::diag::{Diagnostic, Report, Source};
use crate::engine::{Decision, Engine};
use crate::input;
use crate::output::{Failure, Outcome};
use crate::profile::{parse_profile, Profile};
use crate::rules::Knowledge;
use std::path::{Path, PathBuf};

/// The rules in force: the embedded defaults, with `--rules DIR` laid over them.
pub fn knowledge(arg: &RulesArg) -> Result<Knowledge, Failure> {
    Ok(match &arg.rules {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(Failure::Usage(format!(
                    "--rules {}: not a folder of rule files",
                    dir.display()
                )));
            }
            Knowledge::with_overlay(dir)?
        }
        None => Knowledge::embedded()?,
    })
}

/// A profile read from one input.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub source: String,
    pub profile: Profile,
    /// The line that sets `current_transport` (1-based), for audit formats
    /// that point at it (SARIF).
    pub current_line: Option<usize>,
}

/// The line of a profile's text that sets `current_transport`, if one does at the
/// top level (block style, as `init` and `ask --save` write profiles).
fn current_line(text: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.strip_prefix("current_transport")
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// A report for a problem with a whole file (no position inside it).
pub fn file_problem(name: &str, d: Diagnostic) -> Report {
    Report {
        source: Source {
            name: name.to_string(),
            text: String::new(),
        },
        diagnostics: vec![d],
    }
}

/// Expands folders into their `*.yaml`/`*.yml` files (sorted); keeps files and `-`.
/// Folders that cannot be listed or hold no profile are reported, the rest kept.
pub fn expand_inputs(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<Report>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            out.push(input.clone());
            continue;
        }
        if input.is_dir() {
            match std::fs::read_dir(input) {
                Ok(entries) => {
                    let mut files: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .filter(|e| {
                            matches!(
                                Path::new(&e.file_name())
                                    .extension()
                                    .and_then(|x| x.to_str()),
                                Some("yaml" | "yml")
                            )
                        })
                        // The listing says what most entries are; only a link (or an
                        // entry it cannot type) costs a `stat` to see what it leads to.
                        .filter(|e| match e.file_type() {
                            Ok(t) if !t.is_symlink() => t.is_file(),
                            _ => e.path().is_file(),
                        })
                        .map(|e| e.path())
                        .collect();
                    files.sort();
                    if files.is_empty() {
                        problems.push(file_problem(
                            &input.display().to_string(),
                            Diagnostic::new("no *.yaml or *.yml profiles in this folder", None)
                                .help("pass profile files, or a folder that holds some"),
                        ));
                    }
                    out.extend(files);
                }
                Err(e) => problems.push(file_problem(
                    &input.display().to_string(),
                    Diagnostic::new(format!("cannot read folder: {e}"), None),
                )),
            }
        } else {
            out.push(input.clone());
        }
    }
    (out, problems)
}

/// Reads one input as text.
pub fn read_input(path: &Path) -> Result<(String, String), Report> {
    let name = if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let text = if path.as_os_str() == "-" {
        input::read_limited(std::io::stdin().lock())
    } else {
        input::read_text(path)
    };
    match text {
        Ok(t) => Ok((name, t)),
        Err(e) => {
            // The text is only for showing the offending line: read it only when
            // it is small enough (a refused 30 MB file is never read).
            let small = std::fs::metadata(path)
                .is_ok_and(|m| m.is_file() && m.len() <= crate::yaml::MAX_INPUT_BYTES);
            let lossy = if small && e.pos.is_some() {
                std::fs::read(path)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default()
            } else {
                String::new()
            };
            Err(Report {
                source: Source { name, text: lossy },
                diagnostics: vec![Diagnostic::new(e.message, e.pos)
                    .label("here")
                    .help_opt(e.help)],
            })
        }
    }
}

/// Loads one profile from a file (or `-`); a folder is refused, not expanded.
pub fn load_one(path: &Path, k: &Knowledge) -> Result<Loaded, Failure> {
    let (name, text) = read_input(path).map_err(|r| Failure::Input(vec![r]))?;
    match parse_profile(&text, &k.hop_ids()) {
        Ok(profile) => Ok(Loaded {
            current_line: current_line(&text),
            source: name,
            profile,
        }),
        Err(diagnostics) => Err(Failure::Input(vec![Report {
            source: Source { name, text },
            diagnostics,
        }])),
    }
}

/// Loads and validates every profile: the good ones, and a report for each input
/// that could not be read or is not a valid profile (all of them, in input order).
pub fn load_profiles(
    inputs: &[PathBuf],
    k: &Knowledge,
) -> Result<(Vec<Loaded>, Vec<Report>), Failure> {
    check_streams_read_once(inputs)?;
    let (paths, mut reports) = expand_inputs(inputs);
    let ids = k.hop_ids();
    let mut loaded = Vec::with_capacity(paths.len());
    for r in parallel_map(&paths, |path| load_path(path, &ids)) {
        match r {
            Ok(l) => loaded.push(l),
            Err(r) => reports.push(r),
        }
    }
    Ok((loaded, reports))
}

/// Reads and validates one profile (or `-`).
pub fn load_path(path: &Path, ids: &crate::profile::HopIds) -> Result<Loaded, Report> {
    let (name, text) = read_input(path)?;
    match parse_profile(&text, ids) {
        Ok(profile) => Ok(Loaded {
            current_line: current_line(&text),
            source: name,
            profile,
        }),
        Err(diagnostics) => Err(Report {
            source: Source { name, text },
            diagnostics,
        }),
    }
}

/// Standard input, a pipe or a device named twice (`- -`, `/dev/stdin -`) would be
/// empty the second time: refuse it instead of reporting an empty profile.
///
/// `paths` are the inputs as named on the command line: a folder's profiles are
/// regular files ([`expand_inputs`] takes only those), so a folder is passed over
/// and its thousands of files cost no `stat` each before the first is read.
pub fn check_streams_read_once(paths: &[PathBuf]) -> Outcome {
    use std::os::unix::fs::MetadataExt;
    let mut seen: Vec<(u64, u64)> = Vec::new();
    for p in paths {
        let target = if p.as_os_str() == "-" {
            Path::new("/dev/stdin")
        } else {
            p.as_path()
        };
        let Ok(m) = std::fs::metadata(target) else {
            continue;
        };
        if m.is_file() || m.is_dir() {
            continue;
        }
        let key = (m.dev(), m.ino());
        if seen.contains(&key) {
            return Err(Failure::Usage(format!(
                "{}: standard input (or the same pipe or device) is named twice; it can be read only once",
                crate::term::clean(&p.display().to_string())
            )));
        }
        seen.push(key);
    }
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(Failure::Usage("stdin (-) can be read only once".into()));
    }
    Ok(())
}

/// Maps `f` over `items` in order, on every core for big batches.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if items.len() < 64 || threads < 2 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// Decides every profile, using every core for big batches.
pub fn decide_all<'k>(engine: &Engine<'k>, loaded: &[Loaded]) -> Vec<Decision<'k>> {
    parallel_map(loaded, |l| engine.decide(&l.profile, &l.source))
}

/// How many inputs a worker of [`in_order`] takes at a time.
pub const BATCH: usize = 16;

/// Maps `work` over `items` on `threads` workers (taking [`BATCH`] items at a time)
/// and hands the results to `take` in input order, as soon as all before them are
/// taken. A worker never runs more than `window` batches ahead of what is taken:
/// a worker left behind (a busy machine deschedules it) would otherwise let the
/// others fill memory with results that cannot be taken yet. Once `take` says
/// `false` (the output cannot be written), no more work is started; the results of
/// the batch at hand are still taken.
///
/// Gives the most results that were ever waiting for an earlier one (at most
/// `window` × [`BATCH`]): what the window bounds.
pub fn in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    window: usize,
    work: impl Fn(&T) -> R + Sync,
    mut take: impl FnMut(R) -> bool,
) -> usize {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    if threads < 2 {
        for item in items {
            if !take(work(item)) {
                break;
            }
        }
        return 0;
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let window = window * BATCH;
    let printed_so_far = (std::sync::Mutex::new(0usize), std::sync::Condvar::new());
    let mut most_held = 0;
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<R>)>(threads * 2);
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, stop, work) = (&next, &stop, &work);
            let gate = &printed_so_far;
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let start = next.fetch_add(BATCH, Ordering::Relaxed);
                    if start >= items.len() {
                        break;
                    }
                    // The batch just before the window is always someone's to
                    // finish (or taken): waiting here never waits for itself.
                    let mut printed = gate.0.lock().unwrap_or_else(|e| e.into_inner());
                    while start >= *printed + window && !stop.load(Ordering::Relaxed) {
                        printed = gate.1.wait(printed).unwrap_or_else(|e| e.into_inner());
                    }
                    drop(printed);
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let end = (start + BATCH).min(items.len());
                    let done = items[start..end].iter().map(work).collect();
                    if tx.send((start, done)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Batches arrive in any order: take each once all before it are taken.
        let mut waiting: BTreeMap<usize, Vec<R>> = BTreeMap::new();
        let mut held = 0usize;
        let mut printed = 0usize;
        for (start, done) in rx.iter() {
            held += done.len();
            most_held = most_held.max(held);
            waiting.insert(start, done);
            let before = printed;
            let mut failed = false;
            while let Some(done) = waiting.remove(&printed) {
                printed += done.len();
                held -= done.len();
                for r in done {
                    failed |= !take(r);
                }
            }
            if failed {
                stop.store(true, Ordering::Relaxed);
            }
            if printed != before || failed {
                *printed_so_far.0.lock().unwrap_or_else(|e| e.into_inner()) = printed;
                printed_so_far.1.notify_all();
            }
            if failed {
                break;
            }
        }
    });
    most_held
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    /// A worker left behind on the first batch: the others run on, but never more
    /// than the window ahead of what is taken (without the window they would decide
    /// everything while it waits), and the results still come in input order.
    #[test]
    fn workers_stay_within_the_window_of_a_worker_left_behind() {
        let window = 4;
        let items: Vec<usize> = (0..BATCH * window * 20).collect();
        let started = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let most_held = in_order(
            &items,
            3,
            window,
            |&i| {
                started.fetch_add(1, Ordering::SeqCst);
                if i == 0 {
                    // Held back until the others have run as far as they may
                    // (or much further, without a window), or for a while.
                    let t = Instant::now();
                    while started.load(Ordering::SeqCst) < items.len() / 2
                        && t.elapsed() < Duration::from_millis(300)
                    {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
                i
            },
            |i| {
                seen.push(i);
                true
            },
        );
        assert_eq!(seen, items, "every result, in input order");
        assert!(most_held > 0, "the others ran ahead of the first batch");
        assert!(
            most_held <= window * BATCH,
            "{most_held} results waited for the first batch (window: {})",
            window * BATCH
        );
    }

    /// Once `take` refuses (the output is closed), no more work is started.
    #[test]
    fn a_refusing_taker_stops_the_workers() {
        let items: Vec<usize> = (0..BATCH * 200).collect();
        let worked = AtomicUsize::new(0);
        let mut taken = 0;
        in_order(
            &items,
            2,
            4,
            |&i| {
                worked.fetch_add(1, Ordering::SeqCst);
                i
            },
            |_| {
                taken += 1;
                taken < 10
            },
        );
        assert!((10..=BATCH).contains(&taken), "{taken}");
        assert!(worked.load(Ordering::SeqCst) < items.len() / 2);
    }

    /// One thread: in order, and stopped at the first refusal.
    #[test]
    fn one_thread_takes_in_order() {
        let items: Vec<usize> = (0..100).collect();
        let mut seen = Vec::new();
        in_order(
            &items,
            1,
            4,
            |&i| i * 2,
            |i| {
                seen.push(i);
                i < 20
            },
        );
        assert_eq!(seen, (0..=10).map(|i| i * 2).collect::<Vec<_>>());
    }
}
