//! The keymap: one table that dispatches keys, draws the footer hints and
//! the `?` help, so the three cannot disagree.

use super::action::{Action, Pane, PromptKind};
use crate::plan;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Where the user is, which decides what keys mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Anywhere outside text entry and help.
    Global,
    /// The service list has focus.
    List,
    /// The checklist pane has focus.
    Checklist,
    /// The impact or findings pane has focus.
    Jumpable,
    /// The graph pane has focus.
    Graph,
    /// Typing a filter.
    Filter,
    /// Typing a file name.
    Prompt,
    /// Answering a yes-or-no question.
    Confirm,
    /// The help overlay is open.
    Help,
}

impl Context {
    fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Service list",
            Context::Checklist => "Checklist pane",
            Context::Jumpable => "Impact and Findings panes",
            Context::Graph => "Graph pane",
            Context::Filter => "While typing a filter",
            Context::Prompt => "While typing a file name",
            Context::Confirm => "When asked yes or no",
            Context::Help => "In this help and the messages",
        }
    }
}

/// A key as written in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Code(KeyCode),
}

impl Key {
    fn matches(self, ev: &KeyEvent) -> bool {
        match self {
            Key::Ctrl(c) => {
                ev.modifiers.contains(KeyModifiers::CONTROL) && ev.code == KeyCode::Char(c)
            }
            Key::Char(c) => {
                !ev.modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && ev.code == KeyCode::Char(c)
            }
            Key::Code(k) => ev.code == k,
        }
    }

    /// The key's name in hints and help; `ascii` spells the arrows out.
    pub fn name(self, ascii: bool) -> String {
        match self {
            Key::Char(' ') => "space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("ctrl-{c}"),
            Key::Code(k) => match k {
                KeyCode::Enter => "enter".into(),
                KeyCode::Esc => "esc".into(),
                KeyCode::Tab => "tab".into(),
                KeyCode::BackTab => "shift-tab".into(),
                KeyCode::Up if ascii => "up".into(),
                KeyCode::Down if ascii => "down".into(),
                KeyCode::Left if ascii => "left".into(),
                KeyCode::Right if ascii => "right".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::PageUp => "pgup".into(),
                KeyCode::PageDown => "pgdn".into(),
                KeyCode::Home => "home".into(),
                KeyCode::End => "end".into(),
                KeyCode::Backspace => "backspace".into(),
                other => format!("{other:?}").to_lowercase(),
            },
        }
    }
}

/// One row of the keymap.
pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub action: Action,
    /// A short word for the footer; `None` keeps it out of the footer.
    pub hint: Option<&'static str>,
    /// What it does, for the help.
    pub help: &'static str,
}

use Key::{Char as C, Code as K};

const fn b(
    context: Context,
    keys: &'static [Key],
    action: Action,
    hint: Option<&'static str>,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        hint,
        help,
    }
}

