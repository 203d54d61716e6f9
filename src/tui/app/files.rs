//! Writing files: the save and export prompts, and the autosave.

use super::App;
use crate::tui::action::{Action, PromptKind};
use crate::tui::persist::{self, Autosave};
use std::path::PathBuf;

impl App {
    pub(super) fn update_prompt(&mut self, action: Action) {
        let Some((kind, mut text)) = self.prompt.take() else {
            return;
        };
        match action {
            Action::Input(c) => text.push(c),
            Action::Backspace => {
                text.pop();
            }
            Action::Cancel => {
                self.message = Some("cancelled".into());
                return;
            }
            Action::Accept => {
                self.write_file(kind, &text);
                return;
            }
            _ => {}
        }
        self.prompt = Some((kind, text));
    }

    pub(super) fn file_stem(&self) -> String {
        self.topo
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

    pub(super) fn write_file(&mut self, kind: PromptKind, name: &str) {
        let name = name.trim();
        if name.is_empty() {
            self.message = Some("no file name: nothing written".into());
            return;
        }
        let path = PathBuf::from(name);
        let result = match kind {
            PromptKind::SavePlan => {
                let mut plan = self.plan.clone();
                plan.topology = self.source.path.as_ref().map(|p| {
                    std::fs::canonicalize(p)
                        .unwrap_or_else(|_| p.clone())
                        .display()
                        .to_string()
                });
                plan.save(&path)
            }
            PromptKind::ExportReport => {
                let md = crate::report::markdown(&self.topo, &self.plan, &self.review);
                crate::fsutil::write_atomic(&path, md.as_bytes())
            }
        };
        self.message = Some(match (result, kind) {
            (Ok(()), PromptKind::SavePlan) if self.source.path.is_none() => format!(
                "plan saved to {name} (the demo topology is built in: check it with `blastradius check topologies/web-stack.toml --plan {name}`)"
            ),
            (Ok(()), PromptKind::SavePlan) => format!("plan saved to {name}"),
            (Ok(()), PromptKind::ExportReport) => format!("report written to {name}"),
            (Err(e), _) => format!("could not write {name}: {e}"),
        });
    }

    pub(super) fn save(&mut self) {
        let Autosave::To(path) = &self.autosave else {
            return;
        };
        match persist::save(path, &self.plan, self.autosave_last.as_deref()) {
            Ok(text) => self.autosave_last = Some(text),
            Err(persist::SaveError::Conflict) => {
                let private = persist::private_path(path);
                if private == *path {
                    self.autosave = Autosave::Off("autosave conflict".into());
                    return;
                }
                self.message = Some(format!(
                    "another window changed {}; this window now autosaves to {}",
                    path.display(),
                    private.display()
                ));
                self.autosave = Autosave::To(private);
                self.autosave_last = None;
                self.save();
            }
            Err(persist::SaveError::Io(e)) => {
                self.autosave = Autosave::Off(format!("autosave off: {e}"));
                self.message = Some(format!("autosave failed ({e}): save with `s`"));
            }
        }
    }
}
