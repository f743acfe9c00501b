fn main() -> std::process::ExitCode {
    rtadvisor::app::main()
}
