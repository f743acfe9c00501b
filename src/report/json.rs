//! JSON output v1: one object for one profile, an array for several (input order).

use crate::engine::Decision;
use std::io::{self, Write};

pub fn render(decisions: &[Decision]) -> String {
    let text = match decisions {
        [one] => serde_json::to_string_pretty(one),
        many => serde_json::to_string_pretty(many),
    };
    let mut out = text.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

/// One decision as pretty JSON, already indented as an element of an array (every
/// line two spaces in), without the final newline: what [`Stream::push`] takes. Made
/// where the decision is (on a worker thread), so that printing is only copying.
/// Written once, at the right depth (see [`Nested`]), not re-indented afterwards.
pub fn element(d: &Decision) -> String {
    // Most elements take 5-12 KiB: room for them without growing (and copying).
    let mut out = Vec::with_capacity(16 << 10);
    out.extend_from_slice(b"  ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Nested::new(1));
    if let Err(e) = serde::Serialize::serialize(d, &mut ser) {
        return format!("  {{\"error\": \"{e}\"}}");
    }
    // serde_json writes only UTF-8 (the strings it escapes are `str`s).
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// serde_json's [`serde_json::ser::PrettyFormatter`] (two spaces), starting `depth`
/// levels in: what the pretty printer writes for a value nested that deep, so an
/// element of an array is written once instead of re-indented line by line.
pub struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    pub fn new(depth: usize) -> Self {
        Nested {
            depth,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 64] = &[b' '; 64];
        let mut n = self.depth * 2;
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }

    /// `[` or `{`: one level deeper, nothing in it yet.
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// `]` or `}`: on a line of its own at its depth when it holds anything.
    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    /// Before an array value or an object key: a new line at the depth.
    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes decisions as they come, byte for byte as [`render`] prints them all at
/// once: one profile gives an object, several a valid array. Holds at most one
/// element back (until a second says it is an array).
pub struct Stream<W: Write> {
    out: W,
    first: Option<String>,
    count: usize,
}

impl<W: Write> Stream<W> {
    pub fn new(out: W) -> Self {
        Stream {
            out,
            first: None,
            count: 0,
        }
    }

    /// Adds one decision, rendered by [`element`].
    pub fn push(&mut self, element: String) -> io::Result<()> {
        self.count += 1;
        match self.count {
            1 => {
                self.first = Some(element);
                return Ok(());
            }
            2 => {
                self.out.write_all(b"[\n")?;
                let first = self.first.take().unwrap_or_default();
                self.out.write_all(first.as_bytes())?;
            }
            _ => {}
        }
        self.out.write_all(b",\n")?;
        self.out.write_all(element.as_bytes())
    }

    /// Ends the output (an object, or the array's closing bracket) and flushes it.
    pub fn finish(mut self) -> io::Result<W> {
        match self.first.take() {
            Some(one) => {
                // Alone, the element is the whole output: back out of the array's
                // indent, line by line (every line of an element starts with it).
                for (i, line) in one.split('\n').enumerate() {
                    if i > 0 {
                        self.out.write_all(b"\n")?;
                    }
                    self.out
                        .write_all(line.strip_prefix("  ").unwrap_or(line).as_bytes())?;
                }
                self.out.write_all(b"\n")?;
            }
            None if self.count == 0 => self.out.write_all(b"[]\n")?,
            None => self.out.write_all(b"\n]\n")?,
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::profile::parse_profile;
    use crate::rules::Knowledge;

    /// What `element` wrote before it had its own formatter: the pretty JSON, every
    /// line indented afterwards.
    fn reindented(d: &Decision) -> String {
        let text = serde_json::to_string_pretty(d).unwrap();
        format!("  {}", text.replace('\n', "\n  "))
    }

    fn decisions() -> Vec<Decision<'static>> {
        // The decisions borrow the rules' texts: rules that live as long as the test.
        let k: &'static Knowledge = Box::leak(Box::new(Knowledge::embedded().unwrap()));
        let e = Engine::new(k);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        paths.sort();
        let mut out = Vec::new();
        for p in &paths {
            let text = std::fs::read_to_string(p).unwrap();
            let profile = parse_profile(&text, &k.hop_ids()).unwrap();
            out.push(e.decide(&profile, &p.display().to_string()));
            // With every rule's evaluation: more kinds of value, nested deeper.
            out.push(e.explain(&profile, &p.display().to_string()));
        }
        assert!(out.len() > 20, "the fixtures are there");
        out
    }

    #[test]
    fn an_element_is_the_pretty_json_indented_once() {
        for d in decisions() {
            assert_eq!(element(&d), reindented(&d), "{}", d.source);
        }
    }

    #[test]
    fn nested_formatter_writes_what_pretty_writes_at_any_depth() {
        let v = serde_json::json!({
            "a": [], "b": {}, "c": [1, [2, []], {"d": {}}], "e": {"f": [{"g": null}]},
            "h": "x\ny \"q\"", "i": [[]]
        });
        for depth in 0..4 {
            let mut out = Vec::new();
            let mut ser = serde_json::Serializer::with_formatter(&mut out, Nested::new(depth));
            serde::Serialize::serialize(&v, &mut ser).unwrap();
            let pad = "  ".repeat(depth);
            let want = serde_json::to_string_pretty(&v)
                .unwrap()
                .replace('\n', &format!("\n{pad}"));
            assert_eq!(String::from_utf8(out).unwrap(), want, "depth {depth}");
        }
    }

    #[test]
    fn streaming_prints_what_rendering_all_at_once_prints() {
        let k = Knowledge::embedded().unwrap();
        let e = Engine::new(&k);
        let texts = [
            "name: a\ndirection: server-to-client\nupdate_interval_s: 1\n",
            "name: \"b \\\"quoted\\\"\\nline\"\ndirection: bidirectional\nclient_messages_per_minute: 30\n",
            "name: c\ndirection: server-to-client\nupdate_interval_s: 3600\nruntime: vercel-functions\n",
        ];
        let all: Vec<Decision> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| e.decide(&parse_profile(t, &k.hop_ids()).unwrap(), &format!("{i}")))
            .collect();
        for n in 0..=all.len() {
            let mut s = Stream::new(Vec::new());
            for d in &all[..n] {
                s.push(element(d)).unwrap();
            }
            let out = String::from_utf8(s.finish().unwrap()).unwrap();
            assert_eq!(out, render(&all[..n]), "{n} decisions");
        }
    }
}
