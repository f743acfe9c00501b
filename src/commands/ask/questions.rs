//! The interview's questions: data in `rules/questions.yaml`, embedded at build time.

use super::lookahead::Settings;
use crate::profile::{self, FieldKind, FieldSpec, Profile};
use crate::rules::Knowledge;
use serde::Deserialize;

/// The embedded question file.
pub const QUESTIONS_YAML: &str = include_str!("../../../rules/questions.yaml");

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerType {
    Text,
    Choice,
    Number,
    YesNo,
    Multi,
    /// A list of lines to tick, each answering fields of its own (`choices`), asked
    /// instead of any question of those fields. Its `field` names the list, not a
    /// profile field.
    Checklist,
}

/// A condition on an earlier answer; it holds while that field is unanswered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    #[serde(default, rename = "in")]
    pub within: Option<Vec<String>>,
    #[serde(default)]
    pub not_in: Option<Vec<String>>,
}

/// One question of the interview.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub field: String,
    pub prompt: String,
    pub help: String,
    #[serde(rename = "type")]
    pub kind: AnswerType,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub ask_if: Vec<Condition>,
    #[serde(default)]
    pub always: bool,
    /// For number questions: the "there is none" answer (typed as 0), e.g. "there is
    /// no job". It leaves the field out of the profile but is not "don't know", and
    /// `ask_if` conditions can test it as the word `none`.
    #[serde(default)]
    pub none: Option<String>,
    /// How likely a person answering cannot say (or answers "there is none", which
    /// leaves the field out too), next to the plausible answers; without it,
    /// `settings.dont_know`. The lookahead weighs the answers by it.
    #[serde(default)]
    pub dont_know: Option<f64>,
    /// Answers likelier than the others, with their weight next to 1 for each other
    /// plausible answer (a choice's word, or one kind of client).
    #[serde(default)]
    pub likely: std::collections::BTreeMap<String, f64>,
    /// For choice questions: the options offered instead of the field's own words,
    /// each answering the question's field and, at once, any other fields it names
    /// ("server-to-client, clients only listen" also says 0 messages a minute).
    #[serde(default)]
    pub choices: Vec<Choice>,
}

/// One option of a question that offers its own: one pick answers several fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// Field -> value; `none` is a number question's "there is none" answer.
    pub sets: std::collections::BTreeMap<String, serde_json::Value>,
}

impl Choice {
    /// The value this option gives `field`: `Some(None)` for "there is none".
    pub fn value_of(&self, field: &str) -> Option<Option<&serde_json::Value>> {
        self.sets
            .get(field)
            .map(|v| (v.as_str() != Some(NONE_WORD)).then_some(v))
    }
}

/// The word a `sets` value (and an `ask_if` condition) uses for "there is none".
pub const NONE_WORD: &str = "none";

/// The question file: the interview's settings and its questions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questions {
    #[serde(default)]
    pub settings: Settings,
    pub questions: Vec<Question>,
}

impl Questions {
    pub fn find(&self, field: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.field == field)
    }
}

/// Parses a question file (no semantic checks; see [`problems`]).
pub fn parse(text: &str) -> Result<Questions, String> {
    crate::yaml::from_str::<Questions>(text).map_err(|e| match e.pos {
        Some(p) => format!("{} (line {}, column {})", e.message, p.line, p.column),
        None => e.message,
    })
}

/// Checks a question file as `ask` would use it: the number of questions, or every
/// problem, each at the line of the question (or setting) it is about.
pub fn check_file(source: crate::diag::Source) -> Result<usize, crate::diag::Report> {
    use crate::diag::{Diagnostic, Report};
    let qs = match crate::yaml::from_str::<Questions>(&source.text) {
        Ok(qs) => qs,
        Err(e) => {
            let d = Diagnostic::new(e.message, e.pos).help(e.help).label("here");
            return Err(Report {
                source,
                diagnostics: vec![d],
            });
        }
    };
    let found = problems(&qs);
    if found.is_empty() {
        return Ok(qs.questions.len());
    }
    let diagnostics = found
        .into_iter()
        .map(|msg| {
            let pos = locate(&source.text, &msg);
            let what = if msg.starts_with("settings.") {
                "this setting"
            } else {
                "this question"
            };
            Diagnostic::new(msg, pos)
                .label(what)
                .help("the keys and what they take are listed at the top of the default rules/questions.yaml")
        })
        .collect();
    Err(Report {
        source,
        diagnostics,
    })
}

