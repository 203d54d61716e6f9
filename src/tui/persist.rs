//! Autosave: the plan being edited is written atomically to the platform
//! data dir after every change, keyed by topology, and restored when the
//! same topology is opened again.

use crate::plan::Plan;
use std::path::{Path, PathBuf};

/// Where autosave goes, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Autosave {
    /// Writing to this file.
    To(PathBuf),
    /// Off, for this reason (shown to the user).
    Off(String),
}

/// FNV-1a, to turn a topology's path into a short stable file name without
/// another dependency.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The autosave file name for a topology: its name plus a hash of where it
/// lives, so two topologies called "prod" in different folders do not
/// share a plan. `None` for the built-in demo.
pub fn file_name(topology_name: &str, topology_path: Option<&Path>) -> String {
    let safe: String = topology_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    match topology_path {
        None => format!("demo-{safe}.plan.toml"),
        Some(p) => {
            let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            let h = fnv1a(abs.to_string_lossy().as_bytes());
            format!("{safe}-{h:016x}.plan.toml")
        }
    }
}

/// The autosave location in the platform data dir, e.g.
/// `~/.local/share/blastradius/plans/NAME.plan.toml`.
pub fn locate(topology_name: &str, topology_path: Option<&Path>) -> Autosave {
    match directories::ProjectDirs::from("", "", "blastradius") {
        Some(d) => Autosave::To(
            d.data_dir()
                .join("plans")
                .join(file_name(topology_name, topology_path)),
        ),
        None => Autosave::Off("no home directory: autosave is off; save with `s`".into()),
    }
}

/// Reads the autosaved plan, if there is one. An unreadable autosave is
/// reported, not fatal.
pub fn restore(path: &Path) -> Result<Option<Plan>, String> {
    if !path.exists() {
        return Ok(None);
    }
    Plan::load(path).map(|(p, _)| Some(p)).map_err(|e| {
        format!(
            "could not read the autosave {}: {}",
            path.display(),
            first_line(&e.to_string())
        )
    })
}

/// Writes the plan atomically, creating the folder on first use, unless
/// the file no longer holds what this window last read or wrote (`last`):
/// then another window has been saving there, and overwriting it would
/// silently lose that window's work.
///
/// Returns the text written.
pub fn save(path: &Path, plan: &Plan, last: Option<&str>) -> Result<String, SaveError> {
    let current = std::fs::read_to_string(path).ok();
    if current.is_some() && current.as_deref() != last {
        return Err(SaveError::Conflict);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| SaveError::Io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let text = plan.to_toml();
    crate::fsutil::write_atomic(path, text.as_bytes())
        .map_err(|e| SaveError::Io(format!("cannot write {}: {e}", path.display())))?;
    Ok(text)
}

/// Why an autosave did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveError {
    /// The file changed under us: another window saves there too.
    Conflict,
    Io(String),
}

/// The autosave path this process uses when another window already has the
/// topology open: the same name with the process id, so the two are told
/// apart instead of overwriting each other.
pub fn private_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".plan.toml").unwrap_or(&name);
    path.with_file_name(format!("{stem}.pid{}.plan.toml", std::process::id()))
}

/// A marker that this process has a topology open, removed when dropped.
#[derive(Debug)]
pub struct Lock(PathBuf);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Takes the lock next to an autosave file. `Err(pid)` when another live
/// process holds it. A lock left by a process that no longer runs is taken
/// over. Where liveness cannot be checked (no `/proc`), an existing lock is
/// taken as live: the safe side is two files, not one lost.
pub fn lock(path: &Path) -> Result<Option<Lock>, u32> {
    let lock_path = path.with_extension("lock");
    if let Some(dir) = lock_path.parent()
        && std::fs::create_dir_all(dir).is_err()
    {
        return Ok(None);
    }
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock_path)
        {
            Ok(mut f) => {
                use std::io::Write;
                let _ = write!(f, "{}", std::process::id());
                return Ok(Some(Lock(lock_path)));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let pid: u32 = std::fs::read_to_string(&lock_path)
                    .ok()
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(0);
                let proc = Path::new("/proc");
                let alive = pid != 0 && (!proc.exists() || proc.join(pid.to_string()).exists());
                if alive {
                    return Err(pid);
                }
                let _ = std::fs::remove_file(&lock_path);
            }
            Err(_) => return Ok(None),
        }
    }
    Ok(None)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_and_distinct_per_place() {
        let a = file_name("prod", Some(Path::new("/a/prod.toml")));
        let b = file_name("prod", Some(Path::new("/b/prod.toml")));
        assert_ne!(a, b);
        assert_eq!(a, file_name("prod", Some(Path::new("/a/prod.toml"))));
        assert_eq!(file_name("web stack/x", None), "demo-web_stack_x.plan.toml");
    }

    #[test]
    fn save_then_restore() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plans").join("x.plan.toml");
        let mut plan = Plan::default();
        plan.set_change("a", Some(crate::plan::Action::Reboot));
        plan.done.push("rollback-plan".into());
        let written = save(&p, &plan, None).unwrap();
        let back = restore(&p).unwrap().unwrap();
        // A second save from the same window is fine...
        plan.done.push("more".into());
        let again = save(&p, &plan, Some(&written)).unwrap();
        // ...but not over what another window wrote since.
        std::fs::write(&p, "# another window\n").unwrap();
        assert_eq!(save(&p, &plan, Some(&again)), Err(SaveError::Conflict));
        assert_eq!(back.changes[0].service, "a");
        assert_eq!(back.done, vec!["rollback-plan"]);
        assert_eq!(restore(&dir.path().join("none.toml")).unwrap(), None);
    }

    #[test]
    fn a_second_live_process_is_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.plan.toml");
        let first = lock(&p).unwrap();
        assert!(first.is_some());
        // Our own pid is alive: a second attempt sees a live holder.
        assert_eq!(lock(&p).unwrap_err(), std::process::id());
        drop(first);
        assert!(lock(&p).unwrap().is_some(), "released on drop");
        assert!(private_path(&p).to_string_lossy().contains(".pid"));
    }

    #[test]
    fn a_stale_lock_is_taken_over() {
        if !Path::new("/proc").exists() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.plan.toml");
        std::fs::write(p.with_extension("lock"), "999999999").unwrap();
        assert!(lock(&p).unwrap().is_some());
    }
}
