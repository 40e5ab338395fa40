//! `kezek-center`: the center's command line (see [`cli`]): on the data folder, or with
//! `--url` through a running server's staff API.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
