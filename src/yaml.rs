//! The one place that talks to the YAML parser (serde-saphyr).
//!
//! Input is parsed into a small spanned tree ([`Node`]) under strict budgets;
//! everything above this module validates that tree and never sees the parser.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// Largest input accepted, in bytes. Checked before a file is read whole.
pub const MAX_INPUT_BYTES: u64 = 1024 * 1024;
/// Deepest nesting of sequences and mappings accepted.
pub const MAX_DEPTH: usize = 32;
/// Most aliases (`*ref`) accepted in one document.
pub const MAX_ALIASES: usize = 64;

/// Position of a node in the source: 1-based line and column, and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    /// Byte offset of the start, when known.
    pub offset: Option<usize>,
    /// Length in bytes, when known.
    pub len: usize,
}

impl Pos {
    fn from_location(loc: &serde_saphyr::Location) -> Self {
        let span = loc.span();
        Pos {
            line: loc.line() as usize,
            column: loc.column() as usize,
            offset: span.byte_offset().map(|o| o as usize),
            len: span.byte_len().unwrap_or(0) as usize,
        }
    }
}

/// A YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key (always text: numeric or boolean keys are kept as written).
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub pos: Pos,
    pub name: String,
}

impl Value {
    /// A short name of the value's kind, for messages ("a number", "a list"…).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a yes/no value",
            Value::Float(f) if f.is_nan() => "not-a-number (.nan)",
            Value::Float(f) if f.is_infinite() => "an infinity (.inf)",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// A parse failure: what went wrong and where (when the parser knows), in the
/// user's terms (never the parser's option or type names), with what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub pos: Option<Pos>,
    pub help: String,
}

const SYNTAX_HELP: &str = "fix the YAML syntax; every other check runs once it parses";

/// What the user did and what to do, for the parser errors a user can meet.
fn explain(err: &serde_saphyr::Error) -> (String, String) {
    use serde_saphyr::budget::BudgetBreach as B;
    match err {
        serde_saphyr::Error::Budget { breach, .. } => match breach {
            B::Documents { .. } => (
                "more than one YAML document in the file (a `---` line starts another)".into(),
                "a profile or rules file is one document: remove the second `---`, or split the file in two".into(),
            ),
            B::Depth { .. } => (
                format!("nested more than {MAX_DEPTH} levels deep"),
                "profiles and rule files are shallow: check for unclosed `[` or `{`, or runaway indentation".into(),
            ),
            B::Nodes { .. } | B::Events { .. } => (
                "too many values (more than 20,000 in one file)".into(),
                "a profile has a few dozen values; is this the right file?".into(),
            ),
            B::Aliases { .. } | B::Anchors { .. } | B::AliasAnchorRatio { .. } => (
                format!("too many YAML anchors or aliases (`&x`, `*x`; at most {MAX_ALIASES})"),
                "write the values out instead of repeating them through aliases".into(),
            ),
            B::ScalarBytes { .. } | B::InputBytes { .. } => (
                "the file holds more text than the 1 MiB limit".into(),
                "profiles and rule files are small; is this the right file?".into(),
            ),
            _ => (
                "the file is too large or too complex to read".into(),
                "profiles and rule files are small; is this the right file?".into(),
            ),
        },
        serde_saphyr::Error::MultipleDocuments { .. } => (
            "more than one YAML document in the file (a `---` line starts another)".into(),
            "a profile or rules file is one document: remove the second `---`, or split the file in two".into(),
        ),
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => (
            match key {
                Some(k) => format!("`{k}` is set twice"),
                None => "a key is set twice".into(),
            },
            "keep one of the two lines: a mapping cannot repeat a key".into(),
        ),
        other => (clean_message(&other.to_string()), SYNTAX_HELP.into()),
    }
}

/// The parser's options: strict budgets, strict booleans, no snippets. Comments are
/// not kept at all (serde-saphyr is built without its `comments` feature, see
/// Cargo.toml): nothing reads them, keeping them costs the parser time, and a parser
/// that keeps them refuses a valid file with more than 32 comment lines where it
/// looks ahead (between `path:` and its list, say).
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_aliases: MAX_ALIASES,
            max_anchors: MAX_ALIASES,
            max_documents: 1,
            max_nodes: 20_000,
            max_events: 100_000,
            max_recorded_anchor_events: 10_000,
            max_total_scalar_bytes: MAX_INPUT_BYTES as usize,
        },
        with_snippet: false,
        strict_booleans: true,
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
    }
}

