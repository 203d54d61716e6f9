//! Runs the binary under test and checks what it did: the few calls the
//! CLI tests make, on `std::process` alone. (`assert_cmd` and `predicates`
//! did this before; with `bstr` and the `regex` crates behind them they were
//! a fifth of what a fresh `cargo test` compiled.)
// Each test crate uses a different part of this module.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// The `blastradius` binary, ready for arguments.
pub fn blastradius() -> Command {
    Command::new(env!("CARGO_BIN_EXE_blastradius"))
}

/// A command to run once, with what goes to its standard input.
pub struct Command {
    inner: std::process::Command,
    stdin: Option<Vec<u8>>,
    timeout: Option<Duration>,
}

impl Command {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Command {
            inner: std::process::Command::new(program),
            stdin: None,
            timeout: None,
        }
    }

    pub fn arg(&mut self, a: impl AsRef<OsStr>) -> &mut Self {
        self.inner.arg(a);
        self
    }

    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.inner.args(args);
        self
    }

    pub fn env(&mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> &mut Self {
        self.inner.env(k, v);
        self
    }

    pub fn env_remove(&mut self, k: impl AsRef<OsStr>) -> &mut Self {
        self.inner.env_remove(k);
        self
    }

    pub fn current_dir(&mut self, d: impl AsRef<Path>) -> &mut Self {
        self.inner.current_dir(d);
        self
    }

    /// What the command reads on standard input (else it reads nothing).
    pub fn write_stdin(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Kills the command when it runs longer than `d`.
    pub fn timeout(&mut self, d: Duration) -> &mut Self {
        self.timeout = Some(d);
        self
    }

    /// Runs it to the end (or to the timeout) and keeps what it wrote.
    pub fn output(&mut self) -> std::io::Result<Output> {
        self.inner
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.inner.spawn()?;
        let input = child.stdin.take().expect("piped");
        let bytes = self.stdin.clone().unwrap_or_default();
        // Written on a thread: a command that does not read must not
        // block the test, and a large input must not dead-lock with the
        // command's output.
        let writer = std::thread::spawn(move || {
            let mut input = input;
            let _ = input.write_all(&bytes);
        });
        let out = match self.timeout {
            None => child.wait_with_output()?,
            Some(limit) => {
                fn drain(
                    mut from: impl std::io::Read + Send + 'static,
                ) -> std::thread::JoinHandle<Vec<u8>> {
                    std::thread::spawn(move || {
                        let mut v = Vec::new();
                        let _ = from.read_to_end(&mut v);
                        v
                    })
                }
                let out_t = drain(child.stdout.take().expect("piped"));
                let err_t = drain(child.stderr.take().expect("piped"));
                let start = Instant::now();
                let status = loop {
                    if let Some(s) = child.try_wait()? {
                        break s;
                    }
                    if start.elapsed() > limit {
                        let _ = child.kill();
                        break child.wait()?;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                };
                Output {
                    status,
                    stdout: out_t.join().unwrap_or_default(),
                    stderr: err_t.join().unwrap_or_default(),
                }
            }
        };
        let _ = writer.join();
        Ok(out)
    }

    /// Runs it and returns what it did, to check.
    pub fn assert(&mut self) -> Assert {
        let what = format!("{:?}", self.inner);
        let output = self
            .output()
            .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
        Assert { output, what }
    }
}

/// What a command did.
pub struct Assert {
    output: Output,
    what: String,
}

impl Assert {
    pub fn get_output(&self) -> &Output {
        &self.output
    }

    fn fail(&self, why: &str) -> ! {
        panic!(
            "{why}\ncommand: {}\nexit: {:?}\nstdout:\n{}\nstderr:\n{}",
            self.what,
            self.output.status,
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }

    /// It exited with `code`.
    pub fn code(self, code: i32) -> Self {
        if self.output.status.code() != Some(code) {
            self.fail(&format!("expected exit code {code}"));
        }
        self
    }

    pub fn success(self) -> Self {
        if !self.output.status.success() {
            self.fail("expected success");
        }
        self
    }

    pub fn failure(self) -> Self {
        if self.output.status.success() {
            self.fail("expected failure");
        }
        self
    }

    /// Its standard output is what `p` wants.
    pub fn stdout(self, p: predicate::Str) -> Self {
        let text = String::from_utf8_lossy(&self.output.stdout).into_owned();
        if !p.holds(&text) {
            self.fail(&format!("stdout is not {p:?}"));
        }
        self
    }

    /// Its standard error is what `p` wants.
    pub fn stderr(self, p: predicate::Str) -> Self {
        let text = String::from_utf8_lossy(&self.output.stderr).into_owned();
        if !p.holds(&text) {
            self.fail(&format!("stderr is not {p:?}"));
        }
        self
    }
}

/// What a text should be: `predicate::str::contains("x")` and friends.
pub mod predicate {
    #[derive(Debug)]
    pub enum Str {
        Contains(String),
        StartsWith(String),
        Empty,
    }

    impl Str {
        pub(super) fn holds(&self, text: &str) -> bool {
            match self {
                Str::Contains(s) => text.contains(s.as_str()),
                Str::StartsWith(s) => text.starts_with(s.as_str()),
                Str::Empty => text.is_empty(),
            }
        }
    }

    pub mod str {
        use super::Str;

        pub fn contains(s: impl Into<String>) -> Str {
            Str::Contains(s.into())
        }

        pub fn starts_with(s: impl Into<String>) -> Str {
            Str::StartsWith(s.into())
        }

        pub fn is_empty() -> Str {
            Str::Empty
        }
    }
}
