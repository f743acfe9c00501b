/// mimalloc instead of glibc's malloc: deciding a profile makes some hundred small
/// allocations (texts, facts, the YAML), which mimalloc serves faster, per thread,
/// and without glibc's arena locking in a batch. See README, Performance.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rtadvisor::app::main()
}
