//! Reading typed fields out of a spanned YAML mapping, collecting problems.

use crate::diag::{suggestion, Diagnostic};
use crate::rules::Kstr;
use crate::yaml::{Key, Node, Pos, Value};

/// A mapping being read field by field; unknown fields are reported by [`Obj::finish`].
pub struct Obj<'a> {
    pub pos: Pos,
    what: &'static str,
    entries: &'a [(Key, Node)],
}

impl<'a> Obj<'a> {
    pub fn new(node: &'a Node, what: &'static str, out: &mut Vec<Diagnostic>) -> Option<Self> {
        match &node.value {
            Value::Map(entries) => Some(Obj {
                pos: node.pos,
                what,
                entries,
            }),
            other => {
                out.push(
                    Diagnostic::at(
                        format!("{what} must be a mapping, found {}", other.kind()),
                        node.pos,
                    )
                    .label("expected `key: value` entries"),
                );
                None
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, _)| k.pos)
    }

    /// Reports keys not in `allowed`, with a suggestion.
    pub fn finish(&self, allowed: &[&str], out: &mut Vec<Diagnostic>) {
        for (k, _) in self.entries {
            if !allowed.contains(&k.name.as_str()) {
                out.push(
                    Diagnostic::at(
                        format!("unknown field `{}` in {}", k.name, self.what),
                        k.pos,
                    )
                    .label("not allowed here")
                    .help(suggestion(&k.name, allowed.iter().copied())),
                );
            }
        }
    }

    fn missing(&self, key: &str, out: &mut Vec<Diagnostic>) {
        out.push(
            Diagnostic::at(format!("{} is missing `{key}`", self.what), self.pos)
                .label(format!("add `{key}:` here")),
        );
    }

    pub fn text(&self, key: &str, required: bool, out: &mut Vec<Diagnostic>) -> Option<Kstr> {
        match self.get(key) {
            None if required => {
                self.missing(key, out);
                None
            }
            None => None,
            Some(n) => match &n.value {
                Value::Str(s) if !crate::term::is_blank(s) => Some(s.trim_end().into()),
                Value::Str(_) => {
                    out.push(
                        Diagnostic::at(format!("`{key}` must not be empty"), n.pos).label("empty"),
                    );
                    None
                }
                Value::Int(i) => Some(i.to_string().into()),
                Value::Float(f) => Some(f.to_string().into()),
                other => {
                    out.push(
                        Diagnostic::at(
                            format!("`{key}` must be text, found {}", other.kind()),
                            n.pos,
                        )
                        .label("expected text"),
                    );
                    None
                }
            },
        }
    }

    pub fn num(&self, key: &str, required: bool, out: &mut Vec<Diagnostic>) -> Option<f64> {
        match self.get(key) {
            None if required => {
                self.missing(key, out);
                None
            }
            None => None,
            Some(n) => match n.value {
                Value::Int(i) => Some(i as f64),
                Value::Float(f) if f.is_finite() => Some(f),
                Value::Float(f) => {
                    out.push(
                        Diagnostic::at(
                            format!(
                                "`{key}` must be a finite number, found {}",
                                if f.is_nan() {
                                    ".nan"
                                } else {
                                    "an infinity (.inf)"
                                }
                            ),
                            n.pos,
                        )
                        .label("expected a finite number"),
                    );
                    None
                }
                _ => {
                    out.push(
                        Diagnostic::at(
                            format!("`{key}` must be a number, found {}", n.value.kind()),
                            n.pos,
                        )
                        .label("expected a finite number"),
                    );
                    None
                }
            },
        }
    }

    pub fn flag(&self, key: &str, required: bool, out: &mut Vec<Diagnostic>) -> Option<bool> {
        match self.get(key) {
            None if required => {
                self.missing(key, out);
                None
            }
            None => None,
            Some(n) => match n.value {
                Value::Bool(b) => Some(b),
                _ => {
                    out.push(
                        Diagnostic::at(
                            format!("`{key}` must be true or false, found {}", n.value.kind()),
                            n.pos,
                        )
                        .label("expected true or false"),
                    );
                    None
                }
            },
        }
    }

    /// A list of words (a single word is accepted as a list of one), each with its position.
    pub fn words(&self, key: &str, out: &mut Vec<Diagnostic>) -> Vec<(Kstr, Pos)> {
        let Some(n) = self.get(key) else {
            return Vec::new();
        };
        match &n.value {
            Value::Str(s) => vec![(s.as_str().into(), n.pos)],
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| match &i.value {
                    Value::Str(s) => Some((s.as_str().into(), i.pos)),
                    other => {
                        out.push(
                            Diagnostic::at(
                                format!("`{key}` entries must be words, found {}", other.kind()),
                                i.pos,
                            )
                            .label("expected a word"),
                        );
                        None
                    }
                })
                .collect(),
            other => {
                out.push(
                    Diagnostic::at(
                        format!("`{key}` must be a list, found {}", other.kind()),
                        n.pos,
                    )
                    .label("expected [a, b, …]"),
                );
                Vec::new()
            }
        }
    }

    /// The mapping's entries, for free-form maps such as `score: {sse: 2}`.
    pub fn entries(&self) -> &'a [(Key, Node)] {
        self.entries
    }
}
