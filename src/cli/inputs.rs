//! What the commands read and write, checked before it is trusted: a file
//! of the wrong kind is named, never quoted; a plan's topology stays in the
//! plan's repository; an output never clobbers.

use super::{CliError, LoadedPlan, emit};
use crate::diag::{Diagnostic, Source};
use crate::fsutil::{self, Existing, Limit};
use crate::plan::Plan;
use crate::topology::{self, Topology};
use std::path::{Path, PathBuf};

/// The top-level tables a TOML file opens, seen from its header lines
/// (`[plan]`, `[[change]]`, `[services.x]`) and its top-level dotted keys
/// (`topology.name = ...`), without parsing it: a file of the wrong kind
/// (a `.env` a plan points at) must not reach the parser, whose errors
/// quote the offending line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tables {
    pub topology: bool,
    pub plan: bool,
    pub change: bool,
    pub rule: bool,
}

impl Tables {
    /// Reads the tables of `text`: one pass over its lines, looking only
    /// at headers (and at keys before the first header).
    ///
    /// # Complexity
    /// O(bytes), without allocating: it runs on every topology loaded, and
    /// a million-service file is 200 MB.
    pub fn of(text: &str) -> Tables {
        Tables::scan(text, false)
    }

    /// Whether `text` is a topology and whether it is a plan, as
    /// [`Tables::of`] says, but done at the `[topology]` header, which a
    /// topology has at its top: a million-service file is not read twice.
    pub fn kind_of(text: &str) -> Tables {
        Tables::scan(text, true)
    }

    fn scan(text: &str, stop_at_topology: bool) -> Tables {
        let mut t = Tables::default();
        let mut top_level = true;
        for line in text.as_bytes().split(|&b| b == b'\n') {
            let start = line
                .iter()
                .position(|&b| b != b' ' && b != b'\t')
                .unwrap_or(line.len());
            let line = &line[start..];
            let header = line.first() == Some(&b'[');
            if header {
                top_level = false;
            } else if !top_level {
                continue;
            }
            let key = if header {
                let h = &line[1..];
                &h[h.iter().position(|&b| b != b'[').unwrap_or(h.len())..]
            } else {
                line
            };
            let skip =
                |s: &[u8], set: &[u8]| s.iter().position(|b| !set.contains(b)).unwrap_or(s.len());
            let key = &key[skip(key, b" \t")..];
            let key = &key[skip(key, b"\"'")..];
            let word_len = key
                .iter()
                .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-'))
                .unwrap_or(key.len());
            let (word, rest) = key.split_at(word_len);
            let rest = &rest[skip(rest, b"\"'")..];
            let rest = &rest[skip(rest, b" \t")..];
            // A header ends the name with `.` or `]`; a top-level key with
            // `.` or `=`.
            let ends = match rest.first() {
                Some(b'.') => true,
                Some(b']') => header,
                Some(b'=') => !header,
                _ => false,
            };
            if !ends {
                continue;
            }
            match word {
                b"topology" if stop_at_topology => {
                    t.topology = true;
                    return t;
                }
                b"topology" => t.topology = true,
                b"plan" => t.plan = true,
                b"change" => t.change = true,
                b"rule" => t.rule = true,
                _ => {}
            }
        }
        t
    }

    /// A plan: `[plan]` or `[[change]]`, and no `[topology]`.
    pub fn is_plan(self) -> bool {
        !self.topology && (self.plan || self.change)
    }
}

const NOT_A_TOPOLOGY: &str = "is not a blastradius topology (no [topology] table)";
const TOPOLOGY_HELP: &str =
    "a topology starts with [topology] and a name; `blastradius example` prints a complete one";

/// Loads a topology file, refusing without quoting it a file that is not
/// one (a plan gets told what to run instead).
///
/// # Errors
/// A whole-file diagnostic for a file of another kind; the loader's located
/// diagnostics for a topology with errors.
pub fn load_topology(path: &Path) -> Result<Topology, CliError> {
    let name = path.display().to_string();
    let text = fsutil::read_text_file_within(path, Limit::TOPOLOGY)?;
    topology_text(&name, &text)
}

/// A topology's text (already read) as a topology: see [`load_topology`].
pub fn topology_text(name: &str, text: &str) -> Result<Topology, CliError> {
    let tables = Tables::kind_of(text);
    if !tables.topology && !text.trim().is_empty() {
        let d = if tables.is_plan() {
            Diagnostic::whole_file(name, "this is a plan, not a topology").with_help(format!(
                "give it with --plan: blastradius check --plan {name}"
            ))
        } else {
            Diagnostic::whole_file(name, format!("{name} {NOT_A_TOPOLOGY}"))
                .with_help(TOPOLOGY_HELP)
        };
        return Err(d.into());
    }
    Ok(topology::load(name, text)?)
}

