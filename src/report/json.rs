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
pub fn element(d: &Decision) -> String {
    let text =
        serde_json::to_string_pretty(d).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    // A JSON string never holds a raw newline: every newline is the pretty printer's.
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    out.push_str("  ");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\n  ");
        }
        out.push_str(line);
    }
    out
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
                // Alone, the element is the whole output: back out of the array's indent.
                let one = one.strip_prefix("  ").unwrap_or(&one).replace("\n  ", "\n");
                self.out.write_all(one.as_bytes())?;
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
