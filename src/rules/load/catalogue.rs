//! The catalogues: sources (with their read dates), transports, add-ons and
//! the comparison matrix.

use super::*;

impl Builder<'_> {
    pub(super) fn check_source(
        &mut self,
        file: usize,
        obj: &Obj,
        key: &str,
        known: &[&str],
    ) -> Kstr {
        let mut out = Vec::new();
        let id = obj.text(key, true, &mut out).unwrap_or_default();
        if !id.is_empty() && !known.contains(&id.as_str()) {
            let pos = obj.get(key).map_or(obj.pos, |n| n.pos);
            out.push(
                Diagnostic::at(format!("unknown source `{id}`"), pos)
                    .label("not in any `sources:` list")
                    .help(suggestion(&id, known.iter().copied())),
            );
        }
        self.files.problems[file].extend(out);
        id
    }

    pub(super) fn sources(&mut self, entries: Vec<Entry>) -> Vec<SourceInfo> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "a source", &mut p) else {
                continue;
            };
            o.finish(
                &["id", "title", "url", "checked", "confidence", "disabled"],
                &mut p,
            );
            let title = o.text("title", true, &mut p);
            let url = o.text("url", true, &mut p);
            let checked = o.text("checked", true, &mut p);
            if let Some(c) = &checked {
                let ok = c.len() >= 7
                    && c.chars().enumerate().all(|(i, ch)| {
                        if i == 4 || i == 7 {
                            ch == '-'
                        } else {
                            ch.is_ascii_digit()
                        }
                    })
                    && (c.len() == 7 || c.len() == 10);
                if !ok {
                    p.push(
                        Diagnostic::at(
                            format!(
                                "`checked` must be a date (YYYY-MM or YYYY-MM-DD), found `{c}`"
                            ),
                            o.get("checked").map_or(o.pos, |n| n.pos),
                        )
                        .label("the date the source was read"),
                    );
                }
            }
            let confidence = o
                .text("confidence", false, &mut p)
                .unwrap_or_else(|| "primary".into());
            if !["primary", "secondary"].contains(&confidence.as_str()) {
                p.push(Diagnostic::at(
                    "`confidence` must be primary or secondary",
                    o.pos,
                ));
            }
            let origin = self.files.origin(e.file, o.pos);
            if let (Some(title), Some(url), Some(checked)) = (title, url, checked) {
                out.push(SourceInfo {
                    id: e.id,
                    title,
                    url,
                    checked,
                    confidence,
                    origin,
                });
            }
            self.files.problems[e.file].extend(p);
        }
        out
    }

    pub(super) fn transports(&mut self, entries: Vec<Entry>) -> Vec<TransportInfo> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "a transport", &mut p) else {
                continue;
            };
            o.finish(
                &[
                    "id",
                    "name",
                    "ladder",
                    "recommend",
                    "tie_rank",
                    "summary",
                    "path",
                    "disabled",
                ],
                &mut p,
            );
            let mut path = Vec::new();
            for (w, pos) in o.words("path", &mut p) {
                match PathConcern::parse(&w) {
                    Some(c) if !path.contains(&c) => path.push(c),
                    Some(_) => p.push(
                        Diagnostic::at(format!("`{w}` is named twice in `path`"), pos)
                            .label("already listed"),
                    ),
                    None => p.push(
                        Diagnostic::at(format!("unknown path property `{w}`"), pos)
                            .label("not a path property")
                            .help(suggestion(&w, PathConcern::ALL.iter().map(|c| c.as_str()))),
                    ),
                }
            }
            let name = o.text("name", true, &mut p);
            let ladder = o.num("ladder", false, &mut p).map(|n| n.max(0.0) as u32);
            let recommend = o.flag("recommend", false, &mut p).unwrap_or(true);
            let tie_rank = o.num("tie_rank", false, &mut p).unwrap_or(100.0).max(0.0) as u32;
            let summary = o.text("summary", true, &mut p);
            let origin = self.files.origin(e.file, o.pos);
            if let (Some(name), Some(summary)) = (name, summary) {
                out.push(TransportInfo {
                    id: e.id,
                    name,
                    ladder,
                    recommend,
                    tie_rank,
                    summary,
                    path,
                    origin,
                });
            }
            self.files.problems[e.file].extend(p);
        }
        out
    }

    pub(super) fn add_ons(&mut self, entries: Vec<Entry>) -> Vec<AddOnInfo> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "an add-on", &mut p) else {
                continue;
            };
            o.finish(&["id", "name", "build", "disabled"], &mut p);
            let name = o.text("name", true, &mut p);
            let build = o.text("build", true, &mut p);
            if let Some(b) = &build {
                check_placeholders(
                    b,
                    Scope::Profile,
                    o.get("build").map_or(o.pos, |n| n.pos),
                    &mut p,
                );
            }
            let origin = self.files.origin(e.file, o.pos);
            if let (Some(name), Some(build)) = (name, build) {
                out.push(AddOnInfo {
                    id: e.id,
                    name,
                    build,
                    origin,
                });
            }
            self.files.problems[e.file].extend(p);
        }
        out
    }

    pub(super) fn comparison(
        &mut self,
        entries: Vec<Entry>,
        sources: &[&str],
        transports: &[TransportInfo],
    ) -> Vec<ComparisonRow> {
        let mut out = Vec::new();
        for e in entries {
            let mut p = Vec::new();
            let Some(o) = Obj::new(&e.node, "a comparison row", &mut p) else {
                continue;
            };
            let mut cells = Vec::new();
            let mut allowed: Vec<&str> = vec!["dimension", "sources", "disabled"];
            allowed.extend(transports.iter().map(|t| t.id.as_str()));
            o.finish(&allowed, &mut p);
            for t in transports {
                if let Some(text) = o.text(&t.id, false, &mut p) {
                    cells.push((t.id.clone(), text));
                }
            }
            let srcs: Vec<Kstr> = o
                .words("sources", &mut p)
                .into_iter()
                .filter_map(|(s, pos)| {
                    if sources.contains(&s.as_str()) {
                        Some(s)
                    } else {
                        p.push(
                            Diagnostic::at(format!("unknown source `{s}`"), pos)
                                .help(suggestion(&s, sources.iter().copied())),
                        );
                        None
                    }
                })
                .collect();
            out.push(ComparisonRow {
                dimension: e.id,
                cells,
                sources: srcs,
            });
            self.files.problems[e.file].extend(p);
        }
        out
    }
}
