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

/// Writes the plan atomically, creating the folder on first use.
pub fn save(path: &Path, plan: &Plan) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    plan.save(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
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
        save(&p, &plan).unwrap();
        let back = restore(&p).unwrap().unwrap();
        assert_eq!(back.changes[0].service, "a");
        assert_eq!(back.done, vec!["rollback-plan"]);
        assert_eq!(restore(&dir.path().join("none.toml")).unwrap(), None);
    }
}
