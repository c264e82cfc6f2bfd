//! `loophole`: the reward-hacking laboratory's command line.

/// `println!` for the command's output. When whoever reads it has gone
/// (`loophole explain irl | head -c 100`), the command ends quietly with
/// status 0 instead of panicking; any other failure to write is an error
/// with status 1.
macro_rules! out {
    () => {
        $crate::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod bench;
mod cli;
mod feedback;
mod mechanics;
mod output;
mod plot;
mod shard;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}

/// Writes to standard output for [`out!`]; see there.
fn write_out(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let Err(e) = stdout.write_fmt(args) else {
        return;
    };
    drop(stdout);
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: cannot write the output: {e}");
    std::process::exit(1);
}
