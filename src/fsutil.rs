//! File input and output shared by every loader and writer: bounded,
//! checked reads, and atomic writes.

use crate::diag::{Diagnostic, Diagnostics, Source};
use std::io::{Read, Write};
use std::path::Path;

mod output;
mod temps;

pub use output::{Existing, OutputError, check_target, same_file, write_output};
pub use temps::{remove_live_temps, remove_temps_on_signals};

/// The largest topology (and imported graph or catalog) read: a million
/// services take about 210 MB, so this reads them with room to spare while
/// keeping a stray multi-gigabyte file from exhausting a jump host.
pub const MAX_TOPOLOGY_BYTES: u64 = 512 * 1024 * 1024;

/// The largest plan, rules file or autosave read: a person writes these, and
/// even a plan ticking every item of a large estate stays far below.
pub const MAX_SMALL_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What kind of input a file is read as: how big it may be, and what to say
/// when it is bigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The most bytes read.
    pub bytes: u64,
    /// What the file is, for the message: "a topology", "a plan".
    pub what: &'static str,
    help: &'static str,
}

impl Limit {
    /// Topologies, and the DOT graphs and catalogs they are imported from.
    pub const TOPOLOGY: Limit = Limit {
        bytes: MAX_TOPOLOGY_BYTES,
        what: "a topology",
        help: "split the estate into several topologies",
    };
    /// Change plans.
    pub const PLAN: Limit = Limit {
        bytes: MAX_SMALL_FILE_BYTES,
        what: "a plan",
        help: "a plan lists changes and ticks: check that this is the plan you meant",
    };
    /// Checklist rules files.
    pub const RULES: Limit = Limit {
        bytes: MAX_SMALL_FILE_BYTES,
        what: "a rules file",
        help: "check that this is the rules file you meant",
    };
    /// The TUI's autosaved plans.
    pub const AUTOSAVE: Limit = Limit {
        bytes: MAX_SMALL_FILE_BYTES,
        what: "an autosave",
        help: "this is not an autosave blastradius wrote: move it away",
    };
}

/// Reads a topology-sized text input; see [`read_text_file_within`].
///
/// # Errors
/// A whole-file diagnostic naming the file and saying what to do.
pub fn read_text_file(path: &Path) -> Result<String, Diagnostics> {
    read_text_file_within(path, Limit::TOPOLOGY)
}

/// Reads a text input file with the checks every loader needs: a regular
/// file (a FIFO or device would block or never end), within `limit`, valid
/// UTF-8 (a leading byte-order mark is dropped). The file is recorded as
/// read, so that no output of this process is ever written onto it
/// ([`write_output`]).
///
/// # Errors
/// A whole-file diagnostic naming the file and saying what to do.
pub fn read_text_file_within(path: &Path, limit: Limit) -> Result<String, Diagnostics> {
    let name = path.display().to_string();
    let fail = |msg: String, help: &str| Diagnostic::whole_file(&name, msg).with_help(help);
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => fail(
            "no such file".into(),
            "check the path; `blastradius example > web-stack.toml` writes a complete example",
        ),
        std::io::ErrorKind::PermissionDenied => fail(
            "permission denied".into(),
            "make the file readable by this user, or copy it somewhere readable",
        ),
        _ => fail(format!("cannot read the file: {e}"), "check the path"),
    })?;
    let fail = |msg: String, help: &str| Diagnostics::from(fail(msg, help));
    let too_big = |len: u64| {
        fail(
            format!(
                "file is {} MiB, more than the limit of {} MiB for {}",
                len.div_ceil(1024 * 1024),
                limit.bytes / (1024 * 1024),
                limit.what
            ),
            limit.help,
        )
    };
    check_kind(&meta).map_err(|(msg, help)| fail(msg.into(), help))?;
    if meta.len() > limit.bytes {
        return Err(too_big(meta.len()));
    }
    let file = open_nonblocking(path)
        .map_err(|e| fail(format!("cannot open the file: {e}"), "check permissions"))?;
    // The path may have been swapped between the look and the open: what
    // counts is what was opened.
    let opened = file
        .metadata()
        .map_err(|e| fail(format!("cannot read the file: {e}"), "check the path"))?;
    check_kind(&opened).map_err(|(msg, help)| fail(msg.into(), help))?;
    let mut bytes = Vec::with_capacity(opened.len().min(limit.bytes) as usize);
    file.take(limit.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read the file: {e}"), "check the path"))?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_big(bytes.len() as u64));
    }
    output::record_read(path, &opened);
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let src = Source::new(&name, &text);
        Diagnostic::at(&src, at..at + 1, "the file is not valid UTF-8 text")
            .with_help("save the file as UTF-8")
            .into()
    })
}

/// A regular file, or why not (message, help).
fn check_kind(meta: &std::fs::Metadata) -> Result<(), (&'static str, &'static str)> {
    if meta.is_dir() {
        return Err(("is a directory, not a file", "name a .toml file inside it"));
    }
    if !meta.is_file() {
        return Err((
            "is not a regular file (a pipe, socket or device)",
            "save the content to a file first and name that file",
        ));
    }
    Ok(())
}

/// Opens for reading without blocking: a FIFO swapped in after the look
/// would otherwise hang the open until a writer comes. Reads of a regular
/// file are not affected.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(path)
}

/// How a file written at `file` names `target`: relative to `file`'s
/// folder when both resolve (a plan and its topology move together, and a
/// plan stays inside its repository), else absolute. The TUI's save and
/// `waves -o` both name the topology this way.
pub fn relative_to_file(file: &Path, target: &Path) -> String {
    let abs = std::fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
    let folder = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(base) = std::fs::canonicalize(folder) else {
        return abs.display().to_string();
    };
    let common = abs
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return abs.display().to_string();
    }
    let mut rel = std::path::PathBuf::new();
    for _ in base.components().skip(common) {
        rel.push("..");
    }
    for c in abs.components().skip(common) {
        rel.push(c);
    }
    rel.display().to_string()
}

/// Writes `bytes` to `path` so that a crash at any moment leaves either the
/// old file or the new one, never a torn one: a temporary file in the same
/// folder (private, 0600), flushed to disk, then renamed over the target,
/// whatever it is. For files of our own, such as the autosave; what the
/// user names goes through [`write_output`].
///
/// # Errors
/// The I/O error; the target is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = output::folder_of(path);
    let tmp = temps::Temp::create_in(dir, None)?;
    let mut f = tmp.file();
    f.write_all(bytes)?;
    f.sync_all()?;
    tmp.persist(path, false)?;
    output::sync_folder(dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plan.toml");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn read_refuses_directories_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_text_file(dir.path()).unwrap_err().0.remove(0);
        assert!(e.message.contains("directory"));
        let e = read_text_file(&dir.path().join("nope.toml"))
            .unwrap_err()
            .0
            .remove(0);
        assert!(e.message.contains("no such file"));
    }

    #[test]
    fn read_drops_bom_and_locates_bad_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        std::fs::write(&p, b"\xEF\xBB\xBFa = 1\n").unwrap();
        assert_eq!(read_text_file(&p).unwrap(), "a = 1\n");
        std::fs::write(&p, b"a = 1\nb = \"\xff\"\n").unwrap();
        let e = read_text_file(&p).unwrap_err().0.remove(0);
        assert_eq!((e.line, e.column), (2, 6));
    }
}
