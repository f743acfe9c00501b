//! Asking one question: the [`Prompter`] trait, and its terminal implementation
//! ([`TermPrompter`], on crossterm). Prompts draw on stderr, so stdout carries only
//! the final report.
//!
//! Keys, in every prompt: Enter answers (alone: "don't know", or what the prompt
//! says), Shift-Tab goes back to the previous question, Esc or Ctrl-C quits. Text and
//! number prompts edit the line as a shell does ([`Line`]); lists filter as you type.

use super::questions::Opt;
use crossterm::cursor::{MoveToColumn, MoveUp};
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::terminal::{self, Clear, ClearType};
use crossterm::QueueableCommand;
use std::io::Write;

/// What the user answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer<T> {
    Value(T),
    /// "Don't know": the field stays unknown.
    DontKnow,
    /// Go back to the previous question.
    Back,
    /// Ctrl-C or Esc.
    Interrupted,
    /// The terminal failed.
    Failed(String),
}

/// One question as shown.
#[derive(Debug, Clone, Copy)]
pub struct Prompt<'a> {
    /// The profile field it fills.
    pub field: &'a str,
    pub text: &'a str,
    pub help: &'a str,
    /// Required questions offer no "don't know".
    pub required: bool,
    /// What an empty answer means ("don't know", "nothing else"); None when required.
    pub empty: Option<&'a str>,
    /// A number question's "there is none" answer, typed as 0.
    pub nothing: Option<&'a str>,
    /// The answer given before going back to this question (text, or option ids
    /// separated by commas).
    pub initial: Option<&'a str>,
}

/// What a number answer may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumberRule {
    pub min: f64,
    pub exclusive: bool,
    pub integer: bool,
}

impl NumberRule {
    /// Parses an answer; the error is a message for the user.
    pub fn parse(&self, s: &str) -> Result<f64, String> {
        let s = s.trim();
        let n: f64 = if self.integer {
            s.parse::<u64>()
                .map(|n| n as f64)
                .map_err(|_| "a whole number, please".to_string())?
        } else {
            s.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| "a number, please (e.g. 0.5 or 30)".to_string())?
        };
        let ok = if self.exclusive {
            n > self.min
        } else {
            n >= self.min
        };
        if ok {
            Ok(n)
        } else if self.exclusive {
            Err(format!("must be more than {}", self.min))
        } else {
            Err(format!("must be at least {}", self.min))
        }
    }
}

/// Asks questions. The interview logic talks only to this trait.
pub trait Prompter {
    fn ask_text(&mut self, p: &Prompt) -> Answer<String>;
    /// Returns the chosen option's id.
    fn ask_choice(&mut self, p: &Prompt, options: &[Opt]) -> Answer<String>;
    /// A question with a `nothing` answer takes 0 for it (whatever the rule says).
    fn ask_number(&mut self, p: &Prompt, unit: &str, rule: NumberRule) -> Answer<f64>;
    fn ask_yes_no(&mut self, p: &Prompt) -> Answer<bool>;
    /// Returns the chosen options' ids, in option order (possibly none).
    fn ask_multi(&mut self, p: &Prompt, options: &[Opt]) -> Answer<Vec<String>>;
    /// A yes/no confirmation (default no); DontKnow counts as no.
    fn confirm(&mut self, message: &str) -> Answer<bool>;
    /// The offer to refine: yes/no, Enter alone is no; Back returns to the last answer.
    fn offer(&mut self, message: &str) -> Answer<bool>;
}

const DONT_KNOW: &str = "don't know";
const BACK_KEY: &str = "Shift-Tab back";

/// What a key did to a line being edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Submit,
    Back,
    Quit,
    Ignored,
}

/// A line being edited, with shell (readline/emacs) keys: Ctrl-A/Ctrl-E start/end,
/// Ctrl-B/Ctrl-F and arrows by character, Alt-B/Alt-F and Ctrl-arrows by word,
/// Ctrl-U/Ctrl-K delete to the start/end, Ctrl-W and Alt-Backspace the word before
/// the cursor, Alt-D the word after it, Ctrl-D or Delete the character under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    pub chars: Vec<char>,
    pub cursor: usize,
}