/// Where a problem of [`problems`] points: the line that starts the question it
/// names first (`` `x`: ... ``), or the `settings` key it names.
fn locate(text: &str, problem: &str) -> Option<crate::yaml::Pos> {
    let needles: Vec<String> = if let Some(rest) = problem.strip_prefix("settings.") {
        vec![format!("{}:", rest.split_whitespace().next()?)]
    } else {
        let name = problem.strip_prefix('`')?.split('`').next()?;
        vec![
            format!("- field: {name}"),
            format!("- {{field: {name}"),
            format!("field: {name}"),
        ]
    };
    needles.iter().find_map(|needle| find_word(text, needle))
}

/// The first place `needle` occurs in `text` not followed by more of a name.
fn find_word(text: &str, needle: &str) -> Option<crate::yaml::Pos> {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(col) = line.find(needle) {
            let ends = line[col + needle.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            if ends {
                return Some(crate::yaml::Pos {
                    line: i + 1,
                    column: line[..col].chars().count() + 1,
                    offset: Some(offset + col),
                    len: needle.len(),
                });
            }
        }
        offset += line.len();
    }
    None
}

/// The embedded questions, checked.
pub fn embedded() -> Result<Questions, String> {
    let qs = parse(QUESTIONS_YAML).map_err(|e| format!("rules/questions.yaml: {e}"))?;
    let problems = problems(&qs);
    if problems.is_empty() {
        Ok(qs)
    } else {
        Err(format!("rules/questions.yaml: {}", problems.join("; ")))
    }
}

/// Answers that are not in the profile: whether a field was answered "there is none".
pub type Nothing<'a> = &'a dyn Fn(&str) -> bool;

impl Question {
    pub fn spec(&self) -> Option<&'static FieldSpec> {
        profile::field(&self.field)
    }

    /// Whether every `ask_if` condition holds for the answers so far.
    pub fn applies(&self, p: &Profile, nothing: Nothing) -> bool {
        self.ask_if.iter().all(|c| c.holds(p, nothing))
    }

    /// The first condition that rules the question out, in words; `label` gives a
    /// field's "there is none" answer.
    pub fn ruled_out_by(
        &self,
        p: &Profile,
        nothing: Nothing,
        label: &dyn Fn(&str) -> Option<String>,
    ) -> Option<String> {
        self.ask_if.iter().find(|c| !c.holds(p, nothing)).map(|c| {
            if nothing(&c.field) {
                label(&c.field).unwrap_or_else(|| format!("{} is none", c.field))
            } else {
                format!(
                    "{} is {}",
                    c.field,
                    field_word(p, &c.field).unwrap_or_default()
                )
            }
        })
    }
}

impl Condition {
    /// Whether the condition holds for the answers so far. A list answer (the kinds
    /// of client) holds `in` when one of its items is listed, and `not_in` when none
    /// is.
    pub fn holds(&self, p: &Profile, nothing: Nothing) -> bool {
        let words = if nothing(&self.field) {
            vec![NONE_WORD.to_string()]
        } else {
            match field_words(p, &self.field) {
                Some(v) => v,
                None => return true,
            }
        };
        self.within
            .as_ref()
            .is_none_or(|w| words.iter().any(|x| w.contains(x)))
            && self
                .not_in
                .as_ref()
                .is_none_or(|w| !words.iter().any(|x| w.contains(x)))
    }
}

/// A field's answer as one word (`server-to-client`, `true`, `12`), if answered; a
/// list's items joined by commas.
pub fn field_word(p: &Profile, field: &str) -> Option<String> {
    field_words(p, field).map(|w| w.join(", "))
}

/// A field's answer as words: one, or a list's items.
fn field_words(p: &Profile, field: &str) -> Option<Vec<String>> {
    let v = serde_json::to_value(p).ok()?;
    let word = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match v.get(field)? {
        serde_json::Value::Null => None,
        serde_json::Value::Array(items) => Some(items.iter().map(word).collect()),
        other => Some(vec![word(other)]),
    }
}

