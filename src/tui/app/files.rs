//! Writing files: the save and export prompts, their questions, and the
//! autosave.
//!
//! What the user names is written as any output is
//! ([`fsutil::write_output`]): a regular file only, never through a link,
//! never onto a file this process read (the topology, the plan opened with
//! `--plan`, rules, autosaves), and over an existing file only after a yes.

use super::App;
use crate::fsutil::{self, Existing, OutputError};
use crate::tui::action::{Action, PromptKind};
use crate::tui::persist::{self, Autosave};
use std::path::{Path, PathBuf};

impl App {
    pub(super) fn update_prompt(&mut self, action: Action) {
        let Some((kind, mut text)) = self.prompt.take() else {
            return;
        };
        if kind.is_question() {
            self.answer(kind, &text, action);
            return;
        }
        match action {
            Action::Input(c) => text.push(c),
            Action::Backspace => {
                text.pop();
            }
            Action::Cancel => {
                self.say("cancelled".into());
                return;
            }
            Action::Accept => {
                if kind.is_file() {
                    self.write_file(kind, &text);
                } else {
                    self.meeting_answer(kind, &text);
                }
                return;
            }
            _ => {}
        }
        self.prompt = Some((kind, text));
    }

    /// A yes (`Accept`) or no (`Cancel`) to a question; anything else
    /// leaves it open.
    fn answer(&mut self, kind: PromptKind, text: &str, action: Action) {
        match (action, kind) {
            (Action::Accept, PromptKind::QuitUnsaved) => self.quit = true,
            (Action::Accept, PromptKind::ReplacePlan) => {
                self.write(PromptKind::SavePlan, Path::new(text), Existing::Replace);
            }
            (Action::Accept, PromptKind::ReplaceReport) => {
                self.write(PromptKind::ExportReport, Path::new(text), Existing::Replace);
            }
            (Action::Accept, PromptKind::MarkShown(a)) => self.mark_shown_now(a),
            (Action::Accept, PromptKind::ClearPlan) => self.clear_plan_now(),
            (Action::Cancel, PromptKind::MarkShown(_) | PromptKind::ClearPlan) => {
                self.say("left as it was".into());
            }
            (Action::Cancel, PromptKind::QuitUnsaved) => {
                self.say("not quitting: save the plan with `s`".into());
            }
            (Action::Cancel, _) => self.say(format!("{text}: left as it was")),
            _ => self.prompt = Some((kind, text.to_string())),
        }
    }

    /// `q`: quits, unless work could not be saved; then asks first.
    pub(super) fn ask_to_quit(&mut self) {
        // What is due goes to disk first, so that a failing disk asks.
        self.flush_autosave();
        let asked = matches!(self.prompt, Some((PromptKind::QuitUnsaved, _)));
        match &self.unsaved {
            Some(why) if !asked => {
                self.help = None;
                self.log.open = None;
                self.filtering = false;
                self.prompt = Some((PromptKind::QuitUnsaved, why.clone()));
            }
            _ => self.quit = true,
        }
    }

    pub(super) fn file_stem(&self) -> String {
        self.topo()
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }

    /// The name typed into the save or export prompt: written when nothing
    /// is there; a question when a file is; refused for the open topology
    /// and anything that is not a regular file.
    pub(super) fn write_file(&mut self, kind: PromptKind, name: &str) {
        let name = name.trim();
        if name.is_empty() {
            self.say("no file name: nothing written".into());
            return;
        }
        let path = PathBuf::from(name);
        if let Some(topo) = &self.source.path
            && fsutil::same_file(&path, topo)
        {
            self.say(format!(
                "{name} is the open topology: blastradius never writes a topology; name another file"
            ));
            return;
        }
        if let Some(plan) = &self.source.plan
            && fsutil::same_file(&path, plan)
        {
            self.say(format!(
                "{name} is the plan you opened, which is never overwritten: name another file (your edits are autosaved and come back when you open it again)"
            ));
            return;
        }
        match fsutil::check_target(&path) {
            Err(e) => self.say(e.to_string()),
            Ok(Some(_)) => {
                let question = match kind {
                    PromptKind::SavePlan => PromptKind::ReplacePlan,
                    _ => PromptKind::ReplaceReport,
                };
                self.prompt = Some((question, name.to_string()));
            }
            Ok(None) => self.write(kind, &path, Existing::Keep),
        }
    }