/// Parses one YAML document into a spanned tree.
pub fn parse(text: &str) -> Result<Node, ParseError> {
    let options = options();
    match serde_saphyr::from_str_with_options::<Spanned<RawNode>>(text, options) {
        Ok(root) => Ok(convert(root)),
        Err(err) => Err(parse_error(&err)),
    }
}

/// The parser's error as we report it: what happened, where, and what to do.
fn parse_error(err: &serde_saphyr::Error) -> ParseError {
    let err = err.without_snippet();
    let pos = err
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| Pos::from_location(&l));
    let (message, help) = explain(err);
    ParseError { message, pos, help }
}

/// Deserializes one YAML document straight into `T` (for files with a fixed shape
/// that need no spanned validation, such as the interview's questions), under the
/// same budgets and with the same messages as [`parse`].
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    serde_saphyr::from_str_with_options::<T>(text, options()).map_err(|err| parse_error(&err))
}

/// Parses one YAML document into the same tree as [`parse`], without positions
/// (every [`Pos`] is the default): tracking spans is most of the parser's work, and a
/// valid file needs none. `None` when it does not parse: [`parse`] then says why, and
/// where. Whatever this accepts, [`parse`] accepts as the same tree, and it refuses
/// what [`parse`] accepts only when the text uses merge keys (a test checks).
///
/// The parser is asked for less than [`parse`] asks of it, where what it would
/// check cannot change the outcome: it passes repeated keys through (this tree
/// refuses them itself, and [`parse`] then says which) and refuses merge keys
/// (`<<`: [`parse`] expands them).
pub fn parse_unplaced(text: &str) -> Option<Node> {
    serde_saphyr::from_str_with_options::<Unplaced>(text, fast_options())
        .ok()
        .map(|u| u.0)
}

/// [`options`] without what [`parse_unplaced`] does not need checked (see there).
/// Passing repeated keys through and refusing merge keys spares the parser
/// remembering every key of every mapping.
fn fast_options() -> serde_saphyr::Options {
    let mut o = options();
    o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
    o.merge_keys = serde_saphyr::MergeKeyPolicy::Error;
    o
}

/// The parser's messages end with " at line X column Y"; we print positions ourselves.
fn clean_message(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg).trim();
    let cut = first.find(" at line ").map_or(first, |i| &first[..i]);
    cut.trim_end_matches(['.', ':']).to_string()
}

fn convert(node: Spanned<RawNode>) -> Node {
    let pos = Pos::from_location(&node.referenced);
    let value = match node.value {
        RawNode::Null => Value::Null,
        RawNode::Bool(b) => Value::Bool(b),
        RawNode::Int(i) => Value::Int(i),
        RawNode::Float(f) => Value::Float(f),
        RawNode::Str(s) => Value::Str(s),
        RawNode::Seq(items) => Value::Seq(items.into_iter().map(convert).collect()),
        RawNode::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    (
                        Key {
                            pos: Pos::from_location(&k.referenced),
                            name: k.value.0,
                        },
                        convert(v),
                    )
                })
                .collect(),
        ),
    };
    Node { pos, value }
}

enum RawNode {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<KeyText>, Spanned<RawNode>)>),
}

