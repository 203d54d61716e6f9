//! The real binary in a real terminal: tmux gives it a pty of 80x24, keys are
//! typed with `send-keys`, and the screen is read back with `capture-pane`.
//! Nothing waits on a timer for an answer: each step polls the screen until
//! the expected text is there, with a deadline.
//!
//! Without tmux the terminal tests say SKIPPED and pass on a developer's
//! machine; under CI (`CI` set, as every CI service does) a missing tmux
//! fails them, so a CI run never passes without having run them (`.ci/run`
//! installs tmux). The refusals (`TERM=dumb`, output not a terminal) need
//! no pty.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_blastradius");

/// Whether a missing tmux fails the tests rather than skipping them: when
/// `CI` is set to anything but empty, `0` or `false`.
fn missing_tmux_fails(ci: Option<&std::ffi::OsStr>) -> bool {
    ci.is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

#[test]
fn under_ci_a_missing_tmux_fails_instead_of_skipping() {
    use std::ffi::OsStr;
    for ci in ["true", "1", "yes", "TRUE"] {
        assert!(missing_tmux_fails(Some(OsStr::new(ci))), "CI={ci}");
    }
    for ci in [None, Some(""), Some("0"), Some("false")] {
        assert!(!missing_tmux_fails(ci.map(OsStr::new)), "CI={ci:?}");
    }
}
const DEADLINE: Duration = Duration::from_secs(10);

/// A tmux server of our own (a socket in a temp dir, no user config),
/// killed on drop whatever happens to the test.
struct Tmux {
    /// Holds the socket; removed after the server is killed.
    dir: TempDir,
    /// Unique per process and test, for `ps` and error messages.
    session: String,
}

impl Tmux {
    /// A server with one detached 80x24 session running `command`, or
    /// `None` when tmux is not installed.
    ///
    /// # Panics
    /// Under CI when tmux is not installed: there, skipping is failing.
    fn start(command: &str) -> Option<Tmux> {
        Tmux::start_sized(command, 80, 24)
    }

    /// [`Tmux::start`] on a terminal of `w` x `h`.
    fn start_sized(command: &str, w: u16, h: u16) -> Option<Tmux> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                !missing_tmux_fails(std::env::var_os("CI").as_deref()),
                "tmux is not installed and CI is set: the terminal tests must run here \
                 (.ci/run installs tmux)"
            );
            return None;
        }
        let session = format!(
            "blastradius-smoke-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let t = Tmux {
            dir: TempDir::new().expect("a temp dir for the tmux socket"),
            session,
        };
        let out = t.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            &t.session,
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
            command,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(t)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(self.dir.path().join("socket"))
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// The visible screen of the pane.
    fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", &self.session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types text literally (no key-name lookup).
    fn type_text(&self, text: &str) {
        let out = self.run(&["send-keys", "-t", &self.session, "-l", text]);
        assert!(out.status.success(), "send-keys {text:?}");
    }

    /// Presses a named key such as `Enter`.
    fn press(&self, key: &str) {
        let out = self.run(&["send-keys", "-t", &self.session, key]);
        assert!(out.status.success(), "send-keys {key}");
    }

    /// Polls the screen until `ok` holds; panics with the last screen after
    /// the deadline.
    fn wait_until(&self, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{}: waited {DEADLINE:?}; the screen:\n{screen}",
                self.session
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls the screen until it contains `text`; panics with the last
    /// screen after the deadline.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{}: waited {DEADLINE:?} for {text:?}; the screen:\n{screen}",
                self.session
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn quoted(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

#[test]
fn the_demo_runs_in_a_real_terminal() {
    let data = TempDir::new().unwrap();
    let config = TempDir::new().unwrap();
    let command = format!(
        "env XDG_DATA_HOME={} XDG_CONFIG_HOME={} TERM=xterm-256color LANG=C.UTF-8 {} ; echo EXIT=$? ; sleep 30",
        quoted(data.path()),
        quoted(config.path()),
        quoted(Path::new(BIN)),
    );
    let Some(tmux) = Tmux::start(&command) else {
        eprintln!(
            "SKIPPED the_demo_runs_in_a_real_terminal: tmux is not installed \
             (apt-get install tmux; .ci/run installs it)"
        );
        return;
    };

    // The demo opens with the seed outage's three changes marked.
    let first = tmux.wait_for("RISK CRITICAL");
    assert!(first.contains("3 changes"), "{first}");
    assert!(first.contains("Services 16/16"), "{first}");

    // Filter to lb-us-1, keep the filter, mark it for reboot.
    tmux.type_text("/lb-us-1");
    tmux.wait_for("/lb-us-1_");
    tmux.press("Enter");
    tmux.wait_for("Services 1/16");
    tmux.type_text(" ");
    let marked = tmux.wait_for("4 changes");
    assert!(marked.contains("lb-us-1: reboot"), "{marked}");

    tmux.type_text("q");
    let after = tmux.wait_for("EXIT=0");
    assert!(
        !after.contains("RISK CRITICAL"),
        "the alternate screen is left on quit:\n{after}"
    );

    // The mark was autosaved under XDG_DATA_HOME.
    let saved = data
        .path()
        .join("blastradius")
        .join("plans")
        .join("demo-web-stack.plan.toml");
    let text = std::fs::read_to_string(&saved)
        .unwrap_or_else(|e| panic!("no autosave at {}: {e}", saved.display()));
    assert!(text.contains("lb-us-1"), "{text}");
}

/// Runs the binary with its output captured (so not a terminal).
fn run_captured(term: &str) -> (Option<i32>, String) {
    let data = TempDir::new().unwrap();
    let config = TempDir::new().unwrap();
    let out = Command::new(BIN)
        .env("TERM", term)
        .env("XDG_DATA_HOME", data.path())
        .env("XDG_CONFIG_HOME", config.path())
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn a_dumb_terminal_is_refused_with_a_pointer_to_check() {
    let (code, text) = run_captured("dumb");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("TERM=dumb"), "{text}");
    assert!(text.contains("blastradius check"), "{text}");
}

#[test]
fn output_that_is_not_a_terminal_is_refused_with_a_pointer_to_check_and_report() {
    let (code, text) = run_captured("xterm-256color");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("not a terminal"), "{text}");
    assert!(text.contains("blastradius check"), "{text}");
    assert!(text.contains("blastradius report"), "{text}");
}

/// The demo running in tmux with one service marked (so there is work to
/// keep), autosaving under a temp dir.
struct Marked {
    tmux: Tmux,
    data: TempDir,
    _config: TempDir,
    /// Holds the app's pid.
    pidfile: std::path::PathBuf,
}

/// Starts the demo in tmux and marks a service. The inner shell writes its
/// pid and becomes the app (exec), so a signal sent to that pid reaches the
/// app itself, which is not the session leader; the outer shell then runs
/// `after` and waits. `None` when tmux is not installed.
fn demo_with_a_mark(env: &str, after: &str) -> Option<Marked> {
    let data = TempDir::new().unwrap();
    let config = TempDir::new().unwrap();
    let pidfile = data.path().join("pid");
    let command = format!(
        "sh -c 'echo $$ > {pid}; exec env RUST_BACKTRACE=0 XDG_DATA_HOME={data} XDG_CONFIG_HOME={config} TERM=xterm-256color LANG=C.UTF-8 {env} {bin}'; {after}; sleep 30",
        pid = quoted(&pidfile),
        data = quoted(data.path()),
        config = quoted(config.path()),
        bin = quoted(Path::new(BIN)),
    );
    let tmux = Tmux::start(&command)?;
    tmux.wait_for("RISK CRITICAL");
    tmux.press("Down");
    tmux.type_text(" ");
    tmux.wait_for("4 changes");
    Some(Marked {
        tmux,
        data,
        _config: config,
        pidfile,
    })
}

/// The autosaved plan holds the demo's three changes and the mark.
fn assert_the_mark_was_saved(data: &TempDir) {
    let saved = data
        .path()
        .join("blastradius/plans/demo-web-stack.plan.toml");
    let plan = std::fs::read_to_string(&saved).expect("the mark was autosaved before the stop");
    assert_eq!(plan.matches("[[change]]").count(), 4, "{plan}");
}

/// How the app is stopped in [`the_terminal_is_restored`].
enum Stop {
    Signal(&'static str),
    Panic,
}

/// Starts the demo in tmux, marks a service (so there is work to keep),
/// stops the app the given way, and checks what a user would: the shell
/// got the main screen back, the terminal is in cooked mode with echo on,
/// the cursor shows, and the mark was autosaved.
fn the_terminal_is_restored(stop: Stop, exit: i32) {
    let panic_env = match stop {
        Stop::Panic => "BLASTRADIUS_TEST_PANIC_KEY=P",
        Stop::Signal(_) => "",
    };
    let after = "echo EXIT=$?; stty -a | tr -s ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo";
    let Some(Marked {
        tmux,
        data,
        pidfile,
        ..
    }) = demo_with_a_mark(panic_env, after)
    else {
        eprintln!("SKIPPED: tmux is not installed (.ci/run installs it)");
        return;
    };
    match stop {
        Stop::Signal(sig) => {
            let pid = std::fs::read_to_string(&pidfile).unwrap();
            let killed = Command::new("kill")
                .args([&format!("-{sig}"), pid.trim()])
                .status()
                .unwrap();
            assert!(killed.success());
        }
        Stop::Panic => tmux.type_text("P"),
    }
    let screen = tmux.wait_for(&format!("EXIT={exit}"));
    let modes = tmux.wait_for(" echo");
    assert!(
        modes.contains("icanon") && !modes.contains("-icanon") && !modes.contains("-echo"),
        "cooked mode with echo is back:\n{modes}"
    );
    assert!(
        !screen.contains("RISK CRITICAL"),
        "main screen is back:\n{screen}"
    );
    let alt = tmux.run(&[
        "display",
        "-p",
        "-t",
        &tmux.session,
        "#{alternate_on} #{cursor_flag}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&alt.stdout).trim(),
        "0 1",
        "alternate screen off, cursor on"
    );
    if matches!(stop, Stop::Panic) {
        assert!(
            screen.contains("test panic requested"),
            "the panic message is readable:\n{screen}"
        );
    }
    assert_the_mark_was_saved(&data);
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_the_work() {
    the_terminal_is_restored(Stop::Signal("TERM"), 143);
}

#[test]
fn sighup_restores_the_terminal_and_keeps_the_work() {
    the_terminal_is_restored(Stop::Signal("HUP"), 129);
}

#[test]
fn sigint_restores_the_terminal_and_keeps_the_work() {
    the_terminal_is_restored(Stop::Signal("INT"), 130);
}

#[test]
fn a_panic_restores_the_terminal_and_keeps_the_work() {
    the_terminal_is_restored(Stop::Panic, 101);
}

/// A terminal that goes away with no signal reaching the app (the tmux
/// server killed; a dropped SSH session whose shell forwards no SIGHUP):
/// the app must end by itself, not spin on a dead terminal, and the work
/// is on disk.
#[test]
fn the_app_ends_when_its_terminal_goes_away() {
    // The kernel's SIGHUP goes to the outer shell, which does not pass it
    // on to the app.
    let Some(Marked {
        tmux,
        data,
        pidfile,
        ..
    }) = demo_with_a_mark("", "true")
    else {
        eprintln!("SKIPPED: tmux is not installed (.ci/run installs it)");
        return;
    };
    let pid = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .to_string();
    let out = tmux.run(&["kill-server"]);
    assert!(out.status.success());
    // Gone, or a zombie nobody has reaped yet: either way, not running.
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(") ")
                    .and_then(|(_, rest)| rest.chars().next())
            })
            .is_some_and(|state| state != 'Z' && state != 'X')
    };
    let start = Instant::now();
    while running() {
        if start.elapsed() > DEADLINE {
            // Not left spinning on the machine after the test.
            let _ = Command::new("kill").args(["-9", &pid]).status();
            panic!("the app (pid {pid}) still ran {DEADLINE:?} after its terminal went away");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_the_mark_was_saved(&data);
}

/// `blastradius --plan` edits the plan it was given and autosaves it
/// apart: the autosaved work of the plan's topology is neither replaced
/// nor shown, and the plan file itself is never written.
#[test]
fn a_plan_opened_with_plan_keeps_the_topologys_autosaved_work() {
    let data = TempDir::new().unwrap();
    let work = TempDir::new().unwrap();
    let topo = work.path().join("web-stack.toml");
    std::fs::write(&topo, blastradius::DEMO_TOPOLOGY).unwrap();
    let plan = work.path().join("change.plan.toml");
    let plan_text = "[plan]\ntitle = \"t\"\ntopology = \"web-stack.toml\"\n\n[[change]]\nservice = \"db-primary\"\naction = \"update\"\n";
    std::fs::write(&plan, plan_text).unwrap();
    // The topology's own autosaved work, from an earlier session.
    let plans = data.path().join("blastradius").join("plans");
    std::fs::create_dir_all(&plans).unwrap();
    let topo_autosave = plans.join(blastradius::tui::persist::file_name(
        "web-stack",
        Some(&topo),
    ));
    let earlier =
        "[plan]\ntitle = \"earlier\"\n\n[[change]]\nservice = \"bastion\"\naction = \"reboot\"\n";
    std::fs::write(&topo_autosave, earlier).unwrap();

    let command = format!(
        "cd {} && env XDG_DATA_HOME={} XDG_CONFIG_HOME={} TERM=xterm-256color LANG=C.UTF-8 {} --plan change.plan.toml ; echo EXIT=$? ; sleep 30",
        quoted(work.path()),
        quoted(data.path()),
        quoted(work.path()),
        quoted(Path::new(BIN)),
    );
    let Some(tmux) = Tmux::start(&command) else {
        eprintln!("SKIPPED: tmux is not installed (.ci/run installs it)");
        return;
    };
    let first = tmux.wait_for("1 change ");
    assert!(first.contains("plan loaded"), "{first}");
    tmux.type_text("/lb-us-1");
    tmux.wait_for("/lb-us-1_");
    tmux.press("Enter");
    tmux.wait_for("Services 1/16");
    tmux.type_text(" ");
    tmux.wait_for("2 changes");
    tmux.type_text("q");
    tmux.wait_for("EXIT=0");

    assert_eq!(std::fs::read_to_string(&topo_autosave).unwrap(), earlier);
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), plan_text);
    let own: Vec<_> = std::fs::read_dir(&plans)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("plan-change") && n.ends_with(".plan.toml")
        })
        .collect();
    assert_eq!(own.len(), 1, "{own:?}");
    let saved = std::fs::read_to_string(&own[0]).unwrap();
    assert!(
        saved.contains("lb-us-1") && saved.contains("db-primary"),
        "{saved}"
    );
}

