//! `loophole`: the reward-hacking laboratory's command line.

mod bench;
mod cli;
mod feedback;
mod output;
mod plot;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
