//! `rtadvisor doc FILE --into DOC`: marker-based injection into design docs (issue #3).

use crate::app::{Failure, Outcome};
use crate::cli::DocArgs;

pub fn run(_a: DocArgs) -> Outcome {
    Err(Failure::Usage("`doc` is not available yet".into()))
}
