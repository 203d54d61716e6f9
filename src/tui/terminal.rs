//! The terminal: setup and restore, signals, the watchdog, the event loop
//! and the mapping of terminal events to actions. Everything that touches
//! the terminal lives here; the app and the view know nothing of it.

use super::action::Action;
use super::app::App;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, MouseButton, MouseEventKind};
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Mouse reporting: button presses, drags and SGR coordinates only. Not
/// crossterm's `EnableMouseCapture`, which also asks for every pointer
/// motion (`?1003h`): an event per pixel of movement over a slow SSH link.
const MOUSE_ON: &str = "\x1b[?1000h\x1b[?1002h\x1b[?1006h";
const MOUSE_OFF: &str = "\x1b[?1006l\x1b[?1002l\x1b[?1000l";

/// Why the TUI will not start here, if it will not.
pub fn unsuitable_terminal() -> Option<String> {
    use std::io::IsTerminal;
    if std::env::var("TERM").as_deref() == Ok("dumb") {
        return Some("TERM=dumb: this terminal cannot show the interactive view".into());
    }
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        return Some("standard input or output is not a terminal".into());
    }
    None
}

/// Set while the terminal is in the app's modes; cleared by the first
/// restore. Leaving the alternate screen twice is not harmless: the second
/// `?1049l` moves the cursor back to where it was when the app started, and
/// a panic message printed after the first would be overwritten.
static ACTIVE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Puts the terminal back: raw mode off, main screen, cursor shown, mouse
/// reporting off. Only the first call after setup acts, so the panic hook
/// and the drop guard can both call it.
fn restore_terminal(mouse: bool) {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    if mouse {
        let _ = out.write_all(MOUSE_OFF.as_bytes());
    }
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// True when the terminal has hung up: its master side closed (a killed
/// tmux pane, a dropped SSH session) or the session was hung up.
fn terminal_hung_up() -> bool {
    let mut fds = [0, 1].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of `pollfd` for the length given, and
    // a zero timeout does not block.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 0) };
    n > 0
        && fds
            .iter()
            .any(|p| p.revents & (libc::POLLHUP | libc::POLLERR) != 0)
}

/// How long the main loop has to act on a stop signal before the watchdog
/// ends the process itself.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// Ends the process when the terminal goes away, or when a stop signal is
/// not acted on in [`STOP_GRACE`].
///
/// The main loop cannot do it: on a hung-up terminal crossterm's event
/// source retries its read forever and `event::poll` never returns, even
/// with a timeout (crossterm issue #793). Such a process spins on a core and
/// ignores SIGTERM, as seen when a tmux server is killed under the app. A
/// hangup usually comes with SIGHUP, but not when the shell in between does
/// not forward it. Every mark and tick is already autosaved, so nothing is
/// lost; the lock next to the autosave is taken over by the next window,
/// as any lock of a process that is gone.
fn watchdog(stop: Arc<AtomicUsize>, mouse: bool) -> io::Result<()> {
    std::thread::Builder::new()
        .name("terminal watchdog".into())
        .spawn(move || {
            let mut stop_seen: Option<Instant> = None;
            while ACTIVE.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(250));
                // Exiting from here runs no destructor: a save caught
                // mid-write would leave its temporary file.
                if terminal_hung_up() {
                    // Nothing to restore: the terminal is gone.
                    crate::fsutil::remove_live_temps();
                    std::process::exit(128 + signal_hook::consts::SIGHUP);
                }
                let sig = stop.load(Ordering::Relaxed);
                if sig != 0 && stop_seen.get_or_insert_with(Instant::now).elapsed() > STOP_GRACE {
                    restore_terminal(mouse);
                    crate::fsutil::remove_live_temps();
                    std::process::exit(128 + sig as i32);
                }
            }
        })
        .map(|_| ())
}

/// Restores the terminal when dropped, whatever the way out of `run`.
struct Guard {
    mouse: bool,
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore_terminal(self.mouse);
    }
}

