//! What the status line said, kept: a line in the footer is replaced by
//! the next one, but a notice about where work went (another window has
//! the topology open, this window autosaves elsewhere) must stay
//! reachable. `m` shows the recent messages and the autosave files, with
//! the command that opens each of them again.

use super::App;
use crate::tui::persist::Autosave;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// How many messages `m` shows: a session's worth, not a log file.
const KEEP: usize = 50;

/// Said after a notice about files, so the operator knows it comes back.
pub const AGAIN: &str = "(m shows this again)";

/// Said where a message too long for the footer is cut.
pub const AGAIN_WHOLE: &str = "m shows the whole message";

/// The messages of this session and the autosave another window keeps.
#[derive(Debug, Clone, Default)]
pub struct Log {
    /// Newest last, at most [`KEEP`].
    said: VecDeque<String>,
    /// Another autosave of the same topology or plan that this window does
    /// not write to: the live window's, or one a conflict moved away from.
    pub other: Option<PathBuf>,
    /// `Some(scroll)` while the messages are shown.
    pub open: Option<usize>,
}

impl Log {
    /// The messages, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &str> {
        self.said.iter().rev().map(String::as_str)
    }

    fn push(&mut self, m: &str) {
        if self.said.back().is_some_and(|last| last == m) {
            return;
        }
        if self.said.len() == KEEP {
            self.said.pop_front();
        }
        self.said.push_back(m.to_string());
    }
}

/// A path as a shell reads it: quoted when it holds anything but the
/// characters paths are usually made of.
pub fn shell_word(p: &Path) -> String {
    let s = p.display().to_string();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=~".contains(c));
    if plain {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

impl App {
    /// Shows a message in the status line and keeps it for `m`.
    pub(super) fn say(&mut self, m: String) {
        self.log.push(&m);
        self.message = Some(m);
    }

    /// The recent messages and the autosave files (`m`).
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// The autosave files of this topology or plan, as `(what, path)`:
    /// this window's, then another one's.
    pub fn autosave_files(&self) -> Vec<(&'static str, &Path)> {
        let mut v = Vec::new();
        if let Autosave::To(p) = &self.autosave {
            v.push(("this window autosaves to", p.as_path()));
        }
        if let Some(p) = &self.log.other {
            v.push(("another window's autosave", p.as_path()));
        }
        v
    }

    /// The command that opens an autosave file again, as a plan of the
    /// topology on screen (an autosave's own `topology` line is relative
    /// to where the plan it came from was, not to the autosave).
    pub fn reopen_command(&self, plan: &Path) -> String {
        match &self.source.path {
            Some(t) => format!("blastradius {} --plan {}", shell_word(t), shell_word(plan)),
            None => format!(
                "blastradius example > web-stack.toml; blastradius web-stack.toml --plan {}",
                shell_word(plan)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_for_the_shell_only_when_they_need_it() {
        assert_eq!(
            shell_word(Path::new("/home/a/.local/x.plan.toml")),
            "/home/a/.local/x.plan.toml"
        );
        assert_eq!(shell_word(Path::new("/tmp/my plans")), "'/tmp/my plans'");
        assert_eq!(shell_word(Path::new("it's")), r"'it'\''s'");
    }

    #[test]
    fn the_log_keeps_the_newest_and_no_repeats() {
        let mut l = Log::default();
        for i in 0..KEEP + 5 {
            l.push(&format!("m{i}"));
            l.push(&format!("m{i}"));
        }
        let v: Vec<&str> = l.newest_first().collect();
        assert_eq!(v.len(), KEEP);
        assert_eq!(v[0], format!("m{}", KEEP + 4));
    }
}