/// Reads a plan file (at most [`Limit::PLAN`]), refusing without quoting it
/// a file that is not one.
///
/// # Errors
/// A whole-file diagnostic for a file of another kind (a topology gets told
/// what to run instead); located ones for a plan with errors.
pub fn read_plan(path: &Path) -> Result<(Plan, String), CliError> {
    let name = path.display().to_string();
    let text = fsutil::read_text_file_within(path, Limit::PLAN)?;
    let tables = Tables::of(&text);
    if tables.topology {
        return Err(Diagnostic::whole_file(&name, "this is a topology, not a plan")
            .with_help(format!(
                "to assess a change on it: blastradius check {name} --reboot ID\n\
                 to make a plan: open it with `blastradius {name}`, mark the changes and save with `s`"
            ))
            .into());
    }
    if !tables.is_plan() {
        return Err(Diagnostic::whole_file(
            &name,
            format!("{name} is not a blastradius plan (no [plan] table or [[change]])"),
        )
        .with_help("a plan starts with [plan] (title, topology) and lists [[change]] entries")
        .into());
    }
    let plan = Plan::parse(&name, &text)?;
    Ok((plan, text))
}

/// Reads a checklist rules file (at most [`Limit::RULES`]): one with
/// anything in it but `[[rule]]` entries is refused without being quoted.
///
/// # Errors
/// A whole-file diagnostic for a file that cannot be read or is of another
/// kind.
pub fn read_rules(path: &Path) -> Result<String, CliError> {
    let name = path.display().to_string();
    let text = fsutil::read_text_file_within(path, Limit::RULES)?;
    let blank = text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    });
    if !blank && !Tables::of(&text).rule {
        return Err(Diagnostic::whole_file(
            &name,
            format!("{name} is not a blastradius rules file (no [[rule]])"),
        )
        .with_help("a rules file lists [[rule]] entries; see assets/rules.toml")
        .into());
    }
    Ok(text)
}

/// Loads the topology a plan names: relative to the plan's folder and,
/// links resolved, inside the plan's repository unless `allow_outside`.
/// What comes from the plan (no or an empty `topology`, no such file, a
/// file outside the repository or of another kind) points at the plan's
/// `topology =` line. Returns the topology and its path as the plan gives
/// it.
///
/// # Errors
/// Those, and the topology's own located diagnostics.
pub fn plan_topology(
    lp: &LoadedPlan,
    allow_outside: bool,
) -> Result<(Topology, PathBuf), CliError> {
    let Some(pp) = &lp.path else {
        return Err(CliError::Usage(
            "no topology given: name a topology file, or a plan with --plan".into(),
        ));
    };
    let plan_name = pp.display().to_string();
    let src = Source::new(&plan_name, &lp.text);
    let at_line = |msg: String| match topology_span(&lp.text) {
        Some(span) => Diagnostic::at(&src, span, msg),
        None => Diagnostic::whole_file(&plan_name, msg),
    };
    let Some(written) = lp.plan.topology.as_deref() else {
        return Err(Diagnostic::whole_file(&plan_name, "the plan does not name its topology")
            .with_help("add topology = \"FILE.toml\" under [plan], or give the topology file as an argument")
            .into());
    };
    if written.trim().is_empty() {
        return Err(at_line("the plan's `topology` is empty".into())
            .with_help(
                "name the topology file, relative to the plan: topology = \"web-stack.toml\"",
            )
            .into());
    }
    let joined = lp.plan.topology_path(pp).unwrap_or_default();
    let real = std::fs::canonicalize(&joined).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::NotFound {
            "does not exist".to_string()
        } else {
            format!("cannot be opened ({e})")
        };
        CliError::from(
            at_line(format!("the plan's topology `{written}` {why}")).with_help(format!(
                "looked for {}; the path is relative to the plan's folder",
                joined.display()
            )),
        )
    })?;
    if !allow_outside {
        let plan_dir = std::fs::canonicalize(pp)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let root = repository_of(&plan_dir);
        if !real.starts_with(&root) {
            return Err(at_line(format!(
                "the plan's topology `{written}` is outside the plan's repository"
            ))
            .with_help(format!(
                "it resolves to {}, outside {}: keep the topology in the plan's repository, or pass --allow-outside if you trust this plan",
                real.display(),
                root.display()
            ))
            .into());
        }
    }
    let name = joined.display().to_string();
    let text = fsutil::read_text_file_within(&joined, Limit::TOPOLOGY)?;
    if !text.trim().is_empty() && !Tables::kind_of(&text).topology {
        // Said at the plan's line, and the file never quoted.
        return Err(
            at_line(format!("the plan's topology `{written}` {NOT_A_TOPOLOGY}"))
                .with_help(TOPOLOGY_HELP)
                .into(),
        );
    }
    let topo = topology::load(&name, &text)?;
    Ok((topo, joined))
}

