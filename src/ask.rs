//! `rtadvisor ask`: the interview (issue #4).

use crate::app::{Failure, Outcome};
use crate::cli::AskArgs;

pub fn run(_a: AskArgs) -> Outcome {
    Err(Failure::Usage("`ask` is not available yet".into()))
}