/// The words a condition may compare a field with (None: any text).
fn allowed_words(kind: FieldKind) -> Option<Vec<String>> {
    match kind {
        FieldKind::Choice(words) => Some(words.iter().map(|w| (*w).to_string()).collect()),
        FieldKind::YesNo => Some(vec!["true".into(), "false".into()]),
        FieldKind::Clients => Some(profile::CLIENTS.iter().map(|c| (*c).to_string()).collect()),
        _ => None,
    }
}

fn fits(kind: AnswerType, field: FieldKind) -> bool {
    matches!(
        (kind, field),
        (AnswerType::Text, FieldKind::Text)
            | (
                AnswerType::Choice,
                FieldKind::Choice(_) | FieldKind::Runtime
            )
            | (
                AnswerType::Number,
                FieldKind::Number { .. } | FieldKind::Count { .. }
            )
            | (AnswerType::YesNo, FieldKind::YesNo)
            | (AnswerType::Multi, FieldKind::Path | FieldKind::Clients)
    )
}

/// Profile fields no question fills (they are never asked; `ask` still works).
pub fn uncovered(qs: &Questions) -> Vec<&'static str> {
    profile::FIELDS
        .iter()
        .filter(|f| qs.find(f.name).is_none())
        .map(|f| f.name)
        .collect()
}

/// Everything wrong with a question set: unknown or repeated fields, answer types
/// that do not fit the field, bad `ask_if` conditions and settings.
pub fn problems(file: &Questions) -> Vec<String> {
    let qs = &file.questions[..];
    let mut out = Vec::new();
    let s = file.settings;
    if !(1..=100_000).contains(&s.samples) {
        out.push("settings.samples must be between 1 and 100000".into());
    }
    if !(0.0..1.0).contains(&s.dont_know) {
        out.push("settings.dont_know must be at least 0 and below 1".into());
    }
    if !(s.settle > 0.0 && s.settle <= 1.0) {
        out.push("settings.settle must be above 0 and at most 1".into());
    }
    if !(s.flip > 0.0 && s.flip <= 1.0) {
        out.push("settings.flip must be above 0 and at most 1".into());
    }
    for (i, q) in qs.iter().enumerate() {
        if q.kind == AnswerType::Checklist {
            out.extend(checklist_problems(qs, i, q));
            out.extend(condition_problems(qs, q));
            continue;
        }
        let Some(spec) = q.spec() else {
            let hint = profile::FIELDS
                .iter()
                .map(|f| (strsim::jaro_winkler(f.name, &q.field), f.name))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, n)| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            out.push(format!(
                "question {}: unknown field `{}`{hint}",
                i + 1,
                q.field
            ));
            continue;
        };
        if qs[..i].iter().any(|o| o.field == q.field) {
            out.push(format!("`{}` has more than one question", q.field));
        }
        if !fits(q.kind, spec.kind) {
            out.push(format!(
                "`{}`: answer type {:?} does not fit the field ({:?})",
                q.field, q.kind, spec.kind
            ));
        }
        if q.prompt.trim().is_empty() || q.help.trim().is_empty() {
            out.push(format!("`{}`: prompt and help must not be empty", q.field));
        }
        if q.kind == AnswerType::Number && q.unit.as_deref().is_none_or(str::is_empty) {
            out.push(format!("`{}`: a number question needs a unit", q.field));
        }
        if q.none.is_some() && q.kind != AnswerType::Number {
            out.push(format!(
                "`{}`: only a number question can have a `none` answer",
                q.field
            ));
        }
        if let Some(w) = q.dont_know {
            if matches!(q.field.as_str(), "name" | "direction") {
                out.push(format!("`{}` is required: it has no `dont_know`", q.field));
            } else if !(0.0..1.0).contains(&w) {
                out.push(format!(
                    "`{}`: dont_know must be at least 0 and below 1",
                    q.field
                ));
            }
        }
        for (word, w) in &q.likely {
            if !(w.is_finite() && *w > 0.0) {
                out.push(format!(
                    "`{}`: likely `{word}` needs a weight above 0",
                    q.field
                ));
            }
        }
        out.extend(choice_problems(qs, q));
        if q.always && matches!(q.field.as_str(), "name" | "direction") {
            out.push(format!("`{}` is always asked first", q.field));
        }
        out.extend(condition_problems(qs, q));
    }
    for (i, want) in ["name", "direction"].iter().enumerate() {
        if qs.get(i).map(|q| q.field.as_str()) != Some(want) {
            out.push(format!("question {} must be `{want}`", i + 1));
        }
    }
    out
}

