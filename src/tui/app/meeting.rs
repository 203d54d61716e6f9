//! The approval meeting from the app: the title, the window, an
//! acceptance of the risk, sign-offs, clearing the plan, undo, and what
//! still blocks readiness. Each edit goes through the core session and is
//! autosaved like a mark.

use super::{App, CheckRow, Focus};
use crate::analysis::Level;
use crate::plan::{Accept, Plan, Signoff};
use crate::review::Readiness;
use crate::tui::action::{Pane, PromptKind};
use toml::value::Datetime;

/// How many edits `z` can take back.
const UNDO_DEPTH: usize = 100;

/// The window as the prompt shows it: `START MINUTES`, either part may be
/// missing.
pub(super) fn window_text(plan: &Plan) -> String {
    match (&plan.start, plan.minutes) {
        (Some(s), Some(m)) => format!("{s} {m}"),
        (Some(s), None) => s.to_string(),
        (None, Some(m)) => m.to_string(),
        (None, None) => String::new(),
    }
}

/// Reads `START [MINUTES]` (or `MINUTES` alone) with the plan file's own
/// rules: a start is a date and time with its offset, minutes at most 7
/// days, the window ending by the year 9999.
///
/// # Errors
/// What is wrong, in the words a plan file's error would use.
pub(super) fn parse_window(text: &str) -> Result<(Option<Datetime>, Option<u32>), String> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let (start, minutes) = match parts.as_slice() {
        [] => return Ok((None, None)),
        [one] if one.bytes().all(|b| b.is_ascii_digit()) => (None, Some(*one)),
        [start] => (Some(*start), None),
        [start, minutes] => (Some(*start), Some(*minutes)),
        _ => {
            return Err(
                "write the start and the minutes, e.g. 2023-06-08T22:00:00+03:00 240".into(),
            );
        }
    };
    if let Some(s) = start {
        let dt: Datetime = s
            .parse()
            .map_err(|_| format!("`{s}` is not a date and time (2023-06-08T22:00:00+03:00)"))?;
        if dt.date.is_none() || dt.time.is_none() || dt.offset.is_none() {
            return Err(format!(
                "`{s}` needs a date, a time and an offset, e.g. 2023-06-08T22:00:00+03:00"
            ));
        }
    }
    // The plan file's rules decide the rest: one reader, one message.
    let mut toml = String::from("[plan]\n");
    if let Some(s) = start {
        toml.push_str(&format!("start = {s}\n"));
    }
    if let Some(m) = minutes {
        toml.push_str(&format!("minutes = {m}\n"));
    }
    let plan = Plan::parse("window", &toml).map_err(|e| {
        e.0.first()
            .map_or_else(|| "not a window".to_string(), |d| d.message.clone())
    })?;
    Ok((plan.start, plan.minutes))
}

/// Now, as a TOML datetime in UTC, for the time of an acceptance or a
/// sign-off.
fn now() -> Option<Datetime> {
    crate::text::rfc3339(std::time::SystemTime::now())
        .parse()
        .ok()
}

impl App {
    /// Keeps the plan as it is before an edit, for `z`.
    pub(super) fn remember(&mut self) {
        if self.undo.len() == UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.undo.push(self.plan().clone());
    }

    /// `z`: the plan as it was before the last edit.
    pub(super) fn undo(&mut self) {
        let Some(plan) = self.undo.pop() else {
            self.say("nothing to undo".into());
            return;
        };
        self.session.replace_plan(plan);
        self.derive();
        self.save();
        self.say(format!(
            "undone ({} more edit{} can be undone)",
            self.undo.len(),
            if self.undo.len() == 1 { "" } else { "s" }
        ));
    }