impl Line {
    pub fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let cursor = chars.len();
        Line { chars, cursor }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    fn word_left(&self) -> usize {
        let mut i = self.cursor;
        while i > 0 && !self.chars[i - 1].is_alphanumeric() {
            i -= 1;
        }
        while i > 0 && self.chars[i - 1].is_alphanumeric() {
            i -= 1;
        }
        i
    }

    fn word_right(&self) -> usize {
        let n = self.chars.len();
        let mut i = self.cursor;
        while i < n && !self.chars[i].is_alphanumeric() {
            i += 1;
        }
        while i < n && self.chars[i].is_alphanumeric() {
            i += 1;
        }
        i
    }

    /// Shell `unix-word-rubout` (Ctrl-W): back to the previous whitespace.
    fn space_word_left(&self) -> usize {
        let mut i = self.cursor;
        while i > 0 && self.chars[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !self.chars[i - 1].is_whitespace() {
            i -= 1;
        }
        i
    }

    pub fn key(&mut self, k: KeyEvent) -> Edit {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        let n = self.chars.len();
        match k.code {
            KeyCode::Enter => return Edit::Submit,
            KeyCode::BackTab => return Edit::Back,
            KeyCode::Esc => return Edit::Quit,
            KeyCode::Char('c') if ctrl => return Edit::Quit,
            KeyCode::Char('d') if ctrl && n == 0 => return Edit::Quit,
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Home => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = n,
            KeyCode::End => self.cursor = n,
            KeyCode::Char('b') if ctrl => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('f') if ctrl => self.cursor = (self.cursor + 1).min(n),
            KeyCode::Char('b') if alt => self.cursor = self.word_left(),
            KeyCode::Char('f') if alt => self.cursor = self.word_right(),
            KeyCode::Left if ctrl || alt => self.cursor = self.word_left(),
            KeyCode::Right if ctrl || alt => self.cursor = self.word_right(),
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(n),
            KeyCode::Char('u') if ctrl => {
                self.chars.drain(..self.cursor);
                self.cursor = 0;
            }
            KeyCode::Char('k') if ctrl => self.chars.truncate(self.cursor),
            KeyCode::Char('w') if ctrl => {
                let from = self.space_word_left();
                self.chars.drain(from..self.cursor);
                self.cursor = from;
            }
            KeyCode::Backspace if alt || ctrl => {
                let from = self.word_left();
                self.chars.drain(from..self.cursor);
                self.cursor = from;
            }
            KeyCode::Char('h') if ctrl => {
                // Ctrl-H is Backspace on many terminals.
                if self.cursor > 0 {
                    self.cursor -= 1;
                    self.chars.remove(self.cursor);
                }
            }
            KeyCode::Char('d') if alt => {
                let to = self.word_right();
                self.chars.drain(self.cursor..to);
            }
            KeyCode::Backspace => {
                if self.cursor > 0 {
                    self.cursor -= 1;
                    self.chars.remove(self.cursor);
                }
            }
            KeyCode::Delete => {
                if self.cursor < n {
                    self.chars.remove(self.cursor);
                }
            }
            KeyCode::Char('d') if ctrl => {
                if self.cursor < n {
                    self.chars.remove(self.cursor);
                }
            }
            KeyCode::Char(c) if !ctrl && !alt => {
                self.chars.insert(self.cursor, c);
                self.cursor += 1;
            }
            _ => return Edit::Ignored,
        }
        Edit::Changed
    }
}

/// Raw mode while a prompt reads keys; restored when dropped (also on a panic).
struct Raw;

impl Raw {
    fn on() -> std::io::Result<Raw> {
        terminal::enable_raw_mode()?;
        Ok(Raw)
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = terminal::disable_raw_mode();
    }
}

/// Draws a prompt's lines on stderr, replacing the previous drawing.
struct Screen {
    out: std::io::Stderr,
    /// Rows from the top of the drawing to the row the cursor was left on.
    above: u16,
}

impl Screen {
    fn new() -> Self {
        Screen {
            out: std::io::stderr(),
            above: 0,
        }
    }

    /// The terminal's width; 80 when it does not say (a pty of size 0).
    fn width() -> usize {
        match terminal::size() {
            Ok((w, _)) if w > 0 => usize::from(w),
            _ => 80,
        }
    }

    fn rows(s: &str, width: usize) -> usize {
        s.chars().count().max(1).div_ceil(width)
    }

