//! The `onwatch` binary: parse the command line and run one command.

use clap::Parser;
use onwatch::cli::{self, Cli};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args = Cli::parse();
    let code = cli::run(args);
    std::process::exit(code);
}
