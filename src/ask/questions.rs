//! The interview's questions: data in `rules/questions.yaml`, embedded at build time.

use crate::profile::{self, FieldKind, FieldSpec, Profile};
use crate::rules::Knowledge;
use serde::Deserialize;

/// The embedded question file.
pub const QUESTIONS_YAML: &str = include_str!("../../rules/questions.yaml");

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerType {
    Text,
    Choice,
    Number,
    YesNo,
    Multi,
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    questions: Vec<Question>,
}

/// Parses a question file (no semantic checks; see [`problems`]).
pub fn parse(text: &str) -> Result<Vec<Question>, String> {
    serde_saphyr::from_str::<QuestionFile>(text)
        .map(|f| f.questions)
        .map_err(|e| e.to_string())
}

/// The embedded questions, checked.
pub fn embedded() -> Result<Vec<Question>, String> {
    let qs = parse(QUESTIONS_YAML).map_err(|e| format!("rules/questions.yaml: {e}"))?;
    let problems = problems(&qs);
    if problems.is_empty() {
        Ok(qs)
    } else {
        Err(format!("rules/questions.yaml: {}", problems.join("; ")))
    }
}

impl Question {
    pub fn spec(&self) -> Option<&'static FieldSpec> {
        profile::field(&self.field)
    }

    /// Whether every `ask_if` condition holds for the answers so far.
    pub fn applies(&self, p: &Profile) -> bool {
        self.ask_if.iter().all(|c| c.holds(p))
    }

    /// The first condition that rules the question out, in words.
    pub fn ruled_out_by(&self, p: &Profile) -> Option<String> {
        self.ask_if.iter().find(|c| !c.holds(p)).map(|c| {
            format!(
                "{} is {}",
                c.field,
                field_word(p, &c.field).unwrap_or_default()
            )
        })
    }
}

impl Condition {
    pub fn holds(&self, p: &Profile) -> bool {
        let Some(v) = field_word(p, &self.field) else {
            return true;
        };
        self.within.as_ref().is_none_or(|w| w.contains(&v))
            && self.not_in.as_ref().is_none_or(|w| !w.contains(&v))
    }
}

/// A field's answer as one word (`server-to-client`, `true`, `12`), if answered.
pub fn field_word(p: &Profile, field: &str) -> Option<String> {
    let v = serde_json::to_value(p).ok()?;
    match v.get(field)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The words a condition may compare a field with (None: any text).
fn allowed_words(kind: FieldKind) -> Option<Vec<String>> {
    match kind {
        FieldKind::Choice(words) => Some(words.iter().map(|w| (*w).to_string()).collect()),
        FieldKind::YesNo => Some(vec!["true".into(), "false".into()]),
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

/// Everything wrong with a question set: unknown or repeated fields, answer types
/// that do not fit the field, fields without a question, bad `ask_if` conditions.
pub fn problems(qs: &[Question]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, q) in qs.iter().enumerate() {
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
            let pos = qs.iter().position(|o| o.field == c.field);
            if pos.is_none_or(|p| p >= i) {
                out.push(format!(
                    "`{}`: ask_if reads `{}`, which is not asked before it",
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
            match allowed_words(cs.kind) {
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
                    "`{}`: ask_if can only test choice and yes/no fields, not `{}`",
                    q.field, c.field
                )),
            }
        }
    }
    for f in profile::FIELDS {
        if !qs.iter().any(|q| q.field == f.name) {
            out.push(format!("no question fills `{}`", f.name));
        }
    }
    for (i, want) in ["name", "direction"].iter().enumerate() {
        if qs.get(i).map(|q| q.field.as_str()) != Some(want) {
            out.push(format!("question {} must be `{want}`", i + 1));
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
        // Every field except none is covered, exactly once.
        assert_eq!(qs.len(), profile::FIELDS.len());
    }

    #[test]
    fn bad_questions_are_reported() {
        let text = r#"
questions:
  - {field: name, prompt: p, help: h, type: text}
  - {field: direction, prompt: p, help: h, type: choice}
  - {field: directoin, prompt: p, help: h, type: choice}
  - {field: payload, prompt: p, help: h, type: number}
  - field: presence
    prompt: p
    help: h
    type: yes-no
    ask_if:
      - {field: direction, in: [sideways]}
      - {field: nosuch, in: [x]}
      - {field: resume, in: ["true"]}
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
            p.contains("reads `resume`, which is not asked before it"),
            "{p}"
        );
        assert!(p.contains("no question fills `runtime`"), "{p}");
    }

    #[test]
    fn conditions_hold_while_unknown() {
        let qs = embedded().unwrap();
        let rt = qs.iter().find(|q| q.field == "round_trip_ms").unwrap();
        let mut p = Profile::new("x", profile::Direction::Bidirectional);
        assert!(rt.applies(&p));
        p.direction = profile::Direction::ServerToClient;
        assert!(!rt.applies(&p));
        assert_eq!(
            rt.ruled_out_by(&p).as_deref(),
            Some("direction is server-to-client")
        );
    }
}