/// What is wrong with a question's `ask_if` conditions.
fn condition_problems(qs: &[Question], q: &Question) -> Vec<String> {
    let mut out = Vec::new();
    for c in &q.ask_if {
        let Some(cs) = profile::field(&c.field) else {
            out.push(format!(
                "`{}`: ask_if names unknown field `{}`",
                q.field, c.field
            ));
            continue;
        };
        if c.field == q.field {
            out.push(format!("`{}`: ask_if cannot depend on itself", q.field));
        }
        let asked = qs.iter().find(|o| o.field == c.field);
        if asked.is_none() {
            out.push(format!(
                "`{}`: ask_if reads `{}`, which no question asks",
                q.field, c.field
            ));
        }
        if c.within.is_some() == c.not_in.is_some() {
            out.push(format!(
                "`{}`: an ask_if condition needs exactly one of `in` or `not_in`",
                q.field
            ));
        }
        let values = c.within.iter().chain(c.not_in.iter()).flatten();
        let none = asked.is_some_and(|o| o.none.is_some());
        let allowed = match allowed_words(cs.kind) {
            Some(w) => Some(w),
            None if none => Some(vec!["none".to_string()]),
            None => None,
        };
        match allowed {
            Some(allowed) => {
                for v in values {
                    if !allowed.contains(v) {
                        out.push(format!(
                            "`{}`: ask_if value `{v}` is not a value of `{}` ({})",
                            q.field,
                            c.field,
                            allowed.join(", ")
                        ));
                    }
                }
            }
            None => out.push(format!(
                "`{}`: ask_if can only test choice, yes/no and client fields (or `none` answers), not `{}`",
                q.field, c.field
            )),
        }
    }
    out
}

/// What is wrong with a checklist: its name must not be a profile field, and each
/// line must answer fields that have questions of their own, with values that fit.
fn checklist_problems(qs: &[Question], i: usize, q: &Question) -> Vec<String> {
    let mut out = Vec::new();
    if q.spec().is_some() {
        out.push(format!(
            "`{}`: a checklist is named for itself, not for a profile field",
            q.field
        ));
    }
    if qs[..i].iter().any(|o| o.field == q.field) {
        out.push(format!("`{}` has more than one question", q.field));
    }
    if q.prompt.trim().is_empty() || q.help.trim().is_empty() {
        out.push(format!("`{}`: prompt and help must not be empty", q.field));
    }
    if q.choices.is_empty() {
        out.push(format!("`{}`: a checklist needs `choices`", q.field));
    }
    if q.unit.is_some()
        || q.none.is_some()
        || q.dont_know.is_some()
        || !q.likely.is_empty()
        || q.always
    {
        out.push(format!(
            "`{}`: a checklist takes no `unit`, `none`, `dont_know`, `likely` or `always`",
            q.field
        ));
    }
    let blank = Profile::new("x", profile::Direction::ServerToClient);
    for (j, c) in q.choices.iter().enumerate() {
        if q.choices[..j].iter().any(|o| o.id == c.id) {
            out.push(format!("`{}`: choice `{}` is there twice", q.field, c.id));
        }
        if c.label.trim().is_empty() || c.sets.is_empty() {
            out.push(format!(
                "`{}`: choice `{}` needs a label and what it sets",
                q.field, c.id
            ));
        }
        for (f, v) in &c.sets {
            let asked = qs
                .iter()
                .any(|o| o.field == *f && o.kind != AnswerType::Checklist);
            if !asked || matches!(f.as_str(), "name" | "direction") {
                out.push(format!(
                    "`{}`: choice `{}` sets `{f}`, which is not a field another question asks",
                    q.field, c.id
                ));
            } else if super::interview::set_field(&blank, f, v.clone()).is_none() {
                out.push(format!(
                    "`{}`: choice `{}` sets `{f}` to {v}, which is not a value of `{f}`",
                    q.field, c.id
                ));
            }
        }
    }
    out
}

