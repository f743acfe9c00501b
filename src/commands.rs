//! The smaller commands: explain, matrix, rules, init, schema, completions, man.

use crate::app::{Failure, Outcome};
use crate::cli::{ExplainArgs, InitArgs, MatrixArgs, RulesCommand};

fn later(what: &str) -> Outcome {
    Err(Failure::Usage(format!("`{what}` is not available yet")))
}

pub fn explain(_a: ExplainArgs) -> Outcome {
    later("explain")
}
pub fn matrix(_a: MatrixArgs) -> Outcome {
    later("matrix")
}
pub fn rules(_r: RulesCommand) -> Outcome {
    later("rules")
}
pub fn init(_a: InitArgs) -> Outcome {
    later("init")
}
pub fn schema() -> Outcome {
    later("schema")
}
pub fn completions(_s: clap_complete::Shell) -> Outcome {
    later("completions")
}
pub fn man() -> Outcome {
    later("man")
}