    /// Draws `lines`; the cursor goes to line 0 at column `col` (a char offset).
    fn draw(&mut self, lines: &[String], col: usize) -> std::io::Result<()> {
        let width = Self::width();
        let out = &mut self.out;
        if self.above > 0 {
            out.queue(MoveUp(self.above))?;
        }
        out.queue(MoveToColumn(0))?;
        out.queue(Clear(ClearType::FromCursorDown))?;
        let mut total = 0usize;
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                out.write_all(b"\r\n")?;
            }
            out.write_all(l.as_bytes())?;
            total += Self::rows(l, width);
        }
        // The cursor is on the last row drawn; move it to line 0 at `col`.
        let (row, c) = (col / width, col % width);
        let last = total.saturating_sub(1);
        let up = u16::try_from(last.saturating_sub(row)).unwrap_or(u16::MAX);
        if up > 0 {
            out.queue(MoveUp(up))?;
        }
        out.queue(MoveToColumn(u16::try_from(c).unwrap_or(u16::MAX)))?;
        out.flush()?;
        self.above = u16::try_from(row).unwrap_or(u16::MAX);
        Ok(())
    }

    /// Replaces the drawing with one line (the question and its answer) and ends it.
    fn done(&mut self, line: &str) -> std::io::Result<()> {
        self.draw(&[line.to_string()], line.chars().count())?;
        self.out.write_all(b"\r\n")?;
        self.out.flush()?;
        self.above = 0;
        Ok(())
    }
}

/// Reads the next key press (ignores releases, repeats of other kinds, and resizes).
fn next_key() -> std::io::Result<Option<KeyEvent>> {
    match event::read()? {
        Event::Key(k) if k.kind != KeyEventKind::Release => Ok(Some(k)),
        _ => Ok(None),
    }
}

fn keys(p: &Prompt, what: &str) -> String {
    let mut k = vec![what.to_string()];
    if let Some(e) = p.empty {
        k.push(format!("Enter alone = {e}"));
    }
    k.push(BACK_KEY.into());
    format!("  {} [{}]", p.help, k.join(" · "))
}

/// Prompts in the terminal (crossterm), drawing on stderr.
pub struct TermPrompter;

impl TermPrompter {
    pub fn new() -> Self {
        TermPrompter
    }

    /// A line prompt: returns the text on Enter once `check` accepts it.
    fn line(
        &mut self,
        question: &str,
        help: &str,
        initial: Option<&str>,
        check: &dyn Fn(&str) -> Result<(), String>,
        echo: &dyn Fn(&str) -> String,
    ) -> Answer<String> {
        let run = || -> std::io::Result<Answer<String>> {
            let _raw = Raw::on()?;
            let mut screen = Screen::new();
            let mut line = Line::new(initial.unwrap_or(""));
            let mut error: Option<String> = None;
            let head = format!("? {question} ");
            loop {
                let mut lines = vec![format!("{head}{}", line.text()), help.to_string()];
                if let Some(e) = &error {
                    lines.push(format!("  ! {e}"));
                }
                screen.draw(&lines, head.chars().count() + line.cursor)?;
                let Some(k) = next_key()? else { continue };
                match line.key(k) {
                    Edit::Submit => match check(&line.text()) {
                        Ok(()) => {
                            screen.done(&format!("{head}{}", echo(&line.text())))?;
                            return Ok(Answer::Value(line.text()));
                        }
                        Err(m) => error = Some(m),
                    },
                    Edit::Back => {
                        screen.done(&format!("{head}(back)"))?;
                        return Ok(Answer::Back);
                    }
                    Edit::Quit => {
                        screen.done(&format!("{head}(quit)"))?;
                        return Ok(Answer::Interrupted);
                    }
                    Edit::Changed => error = None,
                    Edit::Ignored => {}
                }
            }
        };
        run().unwrap_or_else(|e| Answer::Failed(format!("terminal: {e}")))
    }