/// The keymap. Context-specific rows come before the global ones, and the
/// first matching row wins.
pub const KEYMAP: &[Binding] = &[
    // Help overlay.
    b(
        Context::Help,
        &[C('?'), K(KeyCode::Esc), C('q'), C('m')],
        Action::Cancel,
        Some("close"),
        "close the help or the messages",
    ),
    b(
        Context::Help,
        &[C('j'), K(KeyCode::Down)],
        Action::Down,
        None,
        "scroll down",
    ),
    b(
        Context::Help,
        &[C('k'), K(KeyCode::Up)],
        Action::Up,
        None,
        "scroll up",
    ),
    b(
        Context::Help,
        &[K(KeyCode::PageDown), C(' ')],
        Action::PageDown,
        None,
        "page down",
    ),
    b(
        Context::Help,
        &[K(KeyCode::PageUp)],
        Action::PageUp,
        None,
        "page up",
    ),
    b(Context::Help, &[Key::Ctrl('c')], Action::Quit, None, "quit"),
    // Text entry: printable characters are typed (see `dispatch`).
    b(
        Context::Filter,
        &[K(KeyCode::Enter)],
        Action::Accept,
        Some("keep"),
        "keep the filter and focus the first match",
    ),
    b(
        Context::Filter,
        &[K(KeyCode::Esc)],
        Action::Cancel,
        Some("clear"),
        "clear the filter",
    ),
    b(
        Context::Filter,
        &[K(KeyCode::Backspace)],
        Action::Backspace,
        None,
        "delete a character",
    ),
    b(
        Context::Filter,
        &[K(KeyCode::Down)],
        Action::Down,
        None,
        "move down the matches",
    ),
    b(
        Context::Filter,
        &[K(KeyCode::Up)],
        Action::Up,
        None,
        "move up the matches",
    ),
    b(
        Context::Filter,
        &[Key::Ctrl('c')],
        Action::Quit,
        None,
        "quit",
    ),
    b(
        Context::Prompt,
        &[K(KeyCode::Enter)],
        Action::Accept,
        Some("write"),
        "write the file",
    ),
    b(
        Context::Prompt,
        &[K(KeyCode::Esc)],
        Action::Cancel,
        Some("cancel"),
        "cancel",
    ),
    b(
        Context::Prompt,
        &[K(KeyCode::Backspace)],
        Action::Backspace,
        None,
        "delete a character",
    ),
    b(
        Context::Prompt,
        &[Key::Ctrl('c')],
        Action::Quit,
        None,
        "quit",
    ),
    // A yes-or-no question.
    b(
        Context::Confirm,
        &[C('y'), C('Y')],
        Action::Accept,
        Some("yes"),
        "yes",
    ),
    b(
        Context::Confirm,
        &[C('n'), C('N'), K(KeyCode::Esc)],
        Action::Cancel,
        Some("no"),
        "no",
    ),
    b(
        Context::Confirm,
        &[Key::Ctrl('c')],
        Action::Quit,
        None,
        "quit (asks first when the work could not be saved)",
    ),
    // The service list.
    b(
        Context::List,
        &[C(' ')],
        Action::Mark(plan::Action::Reboot),
        Some("reboot"),
        "mark the service for reboot, or unmark it",
    ),
    b(
        Context::List,
        &[C('u')],
        Action::Mark(plan::Action::Update),
        Some("update"),
        "mark the service for update, or unmark it",
    ),
    b(
        Context::List,
        &[C('x')],
        Action::Mark(plan::Action::Down),
        Some("what-if"),
        "what-if: assume the service fails, or unmark it",
    ),
    b(
        Context::List,
        &[C('R')],
        Action::MarkShown(plan::Action::Reboot),
        None,
        "mark every service the filter shows for reboot (again: unmark them)",
    ),
    b(
        Context::List,
        &[C('U')],
        Action::MarkShown(plan::Action::Update),
        None,
        "mark every service the filter shows for update (again: unmark them)",
    ),
    b(
        Context::List,
        &[C('X')],
        Action::MarkShown(plan::Action::Down),
        None,
        "what-if: every service the filter shows fails (again: unmark them)",
    ),
    b(
        Context::List,
        &[C(']')],
        Action::MoveWave(true),
        None,
        "move the service's change to the next wave (the verdict follows)",
    ),
    b(
        Context::List,
        &[C('[')],
        Action::MoveWave(false),
        None,
        "move the service's change to the previous wave (before 1: no wave)",
    ),
    b(
        Context::List,
        &[K(KeyCode::Esc)],
        Action::Cancel,
        None,
        "clear the filter",
    ),
    // Panes.
    b(
        Context::Checklist,
        &[C(' '), K(KeyCode::Enter)],
        Action::Tick,
        Some("tick"),
        "tick or untick the item",
    ),
    b(
        Context::Jumpable,
        &[K(KeyCode::Enter)],
        Action::Jump,
        Some("go to"),
        "focus that service in the list",
    ),
    b(
        Context::Graph,
        &[C('h'), K(KeyCode::Left)],
        Action::Left,
        None,
        "scroll left",
    ),
    b(
        Context::Graph,
        &[C('l'), K(KeyCode::Right)],
        Action::Right,
        None,
        "scroll right",
    ),
    // Everywhere.
    b(
        Context::Global,
        &[C('q'), Key::Ctrl('c')],
        Action::Quit,
        Some("quit"),
        "quit (the plan is autosaved)",
    ),
    b(
        Context::Global,
        &[C('?')],
        Action::ToggleHelp,
        Some("help"),
        "show all keys",
    ),
    b(
        Context::Global,
        &[C('/')],
        Action::FilterStart,
        Some("filter"),
        "filter the service list (enter keeps, esc clears)",
    ),
    b(
        Context::Global,
        &[K(KeyCode::Tab)],
        Action::NextFocus,
        Some("pane"),
        "focus the next pane (list, impact, findings, checklist, alerts, graph, exposure, waves)",
    ),
    b(
        Context::Global,
        &[K(KeyCode::BackTab)],
        Action::PrevFocus,
        None,
        "focus the previous pane",
    ),
    b(
        Context::Global,
        &[C('j'), K(KeyCode::Down)],
        Action::Down,
        None,
        "move down",
    ),
    b(
        Context::Global,
        &[C('k'), K(KeyCode::Up)],
        Action::Up,
        None,
        "move up",
    ),
    b(
        Context::Global,
        &[K(KeyCode::PageDown), Key::Ctrl('d')],
        Action::PageDown,
        None,
        "page down",
    ),
    b(
        Context::Global,
        &[K(KeyCode::PageUp), Key::Ctrl('u')],
        Action::PageUp,
        None,
        "page up",
    ),
    b(
        Context::Global,
        &[K(KeyCode::Home), C('g')],
        Action::Home,
        None,
        "go to the top",
    ),
    b(
        Context::Global,
        &[K(KeyCode::End), C('G')],
        Action::End,
        None,
        "go to the bottom",
    ),
    b(
        Context::Global,
        &[C('1')],
        Action::ShowPane(Pane::Impact),
        None,
        "show the impact pane",
    ),
    b(
        Context::Global,
        &[C('2')],
        Action::ShowPane(Pane::Findings),
        None,
        "show the findings pane",
    ),
    b(
        Context::Global,
        &[C('3')],
        Action::ShowPane(Pane::Checklist),
        None,
        "show the checklist pane",
    ),
    b(
        Context::Global,
        &[C('4')],
        Action::ShowPane(Pane::Alerts),
        None,
        "show the alerts pane",
    ),
    b(
        Context::Global,
        &[C('5')],
        Action::ShowPane(Pane::Graph),
        None,
        "show the graph pane",
    ),
    b(
        Context::Global,
        &[C('6')],
        Action::ShowPane(Pane::Exposure),
        None,
        "show the exposure pane: what else can fail during the window",
    ),
    b(
        Context::Global,
        &[C('7')],
        Action::ShowPane(Pane::Waves),
        None,
        "show the waves pane: each wave assessed alone, and its gate",
    ),
    b(
        Context::Global,
        &[C('s')],
        Action::Prompt(PromptKind::SavePlan),
        Some("save"),
        "save the plan to a file you name",
    ),
    b(
        Context::Global,
        &[C('e')],
        Action::Prompt(PromptKind::ExportReport),
        Some("export"),
        "export the Markdown report to a file you name",
    ),
    b(
        Context::Global,
        &[C('r')],
        Action::Refresh,
        None,
        "refresh live state in the background (with --live or a [live] table)",
    ),
    // The meeting: the whole plan from the app.
    b(
        Context::Global,
        &[C('t')],
        Action::Prompt(PromptKind::Title),
        None,
        "set the plan's title",
    ),
    b(
        Context::Global,
        &[C('w')],
        Action::Prompt(PromptKind::Window),
        None,
        "set the window: start with its offset, and minutes",
    ),
    b(
        Context::Global,
        &[C('a')],
        Action::Prompt(PromptKind::AcceptWho),
        Some("accept"),
        "accept the plan's risk by name (who, then why)",
    ),
    b(
        Context::Global,
        &[C('o')],
        Action::Prompt(PromptKind::SignoffWho),
        None,
        "sign off (who, then role)",
    ),
    b(
        Context::Global,
        &[C('b')],
        Action::Blockers,
        Some("blockers"),
        "show what still blocks readiness for approval",
    ),
    b(
        Context::Global,
        &[C('z')],
        Action::Undo,
        Some("undo"),
        "undo the last edit of the plan",
    ),
    b(
        Context::Global,
        &[C('C')],
        Action::ClearPlan,
        None,
        "clear the plan (asks first; z undoes)",
    ),
    b(
        Context::Global,
        &[C('m')],
        Action::Messages,
        Some("messages"),
        "show the recent messages and the autosave files, with the command that opens each",
    ),
];

