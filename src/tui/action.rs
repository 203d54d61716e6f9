//! Everything the user can do, as data. Keys and mouse events become an
//! [`Action`]; [`App::update`](super::app::App::update) is the only place
//! state changes.

use crate::plan;

/// The panes beside the service list, in `tab` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Impact,
    Findings,
    Checklist,
    Alerts,
    Graph,
    /// What else can fail during the window (computed off the keystroke
    /// path).
    Exposure,
    /// The plan's waves, each assessed alone, with its gate.
    Waves,
}

impl Pane {
    /// Every pane, in `tab` order.
    pub const ALL: [Pane; 7] = [
        Pane::Impact,
        Pane::Findings,
        Pane::Checklist,
        Pane::Alerts,
        Pane::Graph,
        Pane::Exposure,
        Pane::Waves,
    ];

    /// The title shown on the pane's tab.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Impact => "Impact",
            Pane::Findings => "Findings",
            Pane::Checklist => "Checklist",
            Pane::Alerts => "Alerts",
            Pane::Graph => "Graph",
            Pane::Exposure => "Exposure",
            Pane::Waves => "Waves",
        }
    }

    /// Position in [`Pane::ALL`].
    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// What a prompt asks: a file name, or a yes or no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// Save the plan (TOML) to the file named.
    SavePlan,
    /// Export the Markdown report to the file named.
    ExportReport,
    /// Yes or no: replace the existing file (the prompt's text) with the
    /// plan.
    ReplacePlan,
    /// Yes or no: replace the existing file (the prompt's text) with the
    /// report.
    ReplaceReport,
    /// Yes or no: quit although the work could not be saved (the prompt's
    /// text says why).
    QuitUnsaved,
    /// The plan's title.
    Title,
    /// The plan's window: a start with its offset, and minutes.
    Window,
    /// Who accepts the plan's risk, then why (the prompt's text is the
    /// who while the why is asked).
    AcceptWho,
    AcceptWhy,
    /// Who signs off, then in what role.
    SignoffWho,
    SignoffRole,
    /// Yes or no: mark every service the filter shows with this action
    /// (or unmark them: the text says which and how many).
    MarkShown(plan::Action),
    /// Yes or no: clear the plan's changes, ticks, acceptances and
    /// sign-offs.
    ClearPlan,
}

impl PromptKind {
    /// A yes-or-no question rather than a line of text.
    pub fn is_question(self) -> bool {
        matches!(
            self,
            PromptKind::ReplacePlan
                | PromptKind::ReplaceReport
                | PromptKind::QuitUnsaved
                | PromptKind::MarkShown(_)
                | PromptKind::ClearPlan
        )
    }

    /// A line of text that names a file (the others edit the plan).
    pub fn is_file(self) -> bool {
        matches!(self, PromptKind::SavePlan | PromptKind::ExportReport)
    }
}

/// One thing the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave the app (the plan is already autosaved; when it could not be,
    /// the app asks first).
    Quit,
    /// Show or hide the key help.
    ToggleHelp,
    /// Show or hide the recent status messages and the autosave files,
    /// with the command that opens each again.
    Messages,
    /// Start typing a filter for the service list.
    FilterStart,
    /// A character typed into the filter or a prompt.
    Input(char),
    /// Delete the last character of the filter or prompt.
    Backspace,
    /// Keep the filter and focus its first match / accept the prompt.
    Accept,
    /// Clear the filter / cancel the prompt / close help.
    Cancel,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Scroll the graph sideways.
    Left,
    Right,
    /// Move focus to the next / previous of: list, then each pane.
    NextFocus,
    PrevFocus,
    /// Show and focus one pane.
    ShowPane(Pane),
    /// Mark the focused service with an action, or unmark it if it already
    /// has that action.
    Mark(plan::Action),
    /// Mark every service the filter shows with an action, or unmark them
    /// all when every one already has it.
    MarkShown(plan::Action),
    /// Tick or untick the focused checklist item.
    Tick,
    /// From the impact or findings pane: focus that service in the list.
    Jump,
    /// Ask for a line of text: a file name to save the plan or export the
    /// report to, the title, the window, an acceptance, a sign-off.
    Prompt(PromptKind),
    /// Ask, then clear the plan.
    ClearPlan,
    /// Take back the last edit of the plan.
    Undo,
    /// Show what still blocks readiness for approval.
    Blockers,
    /// Background work may have answered: take what arrived.
    Collect,
    /// Read live state again, in the background.
    Refresh,
    /// Move the focused service's change to the next (`true`) or the
    /// previous wave.
    MoveWave(bool),
    /// The terminal was resized.
    Resize(u16, u16),
    /// A mouse click at a column and row.
    Click(u16, u16),
    /// The wheel turned over a column and row; `true` is down.
    Scroll(u16, u16, bool),
}