    /// A list: filter by typing, ↑↓ to move, Enter to pick (Space to tick, with
    /// `multi`; lines from `alone` on, "don't know", are ticked alone: see
    /// [`toggle`]). Returns the indices picked.
    #[allow(clippy::too_many_arguments)]
    fn list(
        &mut self,
        question: &str,
        help: &str,
        labels: &[String],
        start: &[usize],
        multi: bool,
        alone: usize,
        empty: &str,
    ) -> Answer<Vec<usize>> {
        const PAGE: usize = 12;
        let run = || -> std::io::Result<Answer<Vec<usize>>> {
            let _raw = Raw::on()?;
            let mut screen = Screen::new();
            let mut filter = Line::default();
            let mut ticked: Vec<bool> = vec![false; labels.len()];
            if multi {
                for &i in start {
                    if let Some(t) = ticked.get_mut(i) {
                        *t = true;
                    }
                }
            }
            let shown = |f: &str| matching(labels, f);
            let mut visible = shown("");
            let mut at = if multi {
                0
            } else {
                start
                    .first()
                    .and_then(|s| visible.iter().position(|v| v == s))
                    .unwrap_or(0)
            };
            let mut top = at.saturating_sub(PAGE - 1);
            let head = format!("? {question} ");
            loop {
                if at < top {
                    top = at;
                } else if at >= top + PAGE {
                    top = at + 1 - PAGE;
                }
                let mut lines = vec![format!("{head}{}", filter.text())];
                for (row, &i) in visible.iter().enumerate().skip(top).take(PAGE) {
                    let pointer = if row == at { ">" } else { " " };
                    let tick = match (multi, ticked[i]) {
                        (false, _) => "",
                        (true, true) => "[x] ",
                        (true, false) => "[ ] ",
                    };
                    lines.push(format!("{pointer} {tick}{}", labels[i]));
                }
                if visible.is_empty() {
                    lines.push("  (nothing matches; Backspace to widen)".into());
                }
                lines.push(help.to_string());
                screen.draw(&lines, head.chars().count() + filter.cursor)?;
                let Some(k) = next_key()? else { continue };
                let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
                match k.code {
                    KeyCode::Up => at = at.saturating_sub(1),
                    KeyCode::Char('p') if ctrl => at = at.saturating_sub(1),
                    KeyCode::Down | KeyCode::Tab => {
                        at = (at + 1).min(visible.len().saturating_sub(1))
                    }
                    KeyCode::Char('n') if ctrl => {
                        at = (at + 1).min(visible.len().saturating_sub(1))
                    }
                    KeyCode::PageUp => at = at.saturating_sub(PAGE),
                    KeyCode::PageDown => at = (at + PAGE).min(visible.len().saturating_sub(1)),
                    KeyCode::Char(' ') if multi => {
                        if let Some(&i) = visible.get(at) {
                            toggle(&mut ticked, i, alone);
                        }
                    }
                    KeyCode::Enter => {
                        let picked: Vec<usize> = if multi {
                            (0..labels.len()).filter(|&i| ticked[i]).collect()
                        } else {
                            match visible.get(at) {
                                Some(&i) => vec![i],
                                None => continue,
                            }
                        };
                        let words: Vec<&str> = picked.iter().map(|&i| labels[i].as_str()).collect();
                        let shown = if words.is_empty() {
                            empty.to_string()
                        } else {
                            words.join(", ")
                        };
                        screen.done(&format!("{head}{shown}"))?;
                        return Ok(Answer::Value(picked));
                    }
                    _ => match filter.key(k) {
                        Edit::Back => {
                            screen.done(&format!("{head}(back)"))?;
                            return Ok(Answer::Back);
                        }
                        Edit::Quit => {
                            screen.done(&format!("{head}(quit)"))?;
                            return Ok(Answer::Interrupted);
                        }
                        Edit::Changed => {
                            visible = shown(&filter.text());
                            at = 0;
                            top = 0;
                        }
                        Edit::Submit | Edit::Ignored => {}
                    },
                }
            }
        };
        run().unwrap_or_else(|e| Answer::Failed(format!("terminal: {e}")))
    }

    /// y/n; Enter alone is no.
    fn yes_no(&mut self, message: &str, back: bool) -> Answer<bool> {
        let run = || -> std::io::Result<Answer<bool>> {
            let _raw = Raw::on()?;
            let mut screen = Screen::new();
            let head = format!(
                "? {message} (y/N{}) ",
                if back { ", Shift-Tab back" } else { "" }
            );
            loop {
                screen.draw(std::slice::from_ref(&head), head.chars().count())?;
                let Some(k) = next_key()? else { continue };
                let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
                match k.code {
                    KeyCode::Char('y' | 'Y') if !ctrl => {
                        screen.done(&format!("{head}yes"))?;
                        return Ok(Answer::Value(true));
                    }
                    KeyCode::Char('n' | 'N') | KeyCode::Enter if !ctrl => {
                        screen.done(&format!("{head}no"))?;
                        return Ok(Answer::Value(false));
                    }
                    KeyCode::BackTab if back => {
                        screen.done(&format!("{head}(back)"))?;
                        return Ok(Answer::Back);
                    }
                    KeyCode::Esc => return Ok(Answer::Interrupted),
                    KeyCode::Char('c') if ctrl => return Ok(Answer::Interrupted),
                    _ => {}
                }
            }
        };
        run().unwrap_or_else(|e| Answer::Failed(format!("terminal: {e}")))
    }
}

