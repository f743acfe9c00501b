//! `rtadvisor explain FILE`: every rule evaluated, its contribution, the capacity
//! arithmetic, and what would flip the answer.

use crate::cli::ExplainArgs;
use crate::output::{emit, Outcome};

pub fn explain(a: ExplainArgs) -> Outcome {
    let k = crate::load::knowledge(&a.rules)?;
    let l = crate::load::load_one(&a.file, &k)?;
    let engine = crate::engine::Engine::new(&k);
    emit(&crate::report::fit_width(
        &crate::report::explain::render(&engine.explain(&l.profile, &l.source)),
        crate::report::term_width(),
    ))
}