/// What is wrong with a question's own options: each must answer the question's
/// field, with ids unique, and every value it sets must fit its field.
fn choice_problems(qs: &[Question], q: &Question) -> Vec<String> {
    let mut out = Vec::new();
    if q.choices.is_empty() {
        return out;
    }
    if q.kind != AnswerType::Choice {
        out.push(format!(
            "`{}`: only a choice question can have `choices`",
            q.field
        ));
    }
    let blank = Profile::new("x", profile::Direction::ServerToClient);
    for (i, c) in q.choices.iter().enumerate() {
        let kebab = !c.id.is_empty()
            && c.id
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
        if !kebab {
            out.push(format!(
                "`{}`: choice id `{}` must be kebab-case",
                q.field, c.id
            ));
        }
        if q.choices[..i].iter().any(|o| o.id == c.id) {
            out.push(format!("`{}`: choice `{}` is there twice", q.field, c.id));
        }
        if c.label.trim().is_empty() {
            out.push(format!("`{}`: choice `{}` needs a label", q.field, c.id));
        }
        if !c.sets.contains_key(&q.field) {
            out.push(format!(
                "`{}`: choice `{}` must set `{}` itself",
                q.field, c.id, q.field
            ));
        }
        for (f, v) in &c.sets {
            let Some(target) = qs.iter().find(|o| o.field == *f) else {
                out.push(format!(
                    "`{}`: choice `{}` sets `{f}`, which no question asks",
                    q.field, c.id
                ));
                continue;
            };
            if f == "name" {
                out.push(format!("`{}`: a choice cannot set the name", q.field));
            } else if v.as_str() == Some(NONE_WORD) {
                if target.none.is_none() || f == &q.field {
                    out.push(format!(
                        "`{}`: choice `{}` sets `{f}` to none, but `{f}` has no `none` answer",
                        q.field, c.id
                    ));
                }
            } else if super::interview::set_field(&blank, f, v.clone()).is_none() {
                out.push(format!(
                    "`{}`: choice `{}` sets `{f}` to {v}, which is not a value of `{f}`",
                    q.field, c.id
                ));
            }
        }
    }
    out
}

/// One option of a choice or multi-select: the id written to the profile, and a label.
#[derive(Debug, Clone, PartialEq)]
pub struct Opt {
    pub id: String,
    pub label: String,
}

