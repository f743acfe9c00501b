//! What the engine decides: a plain data structure the renderers print.
//! Its JSON form is the stable, versioned contract of SPEC.md.

use serde::Serialize;

pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub format_version: u32,
    pub name: String,
    pub source: String,
    pub recommendation: Recommendation,
    pub ranking: Vec<Ranked>,
    pub rationale: Vec<Reason>,
    pub gotchas: Vec<Gotcha>,
    pub flips: Vec<Flip>,
    /// Changes too small to count as flips (under 25 %) that would already change the
    /// answer: the decision sits at a boundary (shown by `explain`, lowers confidence).
    #[serde(skip)]
    pub near_flips: Vec<Flip>,
    pub unknowns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<Audit>,
    /// What to build: each add-on with its concrete instructions.
    pub build: Vec<BuildStep>,
    /// Connections, rates and instances, checked against every known limit on the path.
    pub capacity: super::capacity::Capacity,
    pub sources: Vec<SourceCite>,
    /// Every rule evaluated (for `explain`); not part of the JSON output.
    #[serde(skip)]
    pub evaluations: Vec<Evaluation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// `None` (JSON `null`) when every transport is vetoed: there is no viable one.
    pub transport: Option<String>,
    pub confidence: Confidence,
    pub add_ons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heartbeat_s: Option<f64>,
    /// When one transport is not enough: the combination, in a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hybrid: Option<String>,
    /// Points ahead of the runner-up (none when every other option is vetoed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<String>,
}

/// What reports print for a recommendation with no viable transport.
pub const NO_VIABLE: &str = "no viable transport";

impl Recommendation {
    /// The transport, or [`NO_VIABLE`] when every transport is vetoed.
    pub fn label(&self) -> &str {
        self.transport.as_deref().unwrap_or(NO_VIABLE)
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
pub struct Ranked {
    pub transport: String,
    pub score: i32,
    pub vetoed: bool,
    /// Rules that vetoed it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vetoed_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub rule: String,
    pub dimension: String,
    pub text: String,
    /// Points given to each transport.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vetoes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    pub transport: String,
    pub points: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gotcha {
    pub id: String,
    pub text: String,
    pub fix: String,
    pub rule: String,
    /// The design does not work as is: apply the fix first.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blocking: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flip {
    pub field: String,
    /// The current value (absent when the field is unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<serde_json::Value>,
    pub to: serde_json::Value,
    pub transport: String,
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
pub struct BuildStep {
    pub add_on: String,
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceCite {
    pub id: String,
    pub title: String,
    pub url: String,
    pub checked: String,
}

/// One rule's evaluation, for `explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub rule: String,
    pub dimension: String,
    /// Which hop, for per-hop rules.
    pub hop: Option<String>,
    pub condition: String,
    /// "true", "false" or "unknown".
    pub outcome: &'static str,
    /// The values the condition saw.
    pub seen: Vec<(String, String)>,
    pub effects: Vec<Effect>,
    pub vetoes: Vec<String>,
    /// Why advice was not given although the condition held (e.g. other transport).
    pub note: Option<String>,
}
