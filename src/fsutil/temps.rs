//! Our temporary files: which ones are live, so that a stop signal can
//! remove them, and the stale ones a killed process left behind.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Every temporary file's name starts and ends so: the pattern stale ones
/// are recognised by.
const PREFIX: &str = ".blastradius-";
const SUFFIX: &str = ".tmp";
/// The random part `tempfile` puts between them.
const RANDOM_LEN: usize = 6;

/// A temporary file of ours this old is left over from a process that was
/// killed (SIGKILL, power loss): no write takes a day.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// The temporary files being written right now.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while holding the list leaves it usable: it is only paths.
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A temporary file in the target's folder, removed when dropped unless
/// persisted, and listed as live meanwhile.
pub(super) struct Temp {
    file: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Temp {
    /// Removes stale temporary files of ours from `dir`, then creates a new
    /// one there. `permissions` are those asked of `open(2)`, so the umask
    /// applies (`None`: private, 0600).
    pub(super) fn create_in(
        dir: &Path,
        permissions: Option<std::fs::Permissions>,
    ) -> io::Result<Temp> {
        remove_stale(dir);
        let mut b = tempfile::Builder::new();
        b.prefix(PREFIX).suffix(SUFFIX).rand_bytes(RANDOM_LEN);
        if let Some(p) = permissions {
            b.permissions(p);
        }
        // The list is held while the file is made: a signal handler
        // waiting for it then sees the new file, never misses it.
        let mut live = live();
        let file = b.tempfile_in(dir)?;
        let path = file.path().to_path_buf();
        live.push(path.clone());
        drop(live);
        Ok(Temp {
            file: Some(file),
            path,
        })
    }

    pub(super) fn file(&self) -> &std::fs::File {
        self.file
            .as_ref()
            .expect("present until persisted")
            .as_file()
    }

    /// Renames the file to `target`: over what is there, or only if nothing
    /// is (`noclobber`). On error the temporary file is removed.
    pub(super) fn persist(mut self, target: &Path, noclobber: bool) -> io::Result<()> {
        let file = self.file.take().expect("present until persisted");
        let done = if noclobber {
            file.persist_noclobber(target).map(drop)
        } else {
            file.persist(target).map(drop)
        };
        // On error `PersistError` holds the temporary file: dropping it
        // removes it.
        done.map_err(|e| e.error)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        // The file goes first (when not persisted), then its listing.
        drop(self.file.take());
        let mut live = live();
        if let Some(i) = live.iter().position(|p| *p == self.path) {
            live.swap_remove(i);
        }
    }
}

/// Removes every live temporary file: for a process about to end without
/// running destructors (a signal, the TUI's watchdog).
pub fn remove_live_temps() {
    for p in live().drain(..) {
        let _ = std::fs::remove_file(p);
    }
}

/// From now on, SIGTERM, SIGHUP and SIGINT remove the live temporary files
/// and end the process with 128 + the signal, as a shell reports it. For
/// the command-line writers; the TUI handles these signals itself. Calling
/// it again does nothing.
///
/// # Errors
/// When the handler cannot be installed.
pub fn remove_temps_on_signals() -> io::Result<()> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        use std::sync::atomic::{AtomicBool, Ordering};
        static INSTALLED: AtomicBool = AtomicBool::new(false);
        if INSTALLED.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
        std::thread::Builder::new()
            .name("temp cleanup on signal".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    remove_live_temps();
                    std::process::exit(128 + sig);
                }
            })?;
    }
    Ok(())
}

/// True for a name of the shape our temporary files have: the prefix, a
/// short random-looking word, the suffix. (Not only exactly
/// [`RANDOM_LEN`] characters: another build may have used another length.)
fn is_ours(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix(SUFFIX))
        .is_some_and(|mid| {
            (1..=32).contains(&mid.len())
                && mid
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Removes regular files of ours in `dir` last modified more than
/// [`STALE_AFTER`] ago. Best effort: a folder that cannot be listed, or a
/// file that cannot be removed, is left as it is.
fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if !e.file_name().to_str().is_some_and(is_ours) {
            continue;
        }
        // `DirEntry::metadata` does not follow a link: a link is not ours.
        let Ok(meta) = e.metadata() else { continue };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if meta.is_file() && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_pattern_is_ours() {
        assert!(is_ours(".blastradius-a1B2c3.tmp"));
        assert!(is_ours(".blastradius-stale.tmp"));
        assert!(!is_ours(".blastradius-.tmp"));
        assert!(!is_ours("blastradius-a1B2c3.tmp"));
        assert!(!is_ours(".blastradius-a1B2c3.tmp.bak"));
        assert!(!is_ours(".blastradius-a1/2c3.tmp"));
    }

    #[test]
    fn a_temp_is_live_until_persisted_or_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let t = Temp::create_in(dir.path(), None).unwrap();
        let p = t.path.clone();
        assert!(live().contains(&p));
        drop(t);
        assert!(!live().contains(&p));
        assert!(!p.exists(), "a dropped temp is removed");
        let t = Temp::create_in(dir.path(), None).unwrap();
        let p = t.path.clone();
        t.persist(&dir.path().join("out"), true).unwrap();
        assert!(!live().contains(&p));
        assert!(dir.path().join("out").is_file());
    }
}