/// Two windows on one topology: the second says where its work goes, the
/// notice comes back with `m` after other keys replaced it, and the file
/// it names opens again with the command it shows.
#[test]
fn a_second_windows_notice_comes_back_and_its_file_opens_again() {
    let data = TempDir::new().unwrap();
    let work = TempDir::new().unwrap();
    std::fs::write(
        work.path().join("web-stack.toml"),
        blastradius::DEMO_TOPOLOGY,
    )
    .unwrap();
    let command = format!(
        "cd {} && env XDG_DATA_HOME={} XDG_CONFIG_HOME={} TERM=xterm-256color LANG=C.UTF-8 {} web-stack.toml ; echo EXIT=$? ; sleep 30",
        quoted(work.path()),
        quoted(data.path()),
        quoted(work.path()),
        quoted(Path::new(BIN)),
    );
    let Some(first) = Tmux::start(&command) else {
        eprintln!("SKIPPED: tmux is not installed (.ci/run installs it)");
        return;
    };
    first.wait_for("0 changes");
    let second = Tmux::start(&command).expect("tmux is there");
    // The notice wraps where the pid's digits put it: read it joined.
    let joined = |screen: &str| -> String { screen.split_whitespace().collect() };
    let screen = second.wait_for("another blastradius");
    let screen = if joined(&screen).contains("mshowsthisagain") {
        screen
    } else {
        second.wait_for("again)")
    };
    assert!(joined(&screen).contains("mshowsthisagain"), "{screen}");
    assert!(screen.contains("another blastradius"), "{screen}");
    // Other keys: the footer moves on.
    second.type_text(" ");
    second.wait_for("1 change ");
    second.type_text("j");
    second.type_text("u");
    let screen = second.wait_for("2 changes");
    assert!(!joined(&screen).contains("mshowsthisagain"), "{screen}");
    // m: the notice again, with this window's file and the first's.
    second.type_text("m");
    let screen = second.wait_for("another window's autosave");
    let plans = data.path().join("blastradius").join("plans");
    // The autosave is written just after the frame that shows the edit:
    // on a loaded machine the screen can be read before it lands.
    let private = || -> Vec<_> {
        std::fs::read_dir(&plans)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".pid"))
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while private().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let own = private();
    assert_eq!(own.len(), 1, "{own:?}");
    let name = own[0].file_name().unwrap().to_string_lossy().into_owned();
    // Wrapped at 80 columns: read inside the borders, lines joined.
    let joined: String = screen.replace('│', " ").split_whitespace().collect();
    assert!(joined.contains(&name), "{name} not on screen:\n{screen}");
    assert!(joined.contains("--plan"), "{screen}");
    assert!(
        screen.contains("another blastradius"),
        "the notice is kept:\n{screen}"
    );
    second.type_text("m");
    second.wait_for("2 changes");
    second.type_text("q");
    second.wait_for("EXIT=0");
    first.type_text("q");
    first.wait_for("EXIT=0");
    // The command the window showed opens its work again.
    let reopen = format!(
        "cd {} && env XDG_DATA_HOME={} XDG_CONFIG_HOME={} TERM=xterm-256color LANG=C.UTF-8 {} web-stack.toml --plan {} ; echo EXIT=$? ; sleep 30",
        quoted(work.path()),
        quoted(data.path()),
        quoted(work.path()),
        quoted(Path::new(BIN)),
        quoted(&own[0]),
    );
    let third = Tmux::start(&reopen).expect("tmux is there");
    third.wait_for("2 changes");
    third.type_text("q");
    third.wait_for("EXIT=0");
}