/// The contexts whose rows apply, most specific first.
fn chain(ctx: Context) -> &'static [Context] {
    match ctx {
        Context::Help => &[Context::Help],
        Context::Filter => &[Context::Filter],
        Context::Prompt => &[Context::Prompt],
        Context::Confirm => &[Context::Confirm],
        Context::List => &[Context::List, Context::Global],
        Context::Checklist => &[Context::Checklist, Context::Global],
        Context::Jumpable => &[Context::Jumpable, Context::Global],
        Context::Graph => &[Context::Graph, Context::Global],
        Context::Global => &[Context::Global],
    }
}

/// The action of a key press in a context, if any.
pub fn dispatch(ctx: Context, ev: &KeyEvent) -> Option<Action> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    for c in chain(ctx) {
        for row in KEYMAP.iter().filter(|r| r.context == *c) {
            if row.keys.iter().any(|k| k.matches(ev)) {
                return Some(row.action);
            }
        }
    }
    // Typing: any printable character without ctrl/alt.
    if matches!(ctx, Context::Filter | Context::Prompt)
        && let KeyCode::Char(c) = ev.code
        && !ev
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return Some(Action::Input(c));
    }
    None
}

/// The footer hints for a context: `key word` pairs.
pub fn hints(ctx: Context, ascii: bool) -> Vec<(String, &'static str)> {
    chain(ctx)
        .iter()
        .flat_map(|c| KEYMAP.iter().filter(move |r| r.context == *c))
        .filter_map(|r| r.hint.map(|h| (r.keys[0].name(ascii), h)))
        .collect()
}