impl Default for TermPrompter {
    fn default() -> Self {
        Self::new()
    }
}

/// The labels that contain `filter` (any case): those that start with it first.
fn matching(labels: &[String], filter: &str) -> Vec<usize> {
    let f = filter.to_lowercase();
    let mut hits: Vec<(bool, usize)> = labels
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.to_lowercase();
            l.contains(&f).then(|| (!l.starts_with(&f), i))
        })
        .collect();
    hits.sort_unstable();
    hits.into_iter().map(|(_, i)| i).collect()
}

/// Ticks or unticks line `i` of a list. Lines from `alone` on ("don't know") go
/// alone: ticking one unticks every other line, and ticking any other line
/// unticks them, so what is shown ticked is what is answered.
fn toggle(ticked: &mut [bool], i: usize, alone: usize) {
    let Some(was) = ticked.get(i).copied() else {
        return;
    };
    ticked[i] = !was;
    if !was {
        for (j, t) in ticked.iter_mut().enumerate() {
            if j != i && (i >= alone || j >= alone) {
                *t = false;
            }
        }
    }
}

/// Labels with "don't know" last for optional questions; the starting row.
fn labelled(p: &Prompt, options: &[Opt]) -> (Vec<String>, Vec<usize>) {
    let mut labels: Vec<String> = options.iter().map(|o| o.label.clone()).collect();
    let before: Vec<&str> = p.initial.map_or(Vec::new(), |s| s.split(',').collect());
    let mut start: Vec<usize> = options
        .iter()
        .enumerate()
        .filter(|(_, o)| before.contains(&o.id.as_str()))
        .map(|(i, _)| i)
        .collect();
    if !p.required {
        labels.push(DONT_KNOW.to_string());
        if start.is_empty() {
            start.push(labels.len() - 1);
        }
    }
    (labels, start)
}

impl Prompter for TermPrompter {
    fn ask_text(&mut self, p: &Prompt) -> Answer<String> {
        let required = p.required;
        let help = keys(p, if required { "required" } else { "text" });
        let check = move |s: &str| {
            if required && s.trim().is_empty() {
                Err("an answer is needed".to_string())
            } else {
                Ok(())
            }
        };
        let empty = p.empty.unwrap_or("");
        let echo = |s: &str| {
            if s.trim().is_empty() {
                empty.to_string()
            } else {
                s.trim().to_string()
            }
        };
        match self.line(p.text, &help, p.initial, &check, &echo) {
            Answer::Value(s) if s.trim().is_empty() => Answer::DontKnow,
            Answer::Value(s) => Answer::Value(s.trim().to_string()),
            Answer::DontKnow => Answer::DontKnow,
            Answer::Back => Answer::Back,
            Answer::Interrupted => Answer::Interrupted,
            Answer::Failed(m) => Answer::Failed(m),
        }
    }

    fn ask_choice(&mut self, p: &Prompt, options: &[Opt]) -> Answer<String> {
        let (labels, start) = labelled(p, options);
        let help = keys(p, "type to filter, ↑↓ move, Enter choose");
        match self.list(p.text, &help, &labels, &start, false, labels.len(), "") {
            Answer::Value(v) => v
                .first()
                .and_then(|&i| options.get(i))
                .map_or(Answer::DontKnow, |o| Answer::Value(o.id.clone())),
            Answer::DontKnow => Answer::DontKnow,
            Answer::Back => Answer::Back,
            Answer::Interrupted => Answer::Interrupted,
            Answer::Failed(m) => Answer::Failed(m),
        }
    }

