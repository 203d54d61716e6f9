//! The `blastradius` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    blastradius::cli::main()
}
