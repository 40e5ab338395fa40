//! `kezek-kiosk`: the kiosk's command line, and its GUI when run without a subcommand on a
//! computer with a display. The command line itself is in `cli/`.
//!
//! Exit codes: 0 ok, 1 a command failed (also: any rejected line of `apply`), 2 usage.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
