//! Asking one question: the [`Prompter`] trait, and its terminal implementation (inquire).
//! inquire draws on stderr, so stdout carries only the final report.

use super::questions::Opt;
use inquire::error::InquireError;
use inquire::validator::Validation;
use inquire::{Confirm, MultiSelect, Select, Text};

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

/// Prompts in the terminal with inquire.
pub struct InquirePrompter;

impl InquirePrompter {
    pub fn new() -> Self {
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            inquire::set_global_render_config(inquire::ui::RenderConfig::empty());
        }
        InquirePrompter
    }
}

impl Default for InquirePrompter {
    fn default() -> Self {
        Self::new()
    }
}

fn failed<T>(e: InquireError) -> Answer<T> {
    match e {
        InquireError::OperationCanceled | InquireError::OperationInterrupted => Answer::Interrupted,
        e => Answer::Failed(e.to_string()),
    }
}

fn help(p: &Prompt, keys: &str) -> String {
    format!("{} [{keys}]", p.help)
}

impl Prompter for InquirePrompter {
    fn ask_text(&mut self, p: &Prompt) -> Answer<String> {
        let required = p.required;
        let keys = if required {
            "required"
        } else {
            "empty = don't know"
        };
        let r = Text::new(p.text)
            .with_help_message(&help(p, keys))
            .with_validator(move |s: &str| {
                Ok(if required && s.trim().is_empty() {
                    Validation::Invalid("an answer is needed".into())
                } else {
                    Validation::Valid
                })
            })
            .prompt();
        match r {
            Ok(s) if s.trim().is_empty() => Answer::DontKnow,
            Ok(s) => Answer::Value(s.trim().to_string()),
            Err(e) => failed(e),
        }
    }

    fn ask_choice(&mut self, p: &Prompt, options: &[Opt]) -> Answer<String> {
        let mut labels: Vec<String> = options.iter().map(|o| o.label.clone()).collect();
        if !p.required {
            labels.push(DONT_KNOW.to_string());
        }
        let r = Select::new(p.text, labels)
            .with_help_message(&help(p, "↑↓ move, type to filter, Enter choose"))
            .with_page_size(12)
            .raw_prompt();
        match r {
            Ok(o) => options
                .get(o.index)
                .map_or(Answer::DontKnow, |x| Answer::Value(x.id.clone())),
            Err(e) => failed(e),
        }
    }

    fn ask_number(&mut self, p: &Prompt, unit: &str, rule: NumberRule) -> Answer<f64> {
        let required = p.required;
        let text = format!("{} ({unit})", p.text);
        let keys = if required {
            "a number"
        } else {
            "a number; empty = don't know"
        };
        let r = Text::new(&text)
            .with_help_message(&help(p, keys))
            .with_validator(move |s: &str| {
                if s.trim().is_empty() && !required {
                    return Ok(Validation::Valid);
                }
                Ok(match rule.parse(s) {
                    Ok(_) => Validation::Valid,
                    Err(m) => Validation::Invalid(m.into()),
                })
            })
            .prompt();
        match r {
            Ok(s) if s.trim().is_empty() => Answer::DontKnow,
            Ok(s) => match rule.parse(&s) {
                Ok(n) => Answer::Value(n),
                Err(m) => Answer::Failed(m),
            },
            Err(e) => failed(e),
        }
    }

    fn ask_yes_no(&mut self, p: &Prompt) -> Answer<bool> {
        let mut labels = vec!["yes", "no"];
        if !p.required {
            labels.push(DONT_KNOW);
        }
        match Select::new(p.text, labels)
            .with_help_message(&help(p, "↑↓ move, type to filter, Enter choose"))
            .raw_prompt()
        {
            Ok(o) if o.index == 0 => Answer::Value(true),
            Ok(o) if o.index == 1 => Answer::Value(false),
            Ok(_) => Answer::DontKnow,
            Err(e) => failed(e),
        }
    }

    fn ask_multi(&mut self, p: &Prompt, options: &[Opt]) -> Answer<Vec<String>> {
        let mut labels: Vec<String> = options.iter().map(|o| o.label.clone()).collect();
        if !p.required {
            labels.push(DONT_KNOW.to_string());
        }
        let r = MultiSelect::new(p.text, labels)
            .with_help_message(&help(p, "Space select, type to filter, Enter confirm"))
            .with_page_size(12)
            .raw_prompt();
        match r {
            Ok(chosen) if chosen.iter().any(|o| o.index >= options.len()) => Answer::DontKnow,
            Ok(chosen) => Answer::Value(
                chosen
                    .iter()
                    .filter_map(|o| options.get(o.index).map(|x| x.id.clone()))
                    .collect(),
            ),
            Err(e) => failed(e),
        }
    }

    fn confirm(&mut self, message: &str) -> Answer<bool> {
        match Confirm::new(message).with_default(false).prompt() {
            Ok(b) => Answer::Value(b),
            Err(e) => failed(e),
        }
    }

    fn offer(&mut self, message: &str) -> Answer<bool> {
        self.confirm(message)
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
}
