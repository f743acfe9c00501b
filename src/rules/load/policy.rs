//! The `policy:` section: confidence margins, heartbeat bounds and capacity
//! windows, every number range-checked with its position, then checked against
//! each other after the files are merged.

use super::*;

impl Builder<'_> {
    pub(super) fn policy(&mut self, nodes: Vec<(usize, Node)>) -> Option<Policy> {
        let mut policy: Option<Policy> = None;
        // Where each policy number was last set: (file, position of its key).
        let mut set_at: HashMap<&'static str, (usize, Pos)> = HashMap::new();
        for (file, node) in nodes {
            let mut p = Vec::new();
            if let Some(o) = Obj::new(&node, "the policy", &mut p) {
                o.finish(&["confidence", "heartbeat", "capacity"], &mut p);
                let mut next = policy.clone().unwrap_or(Policy::FALLBACK);
                if let Some(c) = o
                    .get("confidence")
                    .and_then(|n| Obj::new(n, "confidence", &mut p))
                {
                    c.finish(&["high_margin", "medium_margin"], &mut p);
                    for (key, slot) in [
                        ("high_margin", &mut next.high_margin),
                        ("medium_margin", &mut next.medium_margin),
                    ] {
                        if let Some(v) = c.num(key, false, &mut p) {
                            let at = c.key_pos(key).unwrap_or(c.pos);
                            if v < 0.0 || v.fract() != 0.0 || v > 1000.0 {
                                p.push(
                                    Diagnostic::at(
                                        format!("`{key}` must be a whole number of points from 0 to 1000, found {v}"),
                                        at,
                                    )
                                    .label("out of range")
                                    .help("a margin is how many points the winner leads the runner-up by"),
                                );
                            } else {
                                *slot = v as i32;
                                set_at.insert(key, (file, at));
                            }
                        }
                    }
                }
                if let Some(h) = o
                    .get("heartbeat")
                    .and_then(|n| Obj::new(n, "heartbeat", &mut p))
                {
                    h.finish(
                        &["fraction", "step_s", "min_s", "max_s", "default_s"],
                        &mut p,
                    );
                    for (key, slot) in [
                        ("fraction", &mut next.heartbeat_fraction),
                        ("step_s", &mut next.heartbeat_step_s),
                        ("min_s", &mut next.heartbeat_min_s),
                        ("max_s", &mut next.heartbeat_max_s),
                        ("default_s", &mut next.heartbeat_default_s),
                    ] {
                        if let Some(v) = h.num(key, false, &mut p) {
                            let at = h.key_pos(key).unwrap_or(h.pos);
                            let bad = if key == "fraction" {
                                (v <= 0.0 || v >= 1.0).then_some(
                                    "a fraction of the idle timeout, above 0 and below 1",
                                )
                            } else {
                                (v <= 0.0 || v > 86_400.0)
                                    .then_some("seconds, above 0 and at most 86400")
                            };
                            match bad {
                                Some(range) => p.push(
                                    Diagnostic::at(
                                        format!("`{key}` must be {range}, found {v}"),
                                        at,
                                    )
                                    .label("out of range"),
                                ),
                                None => {
                                    *slot = v;
                                    set_at.insert(key, (file, at));
                                }
                            }
                        }
                    }
                }
                if let Some(c) = o
                    .get("capacity")
                    .and_then(|n| Obj::new(n, "capacity", &mut p))
                {
                    c.finish(&["reconnect_window_s", "jitter_window_s"], &mut p);
                    for (key, slot) in [
                        ("reconnect_window_s", &mut next.reconnect_window_s),
                        ("jitter_window_s", &mut next.jitter_window_s),
                    ] {
                        if let Some(v) = c.num(key, false, &mut p) {
                            let at = c.key_pos(key).unwrap_or(c.pos);
                            if v > 0.0 && v <= 86_400.0 {
                                *slot = v;
                                set_at.insert(key, (file, at));
                            } else {
                                p.push(
                                    Diagnostic::at(
                                        format!("`{key}` must be seconds, above 0 and at most 86400, found {v}"),
                                        at,
                                    )
                                    .label("out of range"),
                                );
                            }
                        }
                    }
                }
                policy = Some(next);
            }
            self.files.problems[file].extend(p);
        }
        if policy.is_none() && !self.files.problems.is_empty() {
            self.files.problems[0].push(Diagnostic::new(
                "no `policy:` section in any rules file",
                None,
            ));
        }
        if let Some(pol) = &policy {
            self.check_policy(pol, &set_at);
        }
        policy
    }

    /// Checks the merged policy's numbers against each other (an overlay may set
    /// one bound and inherit the other), pointing at the key set last.
    pub(super) fn check_policy(
        &mut self,
        p: &Policy,
        set_at: &HashMap<&'static str, (usize, Pos)>,
    ) {
        let pairs = [
            (
                "min_s",
                p.heartbeat_min_s,
                "max_s",
                p.heartbeat_max_s,
                "the heartbeat's lower bound must not be above its upper bound",
            ),
            (
                "medium_margin",
                f64::from(p.medium_margin),
                "high_margin",
                f64::from(p.high_margin),
                "the margin for medium confidence must not be above the one for high",
            ),
        ];
        for (lo_key, lo, hi_key, hi, why) in pairs {
            if lo <= hi {
                continue;
            }
            // Blame whichever of the two was set last (an overlay over the defaults).
            let (blamed, other, other_value) = match (set_at.get(lo_key), set_at.get(hi_key)) {
                (Some(a), Some(b)) if b.0 > a.0 => (hi_key, lo_key, lo),
                (None, Some(_)) => (hi_key, lo_key, lo),
                _ => (lo_key, hi_key, hi),
            };
            let Some(&(file, at)) = set_at.get(blamed) else {
                continue;
            };
            let from = match set_at.get(other) {
                Some(&(f, _)) if f == file => String::new(),
                Some(&(f, _)) if f < DEFAULT_FILES.len() => " in the built-in rules".into(),
                Some(&(f, _)) => format!(" in {}", self.files.sources[f].name),
                None => " by default".into(),
            };
            self.files.push(
                file,
                Diagnostic::at(format!("`{lo_key}` ({lo}) is above `{hi_key}` ({hi})"), at)
                    .label("out of order")
                    .help(format!("{why}; `{other}` is {other_value}{from}")),
            );
        }
        let ordered = p.heartbeat_min_s <= p.heartbeat_max_s;
        if ordered
            && (p.heartbeat_default_s < p.heartbeat_min_s
                || p.heartbeat_default_s > p.heartbeat_max_s)
        {
            // The key of the three that was set last (in the latest file).
            let last = ["default_s", "min_s", "max_s"]
                .iter()
                .filter_map(|k| set_at.get(k))
                .max_by_key(|(file, at)| (*file, at.line));
            if let Some(&(file, at)) = last {
                self.files.push(
                    file,
                    Diagnostic::at(
                        format!(
                            "the default heartbeat ({} s) is outside `min_s`..`max_s` ({}..{} s)",
                            p.heartbeat_default_s, p.heartbeat_min_s, p.heartbeat_max_s
                        ),
                        at,
                    )
                    .label("out of range")
                    .help("keep `min_s` <= `default_s` <= `max_s`"),
                );
            }
        }
    }
}