/// Runs the app until the user quits or a signal asks it to stop. Returns
/// the signal that stopped it, if one did (the caller exits 128 + signal,
/// as shells do).
///
/// # Errors
/// Terminal I/O errors (the terminal is restored first).
pub fn run(mut app: App, mouse: bool) -> io::Result<Option<i32>> {
    app.defer_autosave();
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| event_loop(&mut app, mouse)));
    // Whatever way the loop ended (quit, a signal, a terminal error, a
    // panic), an edit shown on screen is on disk before the process exits.
    app.flush_autosave();
    result.unwrap_or_else(|p| std::panic::resume_unwind(p))
}

fn event_loop(app: &mut App, mouse: bool) -> io::Result<Option<i32>> {
    let stop = Arc::new(AtomicUsize::new(0));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register_usize(sig, Arc::clone(&stop), sig as usize)?;
    }
    // A test hook: the real-terminal tests check that a panic restores the
    // terminal, and need a way to cause one in the real binary.
    let panic_key = std::env::var("BLASTRADIUS_TEST_PANIC_KEY")
        .ok()
        .and_then(|k| k.chars().next());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal(mouse);
        previous(info);
    }));

    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let _guard = Guard { mouse };
    watchdog(Arc::clone(&stop), mouse)?;
    let mut out = io::stdout();
    execute!(out, EnterAlternateScreen, cursor::Hide)?;
    if mouse {
        out.write_all(MOUSE_ON.as_bytes())?;
        out.flush()?;
    }
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    draw(&mut terminal, app)?;
    // While the first frame is being read, what the first key would build.
    if !event::poll(Duration::ZERO)? {
        app.prime();
    }

    while !app.quit && stop.load(Ordering::Relaxed) == 0 {
        // A timeout so that a signal is noticed, and background work's
        // answer is drawn when it comes; nothing else is drawn on it.
        let waiting = app.background_pending();
        let wait = if waiting { 50 } else { 200 };
        if !event::poll(Duration::from_millis(wait))? {
            if waiting {
                app.update(Action::Collect);
                if !app.background_pending() {
                    draw(&mut terminal, app)?;
                }
            }
            continue;
        }
        loop {
            let ev = event::read()?;
            if let (Some(k), Event::Key(key)) = (panic_key, &ev)
                && key.code == event::KeyCode::Char(k)
            {
                panic!("test panic requested by BLASTRADIUS_TEST_PANIC_KEY");
            }
            if let Some(action) = translate(app, ev) {
                app.update(action);
            }
            if app.quit || !event::poll(Duration::ZERO)? {
                break;
            }
        }
        if !app.quit {
            app.update(Action::Collect);
            draw(&mut terminal, app)?;
            // The autosave after the frame, and only when no key waits: a
            // burst of keys is drawn once and saved once. A failed save
            // says so on the next frame, drawn at once.
            if app.autosave_due() && !event::poll(Duration::ZERO)? {
                let before = (app.message.clone(), app.unsaved.clone());
                app.flush_autosave();
                if (app.message.clone(), app.unsaved.clone()) != before {
                    draw(&mut terminal, app)?;
                }
            }
        }
    }
    Ok(match stop.load(Ordering::Relaxed) {
        0 => None,
        sig => Some(sig as i32),
    })
}

fn draw(terminal: &mut Terminal<CrosstermBackend<io::Stdout>>, app: &App) -> io::Result<()> {
    execute!(io::stdout(), BeginSynchronizedUpdate)?;
    terminal.draw(|f| f.render_widget(app, f.area()))?;
    execute!(io::stdout(), EndSynchronizedUpdate)
}

/// A terminal event as an action, through the keymap.
pub fn translate(app: &App, ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) => super::keymap::dispatch(app.context(), &k),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click(m.column, m.row)),
            MouseEventKind::ScrollDown => Some(Action::Scroll(m.column, m.row, true)),
            MouseEventKind::ScrollUp => Some(Action::Scroll(m.column, m.row, false)),
            _ => None,
        },
        _ => None,
    }
}