/// A whole change-approval meeting in a real terminal, at 80x24 and on a
/// 200x50 shared screen: open a plan, set its title and window, read the
/// risk, tick the blocking items, see NOT READY, accept the risk by name,
/// see READY, sign off, export the record, quit; open the plan again and
/// find everything back; the record carries every field set in the app.
#[test]
fn a_whole_approval_meeting_in_a_real_terminal() {
    for (w, h) in [(80u16, 24u16), (200, 50)] {
        meeting(w, h);
    }
}

fn meeting(w: u16, h: u16) {
    let data = TempDir::new().unwrap();
    let work = TempDir::new().unwrap();
    std::fs::write(
        work.path().join("web-stack.toml"),
        blastradius::DEMO_TOPOLOGY,
    )
    .unwrap();
    let plan = work.path().join("change.plan.toml");
    std::fs::write(
        &plan,
        "[plan]\ntitle = \"x\"\ntopology = \"web-stack.toml\"\n\n[[change]]\nservice = \"lb-primary\"\naction = \"reboot\"\n",
    )
    .unwrap();
    let command = format!(
        "cd {} && env XDG_DATA_HOME={} XDG_CONFIG_HOME={} TERM=xterm-256color LANG=C.UTF-8 {} --plan change.plan.toml ; echo EXIT=$? ; sleep 30",
        quoted(work.path()),
        quoted(data.path()),
        quoted(work.path()),
        quoted(Path::new(BIN)),
    );
    let Some(tmux) = Tmux::start_sized(&command, w, h) else {
        eprintln!("SKIPPED: tmux is not installed (.ci/run installs it)");
        return;
    };
    // Rebooting the primary while the secondary is down: critical.
    tmux.wait_for("RISK CRITICAL");
    // The title and the window.
    tmux.type_text("t");
    tmux.wait_for("Title of the plan");
    tmux.press("BSpace");
    tmux.type_text("Kernel update");
    tmux.press("Enter");
    tmux.wait_for("title: Kernel update");
    tmux.type_text("w");
    tmux.wait_for("Window: start and minutes");
    tmux.type_text("2023-06-08T22:00:00+03:00 90");
    tmux.press("Enter");
    tmux.wait_for("for 90 min");
    // Tick every blocking item: `b` puts the cursor on the first open one
    // and says how many are open; each tick must bring the count down
    // before the next `b` (the screen of the last one is still up).
    let open = |screen: &str| -> Option<usize> {
        let at = screen.find(" blocking item")?;
        screen[..at]
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
    };
    tmux.type_text("b");
    let mut screen = tmux.wait_for("NOT READY:");
    let mut ticked = 0;
    while let Some(n) = open(&screen) {
        tmux.type_text(" ");
        tmux.type_text("b");
        screen = tmux.wait_until(|s| s.contains("NOT READY:") && open(s) != Some(n));
        ticked += 1;
        assert!(ticked < 40, "blocking items never ran out:\n{screen}");
    }
    assert!(ticked > 0, "the plan had blocking items");
    // Every item ticked, still NOT READY: nobody accepted the risk.
    let screen = tmux.wait_for("not accepted");
    assert!(screen.contains("NOT READY"), "{screen}");
    tmux.type_text("a");
    tmux.wait_for("Who accepts the risk?");
    tmux.type_text("R. Ops");
    tmux.press("Enter");
    tmux.wait_for("Why is the risk accepted?");
    tmux.type_text("EU drained to the US");
    tmux.press("Enter");
    let screen = tmux.wait_for("accepted by R. Ops");
    let header = screen.lines().next().unwrap_or("");
    assert!(
        header.contains("READY") && !header.contains("NOT READY"),
        "{screen}"
    );
    tmux.type_text("o");
    tmux.wait_for("Who signs off?");
    tmux.type_text("A. Lead");
    tmux.press("Enter");
    tmux.wait_for("In what role?");
    tmux.type_text("service owner");
    tmux.press("Enter");
    tmux.wait_for("signed off by A. Lead");
    tmux.type_text("e");
    tmux.wait_for("Export the Markdown report");
    tmux.press("Enter");
    tmux.wait_for("report written to");
    tmux.type_text("q");
    tmux.wait_for("EXIT=0");
    drop(tmux);

    // The record carries every field set in the app.
    let record = std::fs::read_to_string(work.path().join("web-stack-change-record.md"))
        .expect("the exported record");
    for field in [
        "Kernel update",
        "2023-06-08T22:00:00+03:00 for 90 min",
        "R. Ops",
        "EU drained to the US",
        "A. Lead",
        "service owner",
        "**yes**",
    ] {
        assert!(
            record.contains(field),
            "{field} missing at {w}x{h}:\n{record}"
        );
    }
    // The plan file itself was never written.
    assert!(
        std::fs::read_to_string(&plan)
            .unwrap()
            .contains("title = \"x\"")
    );

    // Opened again: everything comes back.
    let command = format!(
        "cd {} && env XDG_DATA_HOME={} XDG_CONFIG_HOME={} TERM=xterm-256color LANG=C.UTF-8 {} --plan change.plan.toml ; echo EXIT=$? ; sleep 30",
        quoted(work.path()),
        quoted(data.path()),
        quoted(work.path()),
        quoted(Path::new(BIN)),
    );
    let tmux = Tmux::start_sized(&command, w, h).expect("tmux ran a moment ago");
    let screen = tmux.wait_for("RISK CRITICAL");
    let header = screen.lines().next().unwrap_or("");
    assert!(
        header.contains("READY") && !header.contains("NOT READY"),
        "the ticks and the acceptance come back:\n{screen}"
    );
    tmux.type_text("q");
    tmux.wait_for("EXIT=0");
}