    /// The answer typed into a prompt that edits the plan.
    pub(super) fn meeting_answer(&mut self, kind: PromptKind, text: &str) {
        let text = text.trim();
        match kind {
            PromptKind::Title => {
                self.remember();
                self.session.set_title(text);
                self.say(if text.is_empty() {
                    "title cleared".into()
                } else {
                    format!("title: {text}")
                });
            }
            PromptKind::Window => match parse_window(text) {
                Ok((start, minutes)) => {
                    self.remember();
                    self.session.set_window(start, minutes);
                    self.say(format!("window: {}", crate::review::window(self.plan())));
                }
                Err(why) => {
                    self.say(format!("window not changed: {why}"));
                    return;
                }
            },
            PromptKind::AcceptWho | PromptKind::SignoffWho => {
                if text.is_empty() {
                    self.say("nobody named: nothing recorded".into());
                    return;
                }
                self.pending = Some(text.to_string());
                let next = if kind == PromptKind::AcceptWho {
                    PromptKind::AcceptWhy
                } else {
                    PromptKind::SignoffRole
                };
                self.prompt = Some((next, String::new()));
                return;
            }
            PromptKind::AcceptWhy => {
                let Some(who) = self.pending.take() else {
                    return;
                };
                if text.is_empty() {
                    self.say(
                        "an acceptance needs a reason: nothing recorded (a to try again)".into(),
                    );
                    return;
                }
                // The level accepted is the risk on screen: if the plan
                // grows worse later, the acceptance no longer covers it.
                let risk = self.review().assessment.risk.max(Level::Low);
                self.remember();
                self.session.accept(Accept {
                    risk,
                    who: who.clone(),
                    why: text.to_string(),
                    at: now(),
                });
                self.say(format!(
                    "risk {} accepted by {who}",
                    risk.as_str().to_uppercase()
                ));
            }
            PromptKind::SignoffRole => {
                let Some(who) = self.pending.take() else {
                    return;
                };
                self.remember();
                self.session.sign_off(Signoff {
                    who: who.clone(),
                    role: (!text.is_empty()).then(|| text.to_string()),
                    at: now(),
                });
                self.say(format!("signed off by {who}"));
            }
            _ => return,
        }
        self.derive();
        self.save();
    }

    /// `C`: asks before clearing the plan.
    pub(super) fn ask_to_clear(&mut self) {
        let p = self.plan();
        if p.changes.is_empty()
            && p.done.is_empty()
            && p.accepts.is_empty()
            && p.signoffs.is_empty()
        {
            self.say("the plan is already empty".into());
            return;
        }
        let what = format!(
            "Clear {} change{}, {} tick{}, {} acceptance{} and {} sign-off{}? (the title and window stay; z undoes)",
            p.changes.len(),
            if p.changes.len() == 1 { "" } else { "s" },
            p.done.len(),
            if p.done.len() == 1 { "" } else { "s" },
            p.accepts.len(),
            if p.accepts.len() == 1 { "" } else { "s" },
            p.signoffs.len(),
            if p.signoffs.len() == 1 { "" } else { "s" },
        );
        self.prompt = Some((PromptKind::ClearPlan, what));
    }

    /// [`App::ask_to_clear`] after its yes.
    pub(super) fn clear_plan_now(&mut self) {
        self.remember();
        let old = self.plan();
        let plan = Plan {
            title: old.title.clone(),
            topology: old.topology.clone(),
            start: old.start,
            minutes: old.minutes,
            ..Plan::default()
        };
        self.session.replace_plan(plan);
        self.derive();
        self.save();
        self.say("plan cleared (z undoes)".into());
    }

    /// `b`: what still blocks readiness, one key away: the checklist with
    /// the first open blocking item under the cursor, and the acceptance
    /// still needed said.
    pub(super) fn show_blockers(&mut self) {
        let r = self.review();
        if self.plan().changes.is_empty() {
            self.say("nothing to approve: the plan changes nothing".into());
            return;
        }
        match r.readiness() {
            Readiness::Ready => {
                self.say("READY for approval: nothing blocks it".into());
            }
            Readiness::NotReady {
                open_blocking,
                needs_accept,
            } => {
                let first = r.checklist.items.iter().position(|i| i.blocking && !i.done);
                let mut why = Vec::new();
                if open_blocking > 0 {
                    why.push(format!(
                        "{open_blocking} blocking item{} open (space ticks)",
                        if open_blocking == 1 { "" } else { "s" }
                    ));
                }
                if let Some(l) = needs_accept {
                    why.push(format!(
                        "risk {} not accepted by name (a accepts)",
                        l.as_str().to_uppercase()
                    ));
                }
                self.say(format!("NOT READY: {}", why.join("; ")));
                if let Some(i) = first {
                    self.pane = Pane::Checklist;
                    self.focus = Focus::Pane;
                    if let Some(row) = self.check_rows.iter().position(|r| *r == CheckRow::Item(i))
                    {
                        self.checklist.at = row;
                        let rows = self.areas().pane_rows();
                        self.move_checklist(0, rows);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_window;

    #[test]
    fn a_window_is_read_with_the_plan_files_rules() {
        let (s, m) = parse_window("2023-06-08T22:00:00+03:00 240").unwrap();
        assert_eq!(s.unwrap().to_string(), "2023-06-08T22:00:00+03:00");
        assert_eq!(m, Some(240));
        assert_eq!(parse_window("90").unwrap(), (None, Some(90)));
        assert_eq!(parse_window("").unwrap(), (None, None));
        assert!(
            parse_window("2023-06-08T22:00:00 240")
                .unwrap_err()
                .contains("offset")
        );
        assert!(parse_window("tonight 240").is_err());
        assert!(parse_window("2023-06-08T22:00:00Z 0").is_err());
        assert!(parse_window("a b c").is_err());
    }
}
