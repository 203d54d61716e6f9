//! Autosave: the plan being edited is written atomically to the platform
//! data dir after every change, keyed by topology (or by the plan file
//! opened with `--plan`), and restored when it is opened again.
//!
//! An autosave is read as any input is (a regular file, at most 16 MiB);
//! one that is not a regular file is not read, and the window writes to a
//! file of its own. Nothing another window saved is overwritten: a window
//! that finds the file changed under it moves to a file of its own, and the
//! newest of these is offered the next time.

use crate::fsutil::{self, Limit};
use crate::plan::Plan;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

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
    in_data_dir(file_name(topology_name, topology_path))
}

/// The autosave of a plan opened with `--plan`: its own file, keyed by the
/// plan file's place, so it never replaces the autosaved work of the
/// plan's topology.
pub fn locate_plan(plan_path: &Path) -> Autosave {
    let stem = plan_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = stem.strip_suffix(".toml").unwrap_or(&stem);
    let stem = stem.strip_suffix(".plan").unwrap_or(stem);
    in_data_dir(format!("plan-{}", file_name(stem, Some(plan_path))))
}

fn in_data_dir(name: String) -> Autosave {
    match directories::ProjectDirs::from("", "", "blastradius") {
        Some(d) => Autosave::To(d.data_dir().join("plans").join(name)),
        None => Autosave::Off("no home directory: autosave is off; save with `s`".into()),
    }
}

/// Why an autosave was not restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreError {
    /// A link, FIFO, device or folder: not read at all.
    NotRegular(String),
    /// A file that is not a plan, or too big, or unreadable.
    Unreadable(String),
}

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestoreError::NotRegular(m) | RestoreError::Unreadable(m) => f.write_str(m),
        }
    }
}

/// Reads the autosaved plan and the text it was read from, if there is
/// one: a regular file (not a link) of at most [`Limit::AUTOSAVE`].
///
/// # Errors
/// An autosave that is not a regular file, or cannot be read as a plan:
/// reported to the user, not fatal.
pub fn restore(path: &Path) -> Result<Option<(Plan, String)>, RestoreError> {
    let Some(text) = read(path)? else {
        return Ok(None);
    };
    let plan = Plan::parse(&path.display().to_string(), &text).map_err(|e| {
        RestoreError::Unreadable(format!(
            "could not read the autosave {}: {}",
            path.display(),
            first_line(&e.to_string())
        ))
    })?;
    Ok(Some((plan, text)))
}

/// An autosave's text, if there is one: a regular file (not a link) of at
/// most [`Limit::AUTOSAVE`].
fn read(path: &Path) -> Result<Option<String>, RestoreError> {
    // Nothing that can be looked at (no such file, or a folder on the way
    // that is not one): nothing to read. A save there then says why.
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(None);
    };
    if !meta.file_type().is_file() {
        return Err(RestoreError::NotRegular(format!(
            "the autosave {} is not a regular file (a link, pipe or device): not read",
            path.display()
        )));
    }
    fsutil::read_text_file_within(path, Limit::AUTOSAVE)
        .map(Some)
        .map_err(|e| {
            RestoreError::Unreadable(format!(
                "could not read the autosave {}: {}",
                path.display(),
                first_line(&e.to_string())
            ))
        })
}

/// What a window starts with: where it autosaves, the lock it holds, the
/// plan it restored and what the autosave file held, and what to tell the
/// user.
#[derive(Debug)]
pub struct Start {
    pub autosave: Autosave,
    pub lock: Option<Lock>,
    pub restored: Option<Plan>,
    /// What the file autosaved to holds now (for [`save`]'s check).
    pub last: Option<String>,
    pub message: Option<String>,
    /// Another autosave of the same topology or plan that this window
    /// neither writes to nor restored: a live window's, or older work
    /// that a newer file won over. Offered again in the app (`m`).
    pub other: Option<PathBuf>,
}