    fn ask_number(&mut self, p: &Prompt, unit: &str, rule: NumberRule) -> Answer<f64> {
        let required = p.required;
        let nothing = p.nothing.is_some();
        let text = format!("{} ({unit})", p.text);
        let what = match p.nothing {
            Some(n) => format!("a number; 0 = {n}"),
            None => "a number".to_string(),
        };
        let help = keys(p, &what);
        let check = move |s: &str| {
            if s.trim().is_empty() {
                return if required {
                    Err("an answer is needed".to_string())
                } else {
                    Ok(())
                };
            }
            if nothing && s.trim().parse::<f64>() == Ok(0.0) {
                return Ok(());
            }
            rule.parse(s).map(|_| ())
        };
        let empty = p.empty.unwrap_or("");
        let none = p.nothing.unwrap_or("");
        let echo = |s: &str| match s.trim() {
            "" => empty.to_string(),
            t if nothing && t.parse::<f64>() == Ok(0.0) => format!("0 ({none})"),
            t => t.to_string(),
        };
        match self.line(&text, &help, p.initial, &check, &echo) {
            Answer::Value(s) if s.trim().is_empty() => Answer::DontKnow,
            Answer::Value(s) if nothing && s.trim().parse::<f64>() == Ok(0.0) => Answer::Value(0.0),
            Answer::Value(s) => match rule.parse(&s) {
                Ok(n) => Answer::Value(n),
                Err(m) => Answer::Failed(m),
            },
            Answer::DontKnow => Answer::DontKnow,
            Answer::Back => Answer::Back,
            Answer::Interrupted => Answer::Interrupted,
            Answer::Failed(m) => Answer::Failed(m),
        }
    }

    fn ask_yes_no(&mut self, p: &Prompt) -> Answer<bool> {
        let options = [
            Opt {
                id: "true".into(),
                label: "yes".into(),
            },
            Opt {
                id: "false".into(),
                label: "no".into(),
            },
        ];
        match self.ask_choice(p, &options) {
            Answer::Value(v) => Answer::Value(v == "true"),
            Answer::DontKnow => Answer::DontKnow,
            Answer::Back => Answer::Back,
            Answer::Interrupted => Answer::Interrupted,
            Answer::Failed(m) => Answer::Failed(m),
        }
    }

    fn ask_multi(&mut self, p: &Prompt, options: &[Opt]) -> Answer<Vec<String>> {
        let (labels, mut start) = labelled(p, options);
        // Nothing is ticked to begin with unless the answer is being redone.
        if p.initial.is_none() {
            start.clear();
        }
        let help = keys(p, "type to filter, Space tick, Enter confirm");
        match self.list(
            p.text,
            &help,
            &labels,
            &start,
            true,
            options.len(),
            p.empty.unwrap_or("(none)"),
        ) {
            Answer::Value(v) if v.iter().any(|&i| i >= options.len()) => Answer::DontKnow,
            Answer::Value(v) => Answer::Value(
                v.iter()
                    .filter_map(|&i| options.get(i).map(|o| o.id.clone()))
                    .collect(),
            ),
            Answer::DontKnow => Answer::DontKnow,
            Answer::Back => Answer::Back,
            Answer::Interrupted => Answer::Interrupted,
            Answer::Failed(m) => Answer::Failed(m),
        }
    }

    fn confirm(&mut self, message: &str) -> Answer<bool> {
        self.yes_no(message, false)
    }