/// The visitor building one tree shape: spanned ([`RawNode`]) or not ([`PlainNode`]).
macro_rules! node_visitor {
    ($visitor:ident, $node:ident, $item:ty, $key:ty) => {
        struct $visitor;

        impl<'de> Visitor<'de> for $visitor {
            type Value = $node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<$node, E> {
                Ok($node::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<$node, E> {
                Ok($node::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<$node, D::Error> {
                $node::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<$node, E> {
                Ok($node::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<$node, E> {
                Ok($node::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<$node, E> {
                Ok(i64::try_from(v).map_or($node::Float(v as f64), $node::Int))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<$node, E> {
                Ok(i64::try_from(v).map_or($node::Float(v as f64), $node::Int))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<$node, E> {
                Ok(i64::try_from(v).map_or($node::Float(v as f64), $node::Int))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<$node, E> {
                Ok($node::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<$node, E> {
                Ok($node::Str(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<$node, E> {
                Ok($node::Str(v))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<$node, E> {
                Ok($node::Str(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<$node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<$item>()? {
                    items.push(item);
                }
                Ok($node::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$node, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<$key>()? {
                    let value = map.next_value::<$item>()?;
                    entries.push((key, value));
                }
                Ok($node::Map(entries))
            }
        }

        impl<'de> Deserialize<'de> for $node {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any($visitor)
            }
        }
    };
}

node_visitor!(RawVisitor, RawNode, Spanned<RawNode>, Spanned<KeyText>);

/// A [`Node`] read without positions, for [`parse_unplaced`]: built as the parser
/// goes (what [`RawVisitor`] reads, each position left at its default), with no
/// intermediate tree to convert.
struct Unplaced(Node);

fn unplaced(value: Value) -> Unplaced {
    Unplaced(Node {
        pos: Pos::default(),
        value,
    })
}

struct UnplacedVisitor;

impl<'de> Visitor<'de> for UnplacedVisitor {
    type Value = Unplaced;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Unplaced, E> {
        Ok(unplaced(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Unplaced, E> {
        Ok(unplaced(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Unplaced, D::Error> {
        Unplaced::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Unplaced, E> {
        Ok(unplaced(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Unplaced, E> {
        Ok(unplaced(Value::Int(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Unplaced, E> {
        Ok(unplaced(
            i64::try_from(v).map_or(Value::Float(v as f64), Value::Int),
        ))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Unplaced, E> {
        Ok(unplaced(
            i64::try_from(v).map_or(Value::Float(v as f64), Value::Int),
        ))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Unplaced, E> {
        Ok(unplaced(
            i64::try_from(v).map_or(Value::Float(v as f64), Value::Int),
        ))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Unplaced, E> {
        Ok(unplaced(Value::Float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Unplaced, E> {
        Ok(unplaced(Value::Str(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Unplaced, E> {
        Ok(unplaced(Value::Str(v)))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Unplaced, E> {
        Ok(unplaced(Value::Str(
            String::from_utf8_lossy(v).into_owned(),
        )))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unplaced, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Unplaced>()? {
            items.push(item.0);
        }
        Ok(unplaced(Value::Seq(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unplaced, A::Error> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        while let Some(key) = map.next_key::<KeyText>()? {
            // Repeated keys are passed through (see `fast_options`): refused here,
            // and `parse` says where.
            if entries.iter().any(|(k, _)| k.name == key.0) {
                return Err(de::Error::custom("a key is set twice"));
            }
            let value = map.next_value::<Unplaced>()?;
            let key = Key {
                pos: Pos::default(),
                name: key.0,
            };
            entries.push((key, value.0));
        }
        Ok(unplaced(Value::Map(entries)))
    }
}

impl<'de> Deserialize<'de> for Unplaced {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UnplacedVisitor)
    }
}

/// A mapping key as text, whatever scalar it was written as.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a plain mapping key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_comments_where_the_parser_looks_ahead_are_accepted() {
        // A profile commenting each hop of its path: the parser keeping comments
        // refused it ("too many buffered comments while looking ahead") past 32.
        let notes = "  # a note on the next hop\n".repeat(40);
        let text = format!("name: x\npath:\n{notes}  - nginx\n");
        let tree = parse(&text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            format!("{:?}", parse_unplaced(&text).map(|n| n.value)),
            format!("{:?}", Some(unplaced(&tree).value))
        );
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let n = parse("name: x\npath: [nginx, {name: f5, buffers: true}]\n").unwrap();
        let Value::Map(entries) = &n.value else {
            panic!("not a map: {n:?}")
        };
        assert_eq!(entries[1].0.name, "path");
        assert_eq!((entries[1].0.pos.line, entries[1].0.pos.column), (2, 1));
        let Value::Seq(items) = &entries[1].1.value else {
            panic!()
        };
        assert_eq!((items[0].pos.line, items[0].pos.column), (2, 8));
        assert_eq!(items[0].pos.offset, Some(15));
        assert_eq!(items[0].pos.len, 5);
        assert_eq!(items[0].value, Value::Str("nginx".into()));
    }

    #[test]
    fn refuses_duplicate_keys_with_position() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.message, "`a` is set twice");
        assert!(!e.help.contains("DuplicateKeyPolicy"), "{e:?}");
        assert_eq!(e.pos.map(|p| p.line), Some(3), "{e:?}");
    }

    #[test]
    fn budget_breaches_are_said_in_the_users_terms() {
        let two = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(
            two.message.contains("more than one YAML document"),
            "{two:?}"
        );
        let deep = parse(&format!("a: {}{}", "[".repeat(40), "]".repeat(40))).unwrap_err();
        assert_eq!(deep.message, "nested more than 32 levels deep");
        let many = parse(&format!("a: [{}]", vec!["1"; 20_001].join(","))).unwrap_err();
        assert!(many.message.contains("too many values"), "{many:?}");
        for e in [&two, &deep, &many] {
            assert!(
                !e.message.contains('{') && !e.message.contains("budget"),
                "{e:?}"
            );
        }
    }

    #[test]
    fn refuses_alias_bombs_and_deep_nesting() {
        let mut bomb = String::from("a: &a [x, x]\n");
        for i in 0..80 {
            bomb.push_str(&format!("k{i}: &k{i} [*a, *a]\n"));
        }
        assert!(parse(&bomb).is_err());
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&deep).is_err());
    }

    fn unplaced(n: &Node) -> Node {
        let value = match &n.value {
            Value::Seq(items) => Value::Seq(items.iter().map(unplaced).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let key = Key {
                            pos: Pos::default(),
                            name: k.name.clone(),
                        };
                        (key, unplaced(v))
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        Node {
            pos: Pos::default(),
            value,
        }
    }

    /// The fast path accepts exactly what the spanned parse accepts, as the same tree:
    /// on every fixture and rule file, and on the YAML corners a profile can hit.
    #[test]
    fn parsing_without_positions_gives_the_same_tree() {
        let mut texts: Vec<String> = Vec::new();
        for dir in ["fixtures", "rules"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for e in std::fs::read_dir(dir).unwrap() {
                let path = e.unwrap().path();
                if path.extension().is_some_and(|x| x == "yaml") {
                    texts.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        assert!(texts.len() > 50, "{}", texts.len());
        let corners = [
            "a: &x [1, 2]\nb: *x\n",
            "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
            "a: !!str 5\nb: !!int \"7\"\nc: !custom x\n",
            "a: ~\nb: null\nc:\nd: ''\n",
            "1: one\ntrue: yes\n0.5: half\n~: nothing\n",
            "a: yes\nb: on\nc: True\nd: 0x1F\ne: 1e3\nf: .inf\ng: -.inf\nh: .nan\n",
            "a: 18446744073709551616\nb: -9223372036854775809\nc: 0o17\n",
            "a: |\n  line\n  two\nb: >\n  folded\n  text\n",
            "a: \"tab\\there\"\nb: 'it''s'\nc: \"\\u00e9\"\n",
            "- a\n- [b, {c: d}]\n- {e: [f, g]}\n",
            "? complex\n: value\n",
            "a: 1\nb: 2\na: 3\n",
            "a: 1\n---\nb: 2\n",
            "a: [1, 2\n",
            "a: *missing\n",
            "\ta: 1\n",
            "a: b: c\n",
            "",
            "# only a comment\n",
            "just text",
        ];
        texts.extend(corners.iter().map(|s| s.to_string()));
        let mut bomb = String::from("a: &a [x, x]\n");
        for i in 0..80 {
            bomb.push_str(&format!("k{i}: &k{i} [*a, *a]\n"));
        }
        texts.push(bomb);
        texts.push(format!("a: {}{}", "[".repeat(40), "]".repeat(40)));
        texts.push(format!("a: [{}]", vec!["1"; 20_001].join(",")));
        // Comments: around the 32 a parser that keeps them buffers while it looks
        // ahead, and between entries.
        for n in [31, 32, 33, 40] {
            let block = "  # note\n".repeat(n);
            texts.push(format!("name: x\npath:\n{block}  - nginx\n"));
            texts.push(format!(
                "name: x\n{}direction: both\n",
                "# note\n".repeat(n)
            ));
        }
        texts.push("a: 1 # one\nb: '#2' # two\nc: \"#\"\n".into());
        texts.push("m: {a: 1, a: 2}\n".into());
        texts.push("- {a: 1}\n- {a: 1, b: 2, a: 3}\n".into());
        let mut accepted = 0;
        let mut declined = 0;
        for text in &texts {
            let spanned = parse(text).ok().map(|n| unplaced(&n));
            let fast = parse_unplaced(text);
            if fast.is_none() && spanned.is_some() {
                // Merge keys are left to the spanned parse, which expands them.
                assert!(text.contains("<<"), "{text}");
                declined += 1;
                continue;
            }
            // NaN is not equal to itself: compare the trees' debug forms.
            assert_eq!(format!("{fast:?}"), format!("{spanned:?}"), "{text}");
            accepted += usize::from(fast.is_some());
        }
        assert!(accepted > 50, "{accepted}");
        assert_eq!(declined, 1);
    }

    #[test]
    fn numbers_and_specials() {
        let n = parse("a: .nan\nb: -3\nc: 0.5\nd: ~\n").unwrap();
        let Value::Map(e) = n.value else { panic!() };
        assert!(matches!(e[0].1.value, Value::Float(f) if f.is_nan()));
        assert_eq!(e[1].1.value, Value::Int(-3));
        assert_eq!(e[2].1.value, Value::Float(0.5));
        assert_eq!(e[3].1.value, Value::Null);
    }
}