/// Decides where a window autosaves and what it restores.
///
/// `shared` is the autosave of the topology, or of the plan file
/// `plan_file` opened with `--plan`. The window takes the lock on `shared`;
/// a second live window writes to a file of its own instead. The newest of
/// `shared` and the files other windows left (whose process is gone) is
/// restored, and a window that holds the lock goes on writing to that file,
/// so no other work is overwritten. With `--plan`, an autosave is restored
/// only when it is newer than the plan file. An autosave that is not a
/// regular file is not read, and the window writes to a file of its own.
pub fn start(shared: &Path, plan_file: Option<&Path>) -> Start {
    let mut s = Start {
        autosave: Autosave::To(shared.to_path_buf()),
        lock: None,
        restored: None,
        last: None,
        message: None,
        other: None,
    };
    let mut owner = true;
    match lock(shared) {
        Ok(l) => s.lock = l,
        Err(pid) => {
            owner = false;
            let private = private_path(shared);
            s.message = Some(format!(
                "another blastradius (pid {pid}) has this open: this window autosaves to {}",
                private.display()
            ));
            s.autosave = Autosave::To(private);
            s.other = Some(shared.to_path_buf());
        }
    }
    let mut candidates = vec![shared.to_path_buf()];
    candidates.extend(left_by_other_windows(shared));
    let newest = candidates
        .iter()
        .filter_map(|p| {
            let m = std::fs::symlink_metadata(p).ok()?;
            Some((m.modified().unwrap_or(SystemTime::UNIX_EPOCH), p))
        })
        .max_by_key(|(t, _)| *t);
    let Some((when, newest)) = newest else {
        return s;
    };
    match restore(newest) {
        Ok(None) => {}
        Err(RestoreError::NotRegular(why)) => {
            s.message = Some(why);
            if owner && newest == shared {
                let private = private_path(shared);
                s.message = s
                    .message
                    .map(|m| format!("{m}; this window autosaves to {}", private.display()));
                s.autosave = Autosave::To(private);
            }
        }
        Err(RestoreError::Unreadable(why)) => s.message = Some(why),
        Ok(Some((plan, text))) => {
            let plan_is_newer = plan_file
                .and_then(|p| std::fs::metadata(p).ok())
                .and_then(|m| m.modified().ok())
                .is_some_and(|t| t >= when);
            let writes_here = s.autosave == Autosave::To(newest.clone());
            if plan_is_newer {
                // The plan file was changed after this autosave: the file
                // wins, and the older autosave of the same plan is replaced
                // by the next edit.
                if writes_here {
                    s.last = Some(text);
                }
                s.message = Some("plan loaded (newer than its autosave); edits autosave".into());
                return s;
            }
            if owner && newest != shared {
                // Another window's file, left when it ended: go on there.
                s.autosave = Autosave::To(newest.clone());
                s.last = Some(text);
                s.message = Some(format!(
                    "restored the newest autosave, left by another window: {}",
                    newest.display()
                ));
                // The older work of the topology stays where it is, and is
                // offered.
                if std::fs::symlink_metadata(shared).is_ok() {
                    s.other = Some(shared.to_path_buf());
                }
            } else {
                if writes_here {
                    s.last = Some(text);
                }
                s.message.get_or_insert_with(|| match plan_file {
                    Some(_) => "restored your autosaved edits of this plan".into(),
                    None => "restored the autosaved plan for this topology".into(),
                });
            }
            s.restored = Some(plan);
        }
    }
    s
}

/// The files other windows autosaved to beside `shared`
/// (`NAME.pidPID.plan.toml`) whose process is gone.
fn left_by_other_windows(shared: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (shared.parent(), shared.file_name()) else {
        return Vec::new();
    };
    let name = name.to_string_lossy();
    let stem = name.strip_suffix(".plan.toml").unwrap_or(&name);
    let prefix = format!("{stem}.pid");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            let pid: u32 = n
                .strip_prefix(&prefix)?
                .strip_suffix(".plan.toml")?
                .parse()
                .ok()?;
            (pid != std::process::id() && !alive(pid)).then(|| e.path())
        })
        .collect()
}

/// Writes the plan atomically, creating the folder on first use, unless
/// the file no longer holds what this window last read or wrote (`last`):
/// then another window has been saving there, and overwriting it would
/// silently lose that window's work.
///
/// Returns the text written.
pub fn save(path: &Path, plan: &Plan, last: Option<&str>) -> Result<String, SaveError> {
    // Read as any input: a link, a FIFO or a huge file there is not ours.
    let Ok(current) = read(path) else {
        return Err(SaveError::Conflict);
    };
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
    if is_private(path) {
        return path.to_path_buf();
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".plan.toml").unwrap_or(&name);
    path.with_file_name(format!("{stem}.pid{}.plan.toml", std::process::id()))
}

/// True for this process's own file ([`private_path`]).
pub fn is_private(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        n.to_string_lossy()
            .ends_with(&format!(".pid{}.plan.toml", std::process::id()))
    })
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
                // Read as an autosave is: a FIFO or a link to a device
                // planted there is no holder, and is removed.
                let pid: u32 = read(&lock_path)
                    .ok()
                    .flatten()
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(0);
                if pid != 0 && alive(pid) {
                    return Err(pid);
                }
                let _ = std::fs::remove_file(&lock_path);
            }
            Err(_) => return Ok(None),
        }
    }
    Ok(None)
}

/// Whether process `pid` runs. Where that cannot be told (no `/proc`), it
/// is taken as running: the safe side is two files, not one lost.
fn alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.exists() || proc.join(pid.to_string()).exists()
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
        let (back, text) = restore(&p).unwrap().unwrap();
        assert_eq!(text, written);
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
    fn a_lock_that_is_a_fifo_or_a_link_to_a_device_is_not_read_but_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.plan.toml");
        std::os::unix::fs::symlink("/dev/zero", p.with_extension("lock")).unwrap();
        assert!(lock(&p).unwrap().is_some());
        let q = dir.path().join("y.plan.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(q.with_extension("lock"))
            .status()
            .unwrap();
        assert!(made.success());
        assert!(lock(&q).unwrap().is_some(), "no hang on a FIFO");
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