    fn offer(&mut self, message: &str) -> Answer<bool> {
        self.yes_no(message, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_field_rules() {
        let pos = NumberRule {
            min: 0.0,
            exclusive: true,
            integer: false,
        };
        assert_eq!(pos.parse(" 0.05 "), Ok(0.05));
        assert!(pos.parse("0").is_err());
        assert!(pos.parse("NaN").is_err());
        assert!(pos.parse("inf").is_err());
        let count = NumberRule {
            min: 1.0,
            exclusive: false,
            integer: true,
        };
        assert_eq!(count.parse("3"), Ok(3.0));
        assert!(count.parse("0").is_err());
        assert!(count.parse("1.5").is_err());
    }

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }
    fn ctrl(c: char) -> KeyEvent {
        key(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    fn alt(c: char) -> KeyEvent {
        key(KeyCode::Char(c), KeyModifiers::ALT)
    }
    fn typed(l: &mut Line, s: &str) {
        for c in s.chars() {
            assert_eq!(
                l.key(key(KeyCode::Char(c), KeyModifiers::NONE)),
                Edit::Changed
            );
        }
    }

    #[test]
    fn shell_keys_edit_the_line_instead_of_inserting_letters() {
        // "every 10s": Ctrl-U, Ctrl-W, Ctrl-A/E and Alt-B/F used to insert "su" etc.
        let mut l = Line::new("every 10s");
        assert_eq!(l.key(ctrl('w')), Edit::Changed);
        assert_eq!(l.text(), "every ");
        typed(&mut l, "30");
        assert_eq!(l.text(), "every 30");
        l.key(ctrl('a'));
        assert_eq!(l.cursor, 0);
        l.key(ctrl('e'));
        assert_eq!(l.cursor, 8);
        l.key(alt('b'));
        assert_eq!(l.cursor, 6);
        l.key(alt('b'));
        assert_eq!(l.cursor, 0);
        l.key(alt('f'));
        assert_eq!(l.cursor, 5);
        l.key(ctrl('k'));
        assert_eq!(l.text(), "every");
        l.key(ctrl('u'));
        assert_eq!(l.text(), "");
        assert_eq!(l.cursor, 0);
        typed(&mut l, "0.5");
        l.key(key(KeyCode::Left, KeyModifiers::NONE));
        l.key(key(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(l.text(), "05");
        assert_eq!(l.cursor, 1);
        // Ctrl-U deletes only what is left of the cursor.
        let mut l = Line::new("120 per minute");
        l.cursor = 4;
        l.key(ctrl('u'));
        assert_eq!(l.text(), "per minute");
        l.key(alt('d'));
        assert_eq!(l.text(), " minute");
    }

    #[test]
    fn enter_back_and_quit_are_keys_not_text() {
        let mut l = Line::new("x");
        assert_eq!(l.key(key(KeyCode::Enter, KeyModifiers::NONE)), Edit::Submit);
        assert_eq!(
            l.key(key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Edit::Back
        );
        assert_eq!(l.key(key(KeyCode::Esc, KeyModifiers::NONE)), Edit::Quit);
        assert_eq!(l.key(ctrl('c')), Edit::Quit);
        assert_eq!(l.key(ctrl('q')), Edit::Ignored);
        assert_eq!(l.text(), "x");
    }

    #[test]
    fn filtering_puts_labels_that_start_with_the_text_first() {
        let labels: Vec<String> = ["ingress-nginx (Ingress-NGINX)", "nginx (NGINX)", "envoy"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(matching(&labels, "nginx"), [1, 0]);
        assert_eq!(matching(&labels, "IN"), [0, 1]);
        assert_eq!(matching(&labels, ""), [0, 1, 2]);
        assert_eq!(matching(&labels, "zzz"), Vec::<usize>::new());
    }

    #[test]
    fn dont_know_is_ticked_alone() {
        // Lines 0..3 are answers, line 3 is "don't know".
        let mut t = vec![false; 4];
        toggle(&mut t, 0, 3);
        toggle(&mut t, 2, 3);
        assert_eq!(t, [true, false, true, false]);
        // "Don't know" unticks the answers...
        toggle(&mut t, 3, 3);
        assert_eq!(t, [false, false, false, true]);
        // ...and an answer unticks "don't know".
        toggle(&mut t, 1, 3);
        assert_eq!(t, [false, true, false, false]);
        // Unticking touches nothing else.
        toggle(&mut t, 1, 3);
        assert_eq!(t, [false; 4]);
        toggle(&mut t, 9, 3);
        assert_eq!(t, [false; 4]);
    }

    #[test]
    fn lists_start_on_dont_know_not_yes() {
        let p = Prompt {
            field: "presence",
            text: "q",
            help: "h",
            required: false,
            empty: Some("don't know"),
            nothing: None,
            initial: None,
        };
        let opts = [
            Opt {
                id: "true".into(),
                label: "yes".into(),
            },
            Opt {
                id: "false".into(),
                label: "no".into(),
            },
        ];
        let (labels, start) = labelled(&p, &opts);
        assert_eq!(labels, ["yes", "no", "don't know"]);
        assert_eq!(start, [2]);
        // Going back starts on the earlier answer.
        let again = Prompt {
            initial: Some("false"),
            ..p
        };
        assert_eq!(labelled(&again, &opts).1, [1]);
        assert!(keys(&p, "x").contains("Enter alone = don't know"));
        assert!(keys(&p, "x").contains("Shift-Tab back"));
    }
}