/// The repository a folder is in: the nearest folder at or above it that
/// holds `.git` (a folder, or a file in a worktree), else the folder itself.
pub fn repository_of(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())
        .unwrap_or(dir)
        .to_path_buf()
}

/// Where `topology = ...` is written under `[plan]`, for errors that come
/// from that line. Parsed again only when such an error is reported.
fn topology_span(text: &str) -> Option<std::ops::Range<usize>> {
    #[derive(serde::Deserialize)]
    struct File {
        plan: Option<Header>,
    }
    #[derive(serde::Deserialize)]
    struct Header {
        topology: Option<toml::Spanned<String>>,
    }
    let f: File = toml::from_str(text).ok()?;
    Some(f.plan?.topology?.span())
}

/// Writes a command's output: `-` is standard output; anything else a
/// file, replaced only with `force` (see [`fsutil::write_output`]).
///
/// # Errors
/// Why the file was not written (the target is untouched).
pub fn write_out(path: &Path, text: &str, force: bool) -> Result<(), CliError> {
    if path.as_os_str() == "-" {
        return emit(text);
    }
    // A stop signal mid-write must not leave the temporary file behind.
    let _ = fsutil::remove_temps_on_signals();
    let existing = if force {
        Existing::Replace
    } else {
        Existing::Keep
    };
    fsutil::write_output(path, text.as_bytes(), existing)
        .map_err(|e| CliError::Usage(e.to_string()))
}

/// The commands, for "did you mean" on a mistyped one.
const COMMANDS: [&str; 9] = [
    "check",
    "waves",
    "validate",
    "report",
    "graph",
    "import",
    "completions",
    "man",
    "schema",
];

/// A first word that is close to a command's name and is not a file
/// (`blastradius chek x`): a usage error suggesting the command, rather than
/// clap's puzzling "the subcommand cannot be used with [TOPOLOGY]" or the
/// TUI's "not a terminal".
pub fn mistyped_command(args: &[std::ffi::OsString]) -> Option<CliError> {
    let word = args.get(1)?.to_str()?;
    if word.starts_with('-') || COMMANDS.contains(&word) || Path::new(word).exists() {
        return None;
    }
    let near = crate::diag::nearest(word, COMMANDS)?;
    Some(CliError::Usage(format!(
        "`{}` is neither a file nor a command: did you mean `{near}`?\n  see blastradius --help",
        crate::text::inert(word)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_seen_from_headers_without_parsing() {
        let t = Tables::of("[topology]\nname = \"x\"\n[services.a]\n");
        assert!(t.topology && !t.is_plan());
        let p = Tables::of("# a plan\n[plan]\ntitle = \"t\"\n\n[[change]]\nservice = \"a\"\n");
        assert!(p.is_plan() && p.plan && p.change);
        assert!(Tables::of("[[ change ]]\n").is_plan());
        assert!(Tables::of("[\"plan\"]\n").is_plan());
        assert!(Tables::of("topology.name = \"x\"\n").topology);
        assert!(Tables::of("topology = { name = \"x\" }\n").topology);
        // A key of that name inside another table is not the table.
        assert!(!Tables::of("[services.a]\ntopology = 1\n").topology);
        assert!(!Tables::of("[plans]\n[topology_x]\n").is_plan());
        assert!(!Tables::of("[plans]\n[topology_x]\n").topology);
        // Stopping at `[topology]` changes no answer about what a file is.
        for text in [
            "[topology]\nname = \"x\"\n[plan]\n",
            "# a plan\n[plan]\ntitle = \"t\"\n\n[[change]]\nservice = \"a\"\n",
            "[services.a]\n[topology]\n[[change]]\n",
            "SECRET=hunter2\n",
        ] {
            let (all, quick) = (Tables::of(text), Tables::kind_of(text));
            assert_eq!(
                (all.topology, all.is_plan()),
                (quick.topology, quick.is_plan())
            );
        }
        assert_eq!(Tables::of("SECRET=hunter2\n"), Tables::default());
    }

    #[test]
    fn the_repository_is_the_nearest_folder_with_git() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a").join("b");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(repository_of(&deep), deep, "no .git: the folder itself");
        std::fs::create_dir(dir.path().join("a").join(".git")).unwrap();
        assert_eq!(repository_of(&deep), dir.path().join("a"));
    }

    #[test]
    fn a_mistyped_command_is_suggested_and_a_file_is_not() {
        let args = |w: &str| vec!["blastradius".into(), w.into(), "x".into()];
        let e = mistyped_command(&args("chek")).unwrap().to_string();
        assert!(e.contains("did you mean `check`?"), "{e}");
        assert!(mistyped_command(&args("check")).is_none());
        assert!(mistyped_command(&args("--plan")).is_none());
        assert!(mistyped_command(&args("zzzzzzzzzz")).is_none());
        assert!(mistyped_command(&args("Cargo.toml")).is_none());
    }
}
