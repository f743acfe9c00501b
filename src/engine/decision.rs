//! What the engine decides: a plain data structure the renderers print.
//! Its JSON form is the stable, versioned contract of SPEC.md.

use crate::rules::Kstr;
use serde::Serialize;
use std::borrow::Cow;

/// A text of a decision: borrowed from the rules when a rule's text has nothing to
/// fill in, written only when it has.
pub type Text<'k> = Cow<'k, str>;

pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision<'k> {
    pub format_version: u32,
    pub name: String,
    pub source: String,
    pub recommendation: Recommendation<'k>,
    pub ranking: Vec<Ranked<'k>>,
    pub rationale: Vec<Reason<'k>>,
    pub gotchas: Vec<Gotcha<'k>>,
    pub flips: Vec<Flip<'k>>,
    /// Changes too small to count as flips (under 25 %) that would already change the
    /// answer: the decision sits at a boundary (shown by `explain`, lowers confidence).
    #[serde(skip)]
    pub near_flips: Vec<Flip<'k>>,
    pub unknowns: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<Audit>,
    /// What to build: each add-on with its concrete instructions.
    pub build: Vec<BuildStep<'k>>,
    /// Connections, rates and instances, checked against every known limit on the path.
    pub capacity: super::capacity::Capacity,
    pub sources: Vec<SourceCite<'k>>,
    /// Every rule evaluated (for `explain`); not part of the JSON output.
    #[serde(skip)]
    pub evaluations: Vec<Evaluation<'k>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation<'k> {
    /// `None` (JSON `null`) when every transport is vetoed: there is no viable one.
    pub transport: Option<&'k str>,
    pub confidence: Confidence,
    pub add_ons: Vec<&'k str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heartbeat_s: Option<f64>,
    /// When one transport is not enough: the combination, in a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hybrid: Option<Text<'k>>,
    /// Points ahead of the runner-up (none when every other option is vetoed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<&'k str>,
}

/// What reports print for a recommendation with no viable transport.
pub const NO_VIABLE: &str = "no viable transport";

impl Recommendation<'_> {
    /// The transport, or [`NO_VIABLE`] when every transport is vetoed.
    pub fn label(&self) -> &str {
        self.transport.unwrap_or(NO_VIABLE)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
    pub fn lower(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked<'k> {
    pub transport: &'k str,
    pub score: i32,
    pub vetoed: bool,
    /// Rules that vetoed it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vetoed_by: Vec<&'k str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason<'k> {
    pub rule: &'k str,
    pub dimension: &'k str,
    pub text: Text<'k>,
    /// Points given to each transport.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect<'k>>,
    /// The transports the rule vetoes (the rule's own list).
    #[serde(skip_serializing_if = "<[Kstr]>::is_empty")]
    pub vetoes: &'k [Kstr],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect<'k> {
    pub transport: &'k str,
    pub points: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gotcha<'k> {
    pub id: String,
    pub text: Text<'k>,
    pub fix: Text<'k>,
    pub rule: &'k str,
    /// The design does not work as is: apply the fix first.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blocking: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flip<'k> {
    pub field: &'static str,
    /// The current value (absent when the field is unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<serde_json::Value>,
    pub to: serde_json::Value,
    pub transport: &'k str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub current: String,
    pub verdict: Verdict,
    pub text: String,
    /// The rule that most separates the recommendation from the current
    /// transport (a veto of it, or the most points between them): the reason a
    /// `--check` finding gives. Absent when the current transport fits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The profile's waiver (`accept:`), when it covers this verdict and has not
    /// expired: the finding is reported as waived, not failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<Waiver>,
    /// Why a waiver in the profile does not apply (expired, or another verdict).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver_note: Option<String>,
}

/// A deliberate choice a team accepts: `accept: {verdict, reason, until}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waiver {
    pub verdict: Verdict,
    pub reason: String,
    /// `YYYY-MM-DD`: the waiver stops applying after this day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Fits,
    OverEngineered,
    UnderEngineered,
    Mismatch,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fits => "fits",
            Verdict::OverEngineered => "over-engineered",
            Verdict::UnderEngineered => "under-engineered",
            Verdict::Mismatch => "mismatch",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildStep<'k> {
    pub add_on: &'k str,
    pub name: &'k str,
    pub text: Text<'k>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceCite<'k> {
    pub id: &'k str,
    pub title: &'k str,
    pub url: &'k str,
    pub checked: &'k str,
}

/// One rule's evaluation, for `explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation<'k> {
    pub rule: &'k str,
    pub dimension: &'k str,
    /// Which hop, for per-hop rules.
    pub hop: Option<String>,
    pub condition: String,
    /// "true", "false" or "unknown".
    pub outcome: &'static str,
    /// The values the condition saw.
    pub seen: Vec<(String, String)>,
    pub effects: Vec<Effect<'k>>,
    pub vetoes: &'k [Kstr],
    /// Why advice was not given although the condition held (e.g. other transport).
    pub note: Option<String>,
}
