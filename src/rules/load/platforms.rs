//! Platform knowledge: runtimes and hops, with their timeouts, capabilities,
//! capacity limits and notes, each citing a source.

use super::*;

impl Builder<'_> {
    pub(super) fn timeout(
        &mut self,
        file: usize,
        o: &Obj,
        key: &str,
        sources: &[&str],
    ) -> Option<Timeout> {
        let node = o.get(key)?;
        let mut p = Vec::new();
        let t = Obj::new(node, "a timeout", &mut p)?;
        t.finish(
            &["seconds", "max_seconds", "setting", "fix", "note", "source"],
            &mut p,
        );
        let seconds = t.num("seconds", true, &mut p);
        if matches!(seconds, Some(s) if s <= 0.0) {
            p.push(Diagnostic::at("`seconds` must be > 0", t.pos));
        }
        let out = Timeout {
            seconds: seconds.unwrap_or(0.0),
            max_seconds: t.num("max_seconds", false, &mut p),
            setting: t.text("setting", false, &mut p),
            fix: t.text("fix", false, &mut p),
            note: t.text("note", false, &mut p),
            source: Kstr::default(),
        };
        self.files.problems[file].extend(p);
        let source = self.check_source(file, &t, "source", sources);
        Some(Timeout { source, ..out })
    }

    pub(super) fn capability(
        &mut self,
        file: usize,
        o: &Obj,
        key: &str,
        flag: &str,
        how: &str,
        sources: &[&str],
    ) -> Option<Capability> {
        let node = o.get(key)?;
        let mut p = Vec::new();
        let c = Obj::new(node, "a capability", &mut p)?;
        c.finish(&[flag, how, "note", "source"], &mut p);
        let value = c.flag(flag, true, &mut p).unwrap_or(false);
        let how_text = c.text(how, false, &mut p);
        let note = c.text("note", false, &mut p);
        self.files.problems[file].extend(p);
        let source = self.check_source(file, &c, "source", sources);
        Some(Capability {
            value,
            how: how_text,
            note,
            source,
        })
    }

    pub(super) fn note(&mut self, file: usize, node: &Node, sources: &[&str]) -> Option<Note> {
        let mut p = Vec::new();
        let n = Obj::new(node, "a note", &mut p)?;
        n.finish(&["text", "source"], &mut p);
        let text = n.text("text", true, &mut p);
        self.files.problems[file].extend(p);
        let source = self.check_source(file, &n, "source", sources);
        Some(Note {
            text: text?,
            source,
        })
    }

    pub(super) fn limits(&mut self, file: usize, o: &Obj, sources: &[&str]) -> Vec<Limit> {
        let items = match o.get("limits").map(|n| &n.value) {
            Some(Value::Seq(items)) => items,
            Some(_) => {
                self.files.push(
                    file,
                    Diagnostic::at("`limits` must be a list of limits", o.pos)
                        .help("each: {id, what, unit, per, max, fix, source}"),
                );
                return Vec::new();
            }
            None => return Vec::new(),
        };
        let mut out: Vec<Limit> = Vec::new();
        for item in items {
            let mut p = Vec::new();
            let Some(l) = Obj::new(item, "a limit", &mut p) else {
                self.files.problems[file].extend(p);
                continue;
            };
            l.finish(
                &[
                    "id",
                    "what",
                    "unit",
                    "per",
                    "transports",
                    "max",
                    "default",
                    "max_instances",
                    "fix",
                    "source",
                ],
                &mut p,
            );
            let id = l.text("id", true, &mut p).unwrap_or_default();
            if out.iter().any(|x| x.id == id) {
                p.push(Diagnostic::at(format!("duplicate limit id `{id}`"), l.pos));
            }
            let what = l.text("what", true, &mut p).unwrap_or_default();
            let word = |key: &str, allowed: &[&str], p: &mut Vec<Diagnostic>| {
                let w = l.text(key, true, p).unwrap_or_default();
                if !w.is_empty() && !allowed.contains(&w.as_str()) {
                    p.push(
                        Diagnostic::at(
                            format!("`{key}` must be one of {}", allowed.join(", ")),
                            l.get(key).map_or(l.pos, |n| n.pos),
                        )
                        .help(suggestion(&w, allowed.iter().copied())),
                    );
                }
                w
            };
            let unit = word("unit", LIMIT_UNITS, &mut p);
            let per = word("per", LIMIT_SCOPES, &mut p);
            let transports: Vec<Kstr> = l
                .words("transports", &mut p)
                .into_iter()
                .map(|(w, _)| w)
                .collect();
            let positive = |key: &str, v: Option<f64>, p: &mut Vec<Diagnostic>| {
                if let Some(x) = v {
                    if !(x > 0.0 && x.is_finite()) {
                        p.push(Diagnostic::at(format!("`{key}` must be > 0"), l.pos));
                        return None;
                    }
                }
                v
            };
            let max = l.num("max", true, &mut p);
            let max = positive("max", max, &mut p).unwrap_or(1.0);
            let default = l.num("default", false, &mut p);
            let default = positive("default", default, &mut p);
            let max_instances = l.num("max_instances", false, &mut p);
            let max_instances = positive("max_instances", max_instances, &mut p);
            let fix = l.text("fix", true, &mut p).unwrap_or_default();
            self.files.problems[file].extend(p);
            let source = self.check_source(file, &l, "source", sources);
            out.push(Limit {
                id,
                what,
                unit,
                per,
                transports,
                max,
                default,
                max_instances,
                fix,
                source,
            });
        }
        out
    }

    pub(super) fn notes(&mut self, file: usize, o: &Obj, sources: &[&str]) -> Vec<Note> {
        match o.get("notes").map(|n| &n.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|i| self.note(file, i, sources))
                .collect(),
            Some(_) => {
                self.files.push(
                    file,
                    Diagnostic::at("`notes` must be a list of {text, source}", o.pos),
                );
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    pub(super) fn hops(&mut self, entries: Vec<Entry>, sources: &[&str]) -> Vec<HopInfo> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "a hop", &mut p) else {
                self.files.problems[e.file].extend(p);
                continue;
            };
            o.finish(
                &[
                    "id",
                    "name",
                    "idle_timeout",
                    "lifetime",
                    "websocket_idle_timeout",
                    "websocket_lifetime",
                    "limits",
                    "buffering",
                    "websocket",
                    "sse",
                    "http2",
                    "notes",
                    "disabled",
                ],
                &mut p,
            );
            let name = o.text("name", true, &mut p);
            self.files.problems[e.file].extend(p);
            let hop = HopInfo {
                idle_timeout: self.timeout(e.file, &o, "idle_timeout", sources),
                lifetime: self.timeout(e.file, &o, "lifetime", sources),
                websocket_idle_timeout: self.timeout(e.file, &o, "websocket_idle_timeout", sources),
                websocket_lifetime: self.timeout(e.file, &o, "websocket_lifetime", sources),
                limits: self.limits(e.file, &o, sources),
                buffering: self.capability(e.file, &o, "buffering", "default", "fix", sources),
                websocket: self.capability(e.file, &o, "websocket", "supported", "setup", sources),
                sse: self.capability(e.file, &o, "sse", "supported", "setup", sources),
                http2: self.capability(e.file, &o, "http2", "supported", "setup", sources),
                notes: self.notes(e.file, &o, sources),
                origin: self.files.origin(e.file, o.pos),
                name: name.unwrap_or_else(|| e.id.clone()),
                id: e.id,
            };
            out.push(hop);
        }
        out
    }

    pub(super) fn runtimes(
        &mut self,
        entries: Vec<Entry>,
        sources: &[&str],
        hops: &[HopInfo],
    ) -> Vec<Runtime> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "a runtime", &mut p) else {
                self.files.problems[e.file].extend(p);
                continue;
            };
            o.finish(
                &[
                    "id",
                    "name",
                    "kind",
                    "websocket",
                    "streaming",
                    "lifetime",
                    "idle_timeout",
                    "websocket_lifetime",
                    "websocket_idle_timeout",
                    "limits",
                    "implies",
                    "managed_service",
                    "notes",
                    "disabled",
                ],
                &mut p,
            );
            let name = o.text("name", true, &mut p);
            let kind = o.text("kind", true, &mut p).unwrap_or_default();
            if !kind.is_empty() && !vars::KINDS.contains(&kind.as_str()) {
                p.push(
                    Diagnostic::at(
                        format!("unknown runtime kind `{kind}`"),
                        o.get("kind").map_or(o.pos, |n| n.pos),
                    )
                    .help(suggestion(&kind, vars::KINDS.iter().copied())),
                );
            }
            let mut implies = Vec::new();
            for (h, pos) in o.words("implies", &mut p) {
                if hops.iter().any(|x| x.id == h) {
                    implies.push(h);
                } else {
                    p.push(
                        Diagnostic::at(format!("unknown hop `{h}` in `implies`"), pos)
                            .help(suggestion(&h, hops.iter().map(|x| x.id.as_str()))),
                    );
                }
            }
            self.files.problems[e.file].extend(p);
            let websocket = o.get("websocket").and_then(|n| {
                let mut p = Vec::new();
                let w = Obj::new(n, "websocket support", &mut p)?;
                w.finish(&["support", "note", "source"], &mut p);
                let support = w.text("support", true, &mut p).unwrap_or_default();
                if !vars::WS_SUPPORT.contains(&support.as_str()) {
                    p.push(
                        Diagnostic::at(
                            format!("`support` must be one of {}", vars::WS_SUPPORT.join(", ")),
                            w.get("support").map_or(w.pos, |n| n.pos),
                        )
                        .help(suggestion(&support, vars::WS_SUPPORT.iter().copied())),
                    );
                }
                let note = w.text("note", false, &mut p).unwrap_or_default();
                self.files.problems[e.file].extend(p);
                let source = self.check_source(e.file, &w, "source", sources);
                Some((support, Note { text: note, source }))
            });
            let managed_service = o
                .get("managed_service")
                .and_then(|n| self.note(e.file, n, sources));
            let rt = Runtime {
                kind,
                websocket,
                streaming: self.capability(e.file, &o, "streaming", "supported", "setup", sources),
                lifetime: self.timeout(e.file, &o, "lifetime", sources),
                idle_timeout: self.timeout(e.file, &o, "idle_timeout", sources),
                websocket_lifetime: self.timeout(e.file, &o, "websocket_lifetime", sources),
                websocket_idle_timeout: self.timeout(e.file, &o, "websocket_idle_timeout", sources),
                limits: self.limits(e.file, &o, sources),
                implies,
                managed_service,
                notes: self.notes(e.file, &o, sources),
                origin: self.files.origin(e.file, o.pos),
                name: name.unwrap_or_else(|| e.id.clone()),
                id: e.id,
            };
            out.push(rt);
        }
        out
    }
}