/// The options of a choice or multi-select question.
pub fn options(k: &Knowledge, kind: FieldKind) -> Vec<Opt> {
    let plain = |w: &str| Opt {
        id: w.to_string(),
        label: w.to_string(),
    };
    // A runtime or hop: its id, with its display name for the label.
    let named = |id: &str, name: &str| Opt {
        id: id.to_string(),
        label: format!("{id} ({name})"),
    };
    match kind {
        FieldKind::Choice(words) => words.iter().map(|w| plain(w)).collect(),
        FieldKind::Clients => profile::CLIENTS.iter().map(|w| plain(w)).collect(),
        FieldKind::Runtime => k.runtimes.iter().map(|r| named(&r.id, &r.name)).collect(),
        FieldKind::Path => k.hops.iter().map(|h| named(&h.id, &h.name)).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_questions_are_valid() {
        let qs = parse(QUESTIONS_YAML).unwrap();
        assert_eq!(problems(&qs), Vec::<String>::new());
        assert!(embedded().is_ok());
        // Every profile field has exactly one question of its own (a checklist
        // answers several at once, and is named for itself).
        assert_eq!(uncovered(&qs), Vec::<&str>::new());
        let own = qs
            .questions
            .iter()
            .filter(|q| q.kind != AnswerType::Checklist)
            .count();
        assert_eq!(own, profile::FIELDS.len());
    }

    #[test]
    fn bad_questions_are_reported() {
        let text = r#"
settings: {samples: 0, dont_know: 1.5, settle: 0, flip: 0}
questions:
  - {field: name, prompt: p, help: h, type: text}
  - {field: direction, prompt: p, help: h, type: choice}
  - {field: directoin, prompt: p, help: h, type: choice}
  - {field: payload, prompt: p, help: h, type: number}
  - {field: auth, prompt: p, help: h, type: choice, none: "no auth"}
  - {field: runtime, prompt: p, help: h, type: choice, dont_know: 1.2}
  - field: presence
    prompt: p
    help: h
    type: yes-no
    ask_if:
      - {field: direction, in: [sideways]}
      - {field: nosuch, in: [x]}
      - {field: resume, in: ["true"]}
      - {field: max_delay_s, in: [none]}
      - {field: clients, in: [servers]}
  - {field: clients, prompt: p, help: h, type: multi}
"#;
        let qs = parse(text).unwrap();
        let p = problems(&qs).join("\n");
        assert!(
            p.contains("unknown field `directoin` (did you mean `direction`?)"),
            "{p}"
        );
        assert!(p.contains("`payload`: answer type Number"), "{p}");
        assert!(
            p.contains("`sideways` is not a value of `direction`"),
            "{p}"
        );
        assert!(p.contains("unknown field `nosuch`"), "{p}");
        assert!(
            p.contains(
                "`servers` is not a value of `clients` (browser, mobile, desktop, server, iot)"
            ),
            "{p}"
        );
        assert!(p.contains("reads `resume`, which no question asks"), "{p}");
        assert!(
            p.contains("only a number question can have a `none`"),
            "{p}"
        );
        // max_delay_s has no question here, and no `none` answer.
        assert!(p.contains("not `max_delay_s`"), "{p}");
        assert!(p.contains("settings.samples"), "{p}");
        assert!(p.contains("settings.dont_know"), "{p}");
        assert!(p.contains("settings.settle"), "{p}");
        assert!(p.contains("settings.flip"), "{p}");
        assert!(p.contains("`runtime`: dont_know must be"), "{p}");
        assert!(uncovered(&qs).contains(&"resume"));
    }

    #[test]
    fn bad_choices_are_reported() {
        let text = r#"
questions:
  - {field: name, prompt: p, help: h, type: text}
  - field: direction
    prompt: p
    help: h
    type: choice
    choices:
      - {id: feed, label: a feed, sets: {direction: server-to-client, job_duration_s: none}}
      - {id: feed, label: again, sets: {direction: bidirectional}}
      - {id: Bad_Id, label: x, sets: {direction: sideways}}
      - {id: no-own, label: y, sets: {payload: text}}
      - {id: none-wrong, label: z, sets: {direction: bidirectional, payload: none}}
      - {id: unasked, label: w, sets: {direction: bidirectional, resume: true}}
  - {field: job_duration_s, prompt: p, help: h, type: number, unit: s, none: no job}
  - {field: payload, prompt: p, help: h, type: choice}
  - field: auth
    prompt: p
    help: h
    type: multi
    choices: [{id: c, label: c, sets: {auth: cookie}}]
"#;
        let qs = parse(text).unwrap();
        let p = problems(&qs).join("\n");
        assert!(p.contains("choice `feed` is there twice"), "{p}");
        assert!(p.contains("choice id `Bad_Id` must be kebab-case"), "{p}");
        assert!(p.contains("sets `direction` to \"sideways\""), "{p}");
        assert!(
            p.contains("choice `no-own` must set `direction` itself"),
            "{p}"
        );
        assert!(
            p.contains("sets `payload` to none, but `payload` has no `none`"),
            "{p}"
        );
        assert!(p.contains("sets `resume`, which no question asks"), "{p}");
        assert!(
            p.contains("`auth`: only a choice question can have `choices`"),
            "{p}"
        );
        // The first option is fine: a `none` where the question has one.
        assert!(!p.contains("choice `feed` sets"), "{p}");
    }

    #[test]
    fn conditions_hold_while_unknown() {
        let qs = embedded().unwrap();
        let no = |_: &str| false;
        let rt = qs.find("round_trip_ms").unwrap();
        let mut p = Profile::new("x", profile::Direction::Bidirectional);
        assert!(rt.applies(&p, &no));
        p.direction = profile::Direction::ServerToClient;
        assert!(!rt.applies(&p, &no));
        assert_eq!(
            rt.ruled_out_by(&p, &no, &|_| None).as_deref(),
            Some("direction is server-to-client")
        );
    }

    #[test]
    fn bad_checklists_are_reported() {
        let text = r#"
questions:
  - {field: name, prompt: p, help: h, type: text}
  - {field: direction, prompt: p, help: h, type: choice}
  - {field: presence, prompt: p, help: h, type: yes-no}
  - {field: payload, prompt: p, help: h, type: choice}
  - field: needs
    prompt: p
    help: h
    type: checklist
    dont_know: 0.5
    choices:
      - {id: a, label: "x", sets: {presence: maybe}}
      - {id: a, label: "y", sets: {replies: true}}
      - {id: c, label: "z", sets: {name: "n"}}
  - {field: resume, prompt: p, help: h, type: checklist}
  - {field: empty, prompt: p, help: h, type: checklist}
"#;
        let qs = parse(text).unwrap();
        let p = problems(&qs).join("\n");
        for needle in [
            "`needs`: a checklist takes no `unit`, `none`, `dont_know`",
            "`needs`: choice `a` sets `presence` to \"maybe\", which is not a value of `presence`",
            "`needs`: choice `a` is there twice",
            "`needs`: choice `a` sets `replies`, which is not a field another question asks",
            "`needs`: choice `c` sets `name`, which is not a field another question asks",
            "`resume`: a checklist is named for itself, not for a profile field",
            "`empty`: a checklist needs `choices`",
        ] {
            assert!(p.contains(needle), "missing {needle:?} in:\n{p}");
        }
    }

    #[test]
    fn a_condition_on_a_list_holds_when_one_item_is_listed() {
        let qs = embedded().unwrap();
        let no = |_: &str| false;
        let q = qs.find("receives_webhooks").unwrap();
        let mut p = Profile::new("x", profile::Direction::ServerToClient);
        assert!(q.applies(&p, &no), "unknown clients do not rule it out");
        p.clients = Some(vec![profile::Client::Browser, profile::Client::Server]);
        assert!(q.applies(&p, &no));
        p.clients = Some(vec![profile::Client::Browser, profile::Client::Mobile]);
        assert!(!q.applies(&p, &no));
        assert_eq!(
            q.ruled_out_by(&p, &no, &|_| None).as_deref(),
            Some("clients is browser, mobile")
        );
        let not_in = Condition {
            field: "clients".into(),
            within: None,
            not_in: Some(vec!["server".into()]),
        };
        assert!(not_in.holds(&p, &no));
        p.clients = Some(vec![profile::Client::Server]);
        assert!(!not_in.holds(&p, &no));
    }

    #[test]
    fn questions_ask_for_what_the_field_holds() {
        let qs = embedded().unwrap();
        // The field is a gap in seconds, not a frequency.
        let gap = &qs.find("update_interval_s").unwrap().prompt;
        assert!(gap.contains("seconds") && gap.contains("between"), "{gap}");
        assert!(!gap.to_lowercase().starts_with("how often"), "{gap}");
        // "No job" is an answer, not "don't know".
        let job = qs.find("job_duration_s").unwrap();
        assert_eq!(job.none.as_deref(), Some("there is no job"));
        for q in &qs.questions {
            // What Enter alone means is said once, by the prompt's key line.
            for said in ["empty if none", "leave unknown", "empty = "] {
                assert!(!q.help.contains(said), "{}: {}", q.field, q.help);
            }
            if q.kind == AnswerType::Number && q.unit.as_deref() == Some("s") {
                assert!(q.prompt.contains("seconds"), "{}: {}", q.field, q.prompt);
            }
        }
    }

    #[test]
    fn no_job_rules_out_the_waiting_question() {
        let qs = embedded().unwrap();
        let waits = qs.find("user_waits").unwrap();
        let p = Profile::new("x", profile::Direction::ServerToClient);
        let job = |f: &str| f == "job_duration_s";
        assert!(waits.applies(&p, &|_| false));
        assert!(!waits.applies(&p, &job));
        let label = |f: &str| qs.find(f).and_then(|q| q.none.clone());
        assert_eq!(
            waits.ruled_out_by(&p, &job, &label).as_deref(),
            Some("there is no job")
        );
    }
}