/// The help: for each context, its title and `(keys, what)` rows.
pub fn help(ascii: bool) -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    let order = [
        Context::Global,
        Context::List,
        Context::Checklist,
        Context::Jumpable,
        Context::Graph,
        Context::Filter,
        Context::Prompt,
        Context::Confirm,
        Context::Help,
    ];
    order
        .iter()
        .map(|&c| {
            let rows = KEYMAP
                .iter()
                .filter(|r| r.context == c)
                .map(|r| {
                    let keys: Vec<String> = r.keys.iter().map(|k| k.name(ascii)).collect();
                    (keys.join(" "), r.help)
                })
                .collect();
            (c.title(), rows)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn space_marks_in_the_list_and_ticks_in_the_checklist() {
        let space = key(KeyCode::Char(' '));
        assert_eq!(
            dispatch(Context::List, &space),
            Some(Action::Mark(plan::Action::Reboot))
        );
        assert_eq!(dispatch(Context::Checklist, &space), Some(Action::Tick));
    }

    #[test]
    fn typing_a_filter_does_not_trigger_commands() {
        assert_eq!(
            dispatch(Context::Filter, &key(KeyCode::Char('q'))),
            Some(Action::Input('q'))
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(dispatch(Context::Filter, &ctrl_c), Some(Action::Quit));
        assert_eq!(dispatch(Context::List, &ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn every_binding_is_in_the_help_and_hints_come_from_the_table() {
        let help = help(false);
        let rows: usize = help.iter().map(|(_, r)| r.len()).sum();
        assert_eq!(rows, KEYMAP.len());
        let hints = hints(Context::List, false);
        assert!(hints.contains(&("space".to_string(), "reboot")));
        assert!(hints.contains(&("q".to_string(), "quit")));
    }
}
