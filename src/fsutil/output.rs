//! Outputs that never clobber: a report, an imported topology or a saved
//! plan is written only as a regular file, never through a link, never onto
//! a device, FIFO, socket or folder, never onto a file this process read,
//! and over an existing file only when asked to.

use super::temps::Temp;
use crate::text::inert;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What to do when the output already exists as a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Leave it: the write fails with [`OutputError::Exists`].
    Keep,
    /// Replace it, keeping its permissions (`--force`, or a yes in the TUI).
    Replace,
}

/// Why an output was not written. The target is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{} is a symbolic link: an output is never written through a link (name the file itself)",
        inert(&.0.display().to_string())
    )]
    Symlink(PathBuf),
    #[error(
        "{} is {what}: an output is a regular file only",
        inert(&.path.display().to_string())
    )]
    NotRegular { path: PathBuf, what: &'static str },
    #[error(
        "{} is {}: an output never replaces an input (name another file)",
        inert(&.path.display().to_string()),
        if .path == .read {
            "a file this command read".to_string()
        } else {
            format!("the same file as {}, which this command read", inert(&.read.display().to_string()))
        }
    )]
    Input { path: PathBuf, read: PathBuf },
    #[error(
        "{} already exists: it is replaced only with --force",
        inert(&.0.display().to_string())
    )]
    Exists(PathBuf),
    #[error("cannot write {}: {}", inert(&.0.display().to_string()), .1)]
    Io(PathBuf, io::Error),
}

/// A file identity: device and inode.
type FileId = (u64, u64);

/// The files this process read, with the path each was read by.
static READ: Mutex<Vec<(FileId, PathBuf)>> = Mutex::new(Vec::new());

fn file_id(meta: &std::fs::Metadata) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Notes that `path` (opened as `meta`) was read by this process.
pub(super) fn record_read(path: &Path, meta: &std::fs::Metadata) {
    if let Some(id) = file_id(meta) {
        let mut read = READ.lock().unwrap_or_else(|e| e.into_inner());
        // One entry per path, the latest file read there: a file read again
        // and again (the autosave) does not grow the list.
        if let Some(i) = read.iter().position(|(_, p)| p == path) {
            read[i].0 = id;
        } else if !read.iter().any(|(i, _)| *i == id) {
            read.push((id, path.to_path_buf()));
        }
    }
}

/// The path by which this process read the file `meta` describes, if it
/// did. The path is looked at again: an inode number is reused once its
/// file is deleted, and a file that is gone was not this one.
fn read_as(meta: &std::fs::Metadata) -> Option<PathBuf> {
    let id = file_id(meta)?;
    let read = READ.lock().unwrap_or_else(|e| e.into_inner());
    read.iter()
        .filter(|(i, _)| *i == id)
        .find(|(_, p)| std::fs::metadata(p).ok().and_then(|m| file_id(&m)) == Some(id))
        .map(|(_, p)| p.clone())
}

/// True when `a` and `b` name the same existing file (device and inode).
pub fn same_file(a: &Path, b: &Path) -> bool {
    let id = |p: &Path| std::fs::metadata(p).ok().and_then(|m| file_id(&m));
    matches!((id(a), id(b)), (Some(x), Some(y)) if x == y)
}

/// Checks `path` as an output target: `Ok(None)` when nothing is there,
/// `Ok(Some(meta))` for an existing regular file that no input of this
/// process is. Only the last component is looked at without following
/// links: the folders on the way are where the user says the file goes,
/// and a linked folder (a home on another disk) is common and harmless.
///
/// # Errors
/// A link, anything but a regular file, or an input of this process.
pub fn check_target(path: &Path) -> Result<Option<std::fs::Metadata>, OutputError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(OutputError::Io(path.to_path_buf(), e)),
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Err(OutputError::Symlink(path.to_path_buf()));
    }
    if !ft.is_file() {
        return Err(OutputError::NotRegular {
            path: path.to_path_buf(),
            what: kind_of(&ft),
        });
    }
    if let Some(read) = read_as(&meta) {
        return Err(OutputError::Input {
            path: path.to_path_buf(),
            read,
        });
    }
    Ok(Some(meta))
}

fn kind_of(ft: &std::fs::FileType) -> &'static str {
    if ft.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Writes an output file atomically (a temporary file in the same folder,
/// flushed, then renamed), after [`check_target`]. A new file gets the
/// usual permissions (0666 less the umask); a replaced one keeps its own.
/// A temporary file is removed on every way out but SIGKILL; stale ones of
/// ours in the folder are removed first.
///
/// # Errors
/// See [`OutputError`]; the target is untouched.
pub fn write_output(path: &Path, bytes: &[u8], existing: Existing) -> Result<(), OutputError> {
    let current = check_target(path)?;
    if current.is_some() && existing == Existing::Keep {
        return Err(OutputError::Exists(path.to_path_buf()));
    }
    let io_err = |e| OutputError::Io(path.to_path_buf(), e);
    let dir = folder_of(path);
    #[cfg(unix)]
    let asked = {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o666))
    };
    #[cfg(not(unix))]
    let asked = None;
    let tmp = Temp::create_in(dir, asked).map_err(io_err)?;
    if let Some(old) = &current {
        // fchmod: the old mode exactly, not less the umask. The setuid,
        // setgid and sticky bits are not carried over to a text file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = old.permissions().mode() & 0o777;
            tmp.file()
                .set_permissions(std::fs::Permissions::from_mode(mode))
                .map_err(io_err)?;
        }
        #[cfg(not(unix))]
        let _ = old;
    }
    let mut f = tmp.file();
    f.write_all(bytes).map_err(io_err)?;
    f.sync_all().map_err(io_err)?;
    // A test hook: the signal tests need a writer caught between writing
    // its temporary file and renaming it, which is otherwise a moment.
    if std::env::var_os("BLASTRADIUS_TEST_STALL_WRITE").is_some() {
        std::thread::sleep(std::time::Duration::from_secs(30));
    }
    // Nothing was there: it must still be so when the file lands (no race
    // with another writer turns a new file into a silent replacement).
    tmp.persist(path, current.is_none()).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            OutputError::Exists(path.to_path_buf())
        } else {
            io_err(e)
        }
    })?;
    sync_folder(dir);
    Ok(())
}

/// The folder a file goes in: its parent, or `.` for a bare name.
pub(super) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Makes a rename durable. Not every platform can open a folder for
/// syncing; the data is already safe on disk, so that is not an error.
pub(super) fn sync_folder(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
