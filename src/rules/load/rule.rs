//! Rules: each parsed with its condition, effects, add-ons and gotcha, and
//! checked against the catalogues.

use super::*;

impl Builder<'_> {
    pub(super) fn rules(&mut self, entries: Vec<Entry>, ctx: &RuleCtx) -> Vec<Rule> {
        let mut out = Vec::new();
        for e in entries {
            debug_assert!(!e.disabled);
            let mut p = Vec::new();
            if let Some(rule) = parse_rule(&e, ctx, self.files.origin(e.file, e.node.pos), &mut p) {
                out.push(rule);
            }
            self.files.problems[e.file].extend(p);
        }
        out
    }
}

const RULE_FIELDS: &[&str] = &[
    "id",
    "dimension",
    "message",
    "why",
    "when",
    "foreach",
    "score",
    "veto",
    "for",
    "add_ons",
    "gotcha",
    "hybrid",
    "sources",
    "disabled",
];

fn parse_rule(e: &Entry, ctx: &RuleCtx, origin: Origin, p: &mut Vec<Diagnostic>) -> Option<Rule> {
    let o = Obj::new(&e.node, "a rule", p)?;
    let before = p.len();
    o.finish(RULE_FIELDS, p);
    let dimension = o.text("dimension", true, p).unwrap_or_default();
    if !dimension.is_empty() && !DIMENSIONS.contains(&dimension.as_str()) {
        p.push(
            Diagnostic::at(
                format!("unknown dimension `{dimension}`"),
                o.get("dimension").map_or(o.pos, |n| n.pos),
            )
            .help(suggestion(&dimension, DIMENSIONS.iter().copied())),
        );
    }
    let message = o.text("message", true, p).unwrap_or_default();
    let why = o.text("why", true, p).unwrap_or_default();
    let per_hop = match o.text("foreach", false, p).as_deref() {
        None => false,
        Some("hop") => true,
        Some(other) => {
            p.push(
                Diagnostic::at(
                    format!("`foreach` can only be `hop`, found `{other}`"),
                    o.get("foreach").map_or(o.pos, |n| n.pos),
                )
                .label("expected `hop`"),
            );
            false
        }
    };
    let scope = if per_hop { Scope::Hop } else { Scope::Profile };
    let when = match o.get("when") {
        None => Some(Cond::Always),
        Some(n) => cond::parse(n, scope, &ctx.ids, p),
    };
    let transport_ids: Vec<&str> = ctx.transports.iter().map(|t| t.id.as_str()).collect();
    let recommendable: Vec<&str> = ctx
        .transports
        .iter()
        .filter(|t| t.recommend)
        .map(|t| t.id.as_str())
        .collect();
    let check_transport = |t: &str, pos: Pos, p: &mut Vec<Diagnostic>| {
        if recommendable.contains(&t) {
            true
        } else {
            let why = if transport_ids.contains(&t) {
                "cannot be recommended"
            } else {
                "not a transport"
            };
            p.push(
                Diagnostic::at(format!("unknown transport `{t}`"), pos)
                    .label(why)
                    .help(suggestion(t, recommendable.iter().copied())),
            );
            false
        }
    };
    let mut score = Vec::new();
    if let Some(n) = o.get("score") {
        if let Some(s) = Obj::new(n, "a score", p) {
            for (k, v) in s.entries() {
                if !check_transport(&k.name, k.pos, p) {
                    continue;
                }
                match v.value {
                    Value::Int(i) if (-100..=100).contains(&i) => {
                        score.push((k.name.as_str().into(), i as i32))
                    }
                    _ => p.push(
                        Diagnostic::at(
                            format!(
                                "score for `{}` must be a whole number from -100 to 100",
                                k.name
                            ),
                            v.pos,
                        )
                        .label(format!("found {}", v.value.kind())),
                    ),
                }
            }
        }
    }
    let words = |key: &str, p: &mut Vec<Diagnostic>| -> Vec<Kstr> {
        o.words(key, p)
            .into_iter()
            .filter(|(w, pos)| check_transport(w, *pos, p))
            .map(|(w, _)| w)
            .collect()
    };
    let veto = words("veto", p);
    let only_for = words("for", p);
    let mut add_ons = Vec::new();
    for (a, pos) in o.words("add_ons", p) {
        if ctx.add_ons.iter().any(|x| x.id == a) {
            add_ons.push(a);
        } else {
            p.push(
                Diagnostic::at(format!("unknown add-on `{a}`"), pos)
                    .label("not in any `add_ons:` list")
                    .help(suggestion(&a, ctx.add_ons.iter().map(|x| x.id.as_str()))),
            );
        }
    }
    let gotcha = o.get("gotcha").and_then(|n| {
        let g = Obj::new(n, "a gotcha", p)?;
        g.finish(&["id", "text", "fix", "blocking"], p);
        let text = g.text("text", true, p)?;
        let fix = g.text("fix", true, p)?;
        let blocking = g.flag("blocking", false, p).unwrap_or(false);
        let id = g.text("id", false, p).unwrap_or_else(|| e.id.clone());
        // Placeholders such as `{hop.id}` become kebab-case ids when rendered.
        let literal: String = {
            let mut depth = 0;
            id.chars()
                .filter(|c| match c {
                    '{' => {
                        depth += 1;
                        false
                    }
                    '}' => {
                        depth -= 1;
                        false
                    }
                    _ => depth == 0,
                })
                .collect()
        };
        if !literal
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            p.push(
                Diagnostic::at(
                    format!(
                        "gotcha id `{}` must be kebab-case (a-z, 0-9, -)",
                        crate::term::clean(&id)
                    ),
                    g.get("id").map_or(g.pos, |n| n.pos),
                )
                .label("not a kebab-case id"),
            );
        }
        for (key, t) in [("id", &id), ("text", &text), ("fix", &fix)] {
            check_placeholders(t, scope, g.get(key).map_or(g.pos, |n| n.pos), p);
        }
        Some(GotchaTemplate {
            id,
            text,
            fix,
            blocking,
        })
    });
    check_placeholders(
        &message,
        scope,
        o.get("message").map_or(o.pos, |n| n.pos),
        p,
    );
    let hybrid = o.text("hybrid", false, p);
    if let Some(h) = &hybrid {
        check_placeholders(h, scope, o.get("hybrid").map_or(o.pos, |n| n.pos), p);
    }
    let mut sources = Vec::new();
    for (s, pos) in o.words("sources", p) {
        if ctx.sources.contains(&s.as_str()) {
            sources.push(s);
        } else {
            p.push(
                Diagnostic::at(format!("unknown source `{s}`"), pos)
                    .label("not in any `sources:` list")
                    .help(suggestion(&s, ctx.sources.iter().copied())),
            );
        }
    }
    if o.get("sources").is_none() {
        p.push(
            Diagnostic::at(format!("rule `{}` cites no source", e.id), o.pos)
                .label("add `sources: [id, …]`")
                .help("every rule says where its knowledge comes from"),
        );
    }
    let effects = !score.is_empty() || !veto.is_empty();
    let asks_for_effects = ["score", "veto", "add_ons", "gotcha", "hybrid"]
        .iter()
        .any(|k| o.get(k).is_some());
    if !asks_for_effects {
        p.push(
            Diagnostic::at(format!("rule `{}` does nothing", e.id), o.pos)
                .help("give it a `score`, a `veto`, `add_ons` or a `gotcha`"),
        );
    }
    if per_hop && effects {
        p.push(
            Diagnostic::at("a `foreach: hop` rule cannot score or veto", o.pos).help(
                "score with the `path.*` variables instead; per-hop rules give add-ons and gotchas",
            ),
        );
    }
    if effects && !only_for.is_empty() {
        p.push(Diagnostic::at(
            "`for` limits add-ons and gotchas; a scoring rule applies to every transport",
            o.key_pos("for").unwrap_or(o.pos),
        ));
    }
    if p.len() > before {
        return None;
    }
    let when = when?;
    let mut reads = Vec::new();
    when.vars(&mut reads);
    Some(Rule {
        id: e.id.clone(),
        dimension,
        message,
        why,
        when,
        per_hop,
        score,
        veto,
        only_for,
        add_ons,
        gotcha,
        hybrid,
        sources,
        origin,
        reads,
    })
}

/// Checks that every `{name}` in a text names a variable available in `scope`.
pub(super) fn check_placeholders(text: &str, scope: Scope, pos: Pos, p: &mut Vec<Diagnostic>) {
    for name in placeholders(text) {
        match VARS.iter().find(|v| v.name == name) {
            Some(v) if v.scope == Scope::Hop && scope != Scope::Hop => p.push(Diagnostic::at(
                format!("`{{{name}}}` is only available in `foreach: hop` rules"),
                pos,
            )),
            Some(_) => {}
            None => p.push(
                Diagnostic::at(format!("unknown placeholder `{{{name}}}`"), pos)
                    .label("not a variable")
                    .help(suggestion(name, VARS.iter().map(|v| v.name))),
            ),
        }
    }
}

/// The `{name}` placeholders of a text (names of letters, digits, `_` and `.`).
pub(crate) fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(after.len());
        if len > 0 && after[len..].starts_with('}') {
            out.push(&after[..len]);
        }
        rest = after;
    }
    out
}