    /// Writes the plan or the report to `path`.
    fn write(&mut self, kind: PromptKind, path: &Path, existing: Existing) {
        let name = path.display().to_string();
        let text = match kind {
            PromptKind::SavePlan => {
                let mut plan = self.plan().clone();
                // The built-in demo is named as the file `blastradius
                // example` writes beside the plan.
                plan.topology = Some(match self.source.path.as_deref() {
                    Some(t) => fsutil::relative_to_file(path, t),
                    None => "web-stack.toml".to_string(),
                });
                plan.to_toml()
            }
            // The record carries the exposure, as `report` writes it.
            _ => crate::report::markdown(
                self.topo(),
                self.plan(),
                &self.review().clone().with_exposure(self.topo()),
            ),
        };
        let result = fsutil::write_output(path, text.as_bytes(), existing);
        let said = match (result, kind) {
            (Ok(()), PromptKind::SavePlan) => {
                self.unsaved = None;
                if self.source.path.is_none() {
                    format!(
                        "plan saved to {name} (the demo topology is built in: `blastradius example > web-stack.toml` writes it beside the plan)"
                    )
                } else {
                    format!("plan saved to {name}")
                }
            }
            (Ok(()), _) => format!("report written to {name}"),
            (Err(e @ OutputError::Io(..)), _) => e.to_string(),
            (Err(e), _) => format!("nothing written: {e}"),
        };
        self.say(said);
    }

    /// Autosaves the plan: at once, or, in the terminal (see
    /// [`App::defer_autosave`]), after the frame that shows the edit.
    pub(super) fn save(&mut self) {
        if self.autosave_deferred {
            self.autosave_due = true;
        } else {
            self.write_autosave();
        }
    }

    /// Writes the autosave now if an edit is waiting for it. The terminal
    /// calls this after drawing, when no key is waiting, and before it
    /// stops for any reason; quitting calls it before it decides whether
    /// to ask.
    pub fn flush_autosave(&mut self) {
        if std::mem::take(&mut self.autosave_due) {
            self.write_autosave();
        }
    }

    /// Whether an edit is waiting for the autosave.
    pub fn autosave_due(&self) -> bool {
        self.autosave_due
    }

    /// From now on the autosave is written by [`App::flush_autosave`], off
    /// the keystroke's path: the fsyncs of an atomic write (10 ms and more
    /// on a real disk) come after the frame, and a burst of keys is saved
    /// once.
    pub fn defer_autosave(&mut self) {
        self.autosave_deferred = true;
    }

    fn write_autosave(&mut self) {
        let path = match &self.autosave {
            Autosave::To(path) => path.clone(),
            Autosave::Off(why) => {
                self.unsaved = Some(format!("autosave is off ({why})"));
                return;
            }
        };
        match persist::save(&path, self.plan(), self.autosave_last.as_deref()) {
            Ok(text) => {
                self.autosave_last = Some(text);
                self.unsaved = None;
            }
            Err(persist::SaveError::Conflict) => {
                let private = persist::private_path(&path);
                if private == path {
                    self.autosave = Autosave::Off("autosave conflict".into());
                    self.unsaved = Some("autosave conflict".into());
                    return;
                }
                self.say(format!(
                    "another window changed {}; this window now autosaves to {} {}",
                    path.display(),
                    private.display(),
                    super::AGAIN
                ));
                self.log.other = Some(path.clone());
                self.autosave = Autosave::To(private);
                self.autosave_last = None;
                self.write_autosave();
            }
            Err(persist::SaveError::Io(e)) => {
                self.autosave = Autosave::Off(format!("autosave off: {e}"));
                self.say(format!("autosave failed ({e}): save with `s`"));
                self.unsaved = Some(format!("the autosave failed ({e})"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fsutil::relative_to_file as topology_from;

    #[test]
    fn a_saved_plan_names_its_topology_relative_to_itself() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("repo/topologies")).unwrap();
        std::fs::create_dir_all(d.join("repo/plans/q3")).unwrap();
        std::fs::write(d.join("repo/topologies/web.toml"), "").unwrap();
        let t = d.join("repo/topologies/web.toml");
        assert_eq!(
            topology_from(&d.join("repo/plans/q3/p.toml"), &t),
            "../../topologies/web.toml"
        );
        assert_eq!(
            topology_from(&d.join("repo/topologies/p.toml"), &t),
            "web.toml"
        );
    }
}
