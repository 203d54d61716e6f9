//! File input and output shared by every loader and writer: bounded,
//! checked reads, and atomic writes.

use crate::diag::{Diagnostic, Diagnostics, Source};
use std::io::{Read, Write};
use std::path::Path;

/// Input files larger than this are refused with a clear message rather than
/// read into memory: 100,000 services take about 15 MB, so this leaves room
/// for estates several times that size while keeping a stray multi-gigabyte
/// file from exhausting a jump host.
pub const MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;

/// Reads a text input file with the checks every loader needs: a regular
/// file (a FIFO or device would block or never end), within the size limit,
/// valid UTF-8 (a leading byte-order mark is dropped).
///
/// # Errors
/// A whole-file diagnostic naming the file and saying what to do.
pub fn read_text_file(path: &Path) -> Result<String, Diagnostics> {
    let name = path.display().to_string();
    let fail = |msg: String, help: &str| Diagnostic::whole_file(&name, msg).with_help(help);
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => fail(
            "no such file".into(),
            "check the path; example topologies are in topologies/",
        ),
        std::io::ErrorKind::PermissionDenied => fail(
            "permission denied".into(),
            "make the file readable by this user, or copy it somewhere readable",
        ),
        _ => fail(format!("cannot read the file: {e}"), "check the path"),
    })?;
    let fail = |msg: String, help: &str| Diagnostics::from(fail(msg, help));
    if meta.is_dir() {
        return Err(fail(
            "is a directory, not a file".into(),
            "name a .toml file inside it",
        ));
    }
    if !meta.is_file() {
        return Err(fail(
            "is not a regular file (a pipe, socket or device)".into(),
            "save the content to a file first and name that file",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(
            format!(
                "file is {} MiB, more than the limit of {} MiB",
                meta.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            "split the estate into several topologies",
        ));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| fail(format!("cannot open the file: {e}"), "check permissions"))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read the file: {e}"), "check the path"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(
            "file grew past the size limit while being read".into(),
            "split the estate into several topologies",
        ));
    }
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

/// Writes `bytes` to `path` so that a crash at any moment leaves either the
/// old file or the new one, never a torn one: a temporary file in the same
/// folder, flushed to disk, then renamed over the target.
///
/// # Errors
/// The I/O error; the target is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".blastradius-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable. Not every platform can open a folder
    // for syncing; the data is already safe on disk, so that is not an error.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
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
