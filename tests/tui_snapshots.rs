//! Whole screens of the TUI (DESIGN.md, "TUI"), drawn with ratatui's
//! `TestBackend` and kept as `insta` snapshots at 80x24 and at 160x48 (where
//! the details and the pane sit side by side), plus checks that do not need
//! a snapshot: the header is always there, status is a word, 80 columns are
//! never overrun, the ASCII theme stays ASCII, and a 10,000-service topology
//! draws.
//!
//! The app is built deterministically: a fixed date, autosave off, a theme
//! without colour. Snapshots hold the characters only (trailing spaces
//! trimmed); styles are covered by the theme's own tests.
//!
//! To update after an intended change to the screen:
//! `INSTA_UPDATE=always cargo test --test all tui_snapshots`, then read the
//! changed files under `tests/snapshots/` before committing them.

use crate::common;

use blastradius::plan::{self, Plan};
use blastradius::topology::{self, Topology};
use blastradius::tui::action::{Action, Pane, PromptKind};
use blastradius::tui::app::App;
use blastradius::tui::persist::Autosave;
use blastradius::tui::theme::Theme;
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellWidth};

const NARROW: (u16, u16) = (80, 24);
const WIDE: (u16, u16) = (160, 48);

// --- helpers -------------------------------------------------------------------

use common::{demo_plan, demo_topology};

fn app_with(topo: Topology, plan: Plan, theme: Theme) -> App {
    common::app(topo, plan, Autosave::Off("test".into()), theme)
}

/// The demo topology with the seed outage's plan, no colour, Unicode lines.
fn demo() -> App {
    app_with(demo_topology(), demo_plan(), Theme::new(false, false))
}

/// The demo topology with nothing marked.
fn demo_without_plan() -> App {
    app_with(demo_topology(), Plan::default(), Theme::new(false, false))
}

/// The buffer as text: one line per row, trailing spaces trimmed. A cell
/// hidden behind a wide symbol is skipped, as a terminal would.
fn buffer_text(buf: &Buffer) -> String {
    let width = buf.area.width as usize;
    let mut out = String::new();
    for cells in buf.content.chunks(width) {
        let mut row = String::new();
        let mut skip: u16 = 0;
        for c in cells {
            if skip == 0 {
                row.push_str(c.symbol());
            }
            skip = skip.max(c.cell_width()).saturating_sub(1);
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

/// Sizes the app to `w` x `h` and draws one frame of it.
fn screen(app: &mut App, (w, h): (u16, u16)) -> String {
    app.update(Action::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    terminal
        .draw(|f| f.render_widget(&*app, f.area()))
        .expect("drawing to a test backend cannot fail");
    buffer_text(terminal.backend().buffer())
}

fn feed(app: &mut App, actions: impl IntoIterator<Item = Action>) {
    for a in actions {
        app.update(a);
    }
}

fn type_text(app: &mut App, text: &str) {
    feed(app, text.chars().map(Action::Input));
}

/// The first row: the header.
fn header(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

// --- snapshots -----------------------------------------------------------------

#[test]
fn demo_with_plan() {
    let mut app = demo();
    assert_snapshot!("demo_plan_80x24", screen(&mut app, NARROW));
    assert_snapshot!("demo_plan_160x48", screen(&mut app, WIDE));
}

#[test]
fn demo_without_a_plan() {
    let mut app = demo_without_plan();
    assert_snapshot!("no_plan_80x24", screen(&mut app, NARROW));
    assert_snapshot!("no_plan_160x48", screen(&mut app, WIDE));
}

#[test]
fn each_pane() {
    for pane in Pane::ALL {
        let name = pane.title().to_lowercase();
        let mut app = demo();
        app.update(Action::ShowPane(pane));
        // The exposure is computed on another thread: its answer, not the
        // wait for it.
        app.settle();
        app.update(Action::Collect);
        assert_snapshot!(format!("pane_{name}_80x24"), screen(&mut app, NARROW));
        assert_snapshot!(format!("pane_{name}_160x48"), screen(&mut app, WIDE));
        assert_snapshot!(format!("pane_{name}_200x50"), screen(&mut app, ROOM));
    }
}

#[test]
fn impact_separates_the_plan_from_what_was_already_so() {
    // Only lb-primary rebooted: with lb-secondary already down, edge-lb and
    // site-eu were at risk before the change and go down with it.
    let mut plan = Plan::default();
    plan.set_change("lb-primary", Some(plan::Action::Reboot));
    let mut app = app_with(demo_topology(), plan, Theme::new(false, false));
    app.update(Action::ShowPane(Pane::Impact));
    app.update(Action::Resize(NARROW.0, NARROW.1));
    while app
        .impact_focus()
        .is_some_and(|n| app.topo().id(n) != "site-eu")
    {
        app.update(Action::Down);
    }
    let text = screen(&mut app, NARROW);
    assert!(text.contains("ALREADY SO BEFORE THE CHANGE (1)"), "{text}");
    assert!(text.contains("before the change: at-risk"), "{text}");
    assert_snapshot!("impact_before_the_change_80x24", text);
}

#[test]
fn each_pane_without_a_plan() {
    // The empty states: each pane says what to do instead of showing nothing.
    for pane in Pane::ALL {
        let name = pane.title().to_lowercase();
        let mut app = demo_without_plan();
        app.update(Action::ShowPane(pane));
        assert_snapshot!(
            format!("no_plan_pane_{name}_80x24"),
            screen(&mut app, NARROW)
        );
    }
}

#[test]
fn help() {
    let mut app = demo();
    app.update(Action::ToggleHelp);
    assert_snapshot!("help_80x24", screen(&mut app, NARROW));
    assert_snapshot!("help_160x48", screen(&mut app, WIDE));
    assert_snapshot!("help_200x50", screen(&mut app, ROOM));
}

#[test]
fn the_details_of_a_service_needed_through_its_group() {
    // lb-primary: nothing requires it directly, site-eu needs it through
    // edge-lb.
    let mut app = demo();
    app.update(Action::FilterStart);
    type_text(&mut app, "lb-primary");
    app.update(Action::Accept);
    let text = screen(&mut app, NARROW);
    assert!(text.contains("needed through edge-lb by site-eu"), "{text}");
    assert_snapshot!("details_lb_primary_80x24", text);
    assert_snapshot!("details_lb_primary_200x50", screen(&mut app, ROOM));
}

/// A second window on the same topology, as `persist::start` leaves it
/// (fixed paths: nothing is written unless the plan is edited).
fn second_window() -> App {
    let shared = std::path::PathBuf::from(
        "/home/op/.local/share/blastradius/plans/web-stack-1f2e3d4c5b6a7988.plan.toml",
    );
    let own = shared.with_file_name("web-stack-1f2e3d4c5b6a7988.pid4242.plan.toml");
    let start = blastradius::tui::persist::Start {
        message: Some(format!(
            "another blastradius (pid 4141) has this open: this window autosaves to {}",
            own.display()
        )),
        autosave: Autosave::To(own),
        lock: None,
        restored: None,
        last: None,
        other: Some(shared),
    };
    let (session, _) = blastradius::session::Session::open_lenient(
        demo_topology(),
        demo_plan(),
        blastradius::checklist::RuleSet::defaults(),
        blastradius::topology::Date {
            year: 2023,
            month: 6,
            day: 8,
        },
    );
    App::on(
        session,
        blastradius::tui::app::Source {
            path: Some("/srv/estate/web-stack.toml".into()),
            plan: None,
        },
        start,
        Theme::new(false, false),
    )
}

#[test]
fn the_second_window_notice_and_the_messages() {
    let mut app = second_window();
    let text = screen(&mut app, NARROW);
    assert!(text.contains("m shows this again"), "{text}");
    assert_snapshot!("second_window_notice_80x24", text);
    // Moving on replaces the line; `m` brings it back with both files.
    app.update(Action::Undo);
    assert!(!screen(&mut app, NARROW).contains("m shows this again"));
    app.update(Action::Messages);
    let text = screen(&mut app, NARROW);
    assert!(text.contains("another window's autosave"), "{text}");
    assert_snapshot!("messages_80x24", text);
    assert_snapshot!("messages_200x50", screen(&mut app, ROOM));
}

#[test]
fn filter_while_typing_and_after_enter() {
    let mut app = demo();
    app.update(Action::FilterStart);
    type_text(&mut app, "lb");
    assert_snapshot!("filter_typing_80x24", screen(&mut app, NARROW));
    assert_snapshot!("filter_typing_160x48", screen(&mut app, WIDE));
    app.update(Action::Accept);
    assert_snapshot!("filter_accepted_80x24", screen(&mut app, NARROW));
    assert_snapshot!("filter_accepted_160x48", screen(&mut app, WIDE));
}

#[test]
fn filter_without_a_match() {
    let mut app = demo();
    app.update(Action::FilterStart);
    type_text(&mut app, "zzz");
    assert_snapshot!("filter_no_match_80x24", screen(&mut app, NARROW));
}

#[test]
fn save_prompt() {
    let mut app = demo();
    app.update(Action::Prompt(PromptKind::SavePlan));
    assert_snapshot!("save_prompt_80x24", screen(&mut app, NARROW));
    assert_snapshot!("save_prompt_160x48", screen(&mut app, WIDE));
}

#[test]
fn quit_with_unsaved_work_asks_first() {
    let mut app = demo();
    app.update(Action::Mark(plan::Action::Reboot));
    app.update(Action::Quit);
    assert_snapshot!("quit_unsaved_question_80x24", screen(&mut app, NARROW));
}

#[test]
fn replacing_an_existing_file_asks_first() {
    // The question as the save prompt leaves it for an existing file (the
    // flow is in tui_state.rs); a fixed name keeps temp folders out.
    let mut app = demo();
    app.prompt = Some((PromptKind::ReplaceReport, "record.md".into()));
    assert_snapshot!("replace_question_80x24", screen(&mut app, NARROW));
}

#[test]
fn export_prompt() {
    let mut app = demo();
    app.update(Action::Prompt(PromptKind::ExportReport));
    assert_snapshot!("export_prompt_80x24", screen(&mut app, NARROW));
}

#[test]
fn ascii_theme() {
    let mut app = app_with(demo_topology(), demo_plan(), Theme::new(false, true));
    assert_snapshot!("ascii_80x24", screen(&mut app, NARROW));
    assert_snapshot!("ascii_160x48", screen(&mut app, WIDE));
    app.update(Action::ShowPane(Pane::Graph));
    assert_snapshot!("ascii_graph_160x48", screen(&mut app, WIDE));
}

#[test]
fn too_small() {
    let mut app = demo();
    assert_snapshot!("too_small_50x12", screen(&mut app, (50, 12)));
}

#[test]
fn a_status_message_in_the_footer() {
    let mut app = demo_without_plan();
    // The first service of the demo is site-eu.
    app.update(Action::Mark(plan::Action::Reboot));
    assert_snapshot!("marked_one_80x24", screen(&mut app, NARROW));
}

// --- checks without snapshots --------------------------------------------------

/// Every screen the snapshots cover, at a size.
fn all_screens(size: (u16, u16), theme: Theme) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut base = app_with(demo_topology(), demo_plan(), theme.clone());
    out.push(("plan".to_string(), screen(&mut base, size)));
    let mut none = app_with(demo_topology(), Plan::default(), theme.clone());
    out.push(("no plan".to_string(), screen(&mut none, size)));
    for pane in Pane::ALL {
        let mut app = app_with(demo_topology(), demo_plan(), theme.clone());
        app.update(Action::ShowPane(pane));
        out.push((pane.title().to_string(), screen(&mut app, size)));
    }
    let mut app = app_with(demo_topology(), demo_plan(), theme.clone());
    app.update(Action::FilterStart);
    type_text(&mut app, "lb");
    out.push(("filter".to_string(), screen(&mut app, size)));
    let mut app = app_with(demo_topology(), demo_plan(), theme.clone());
    app.update(Action::Prompt(PromptKind::SavePlan));
    out.push(("prompt".to_string(), screen(&mut app, size)));
    let mut app = app_with(demo_topology(), demo_plan(), theme.clone());
    app.update(Action::Undo);
    app.update(Action::Messages);
    out.push(("messages".to_string(), screen(&mut app, size)));
    let mut app = app_with(demo_topology(), demo_plan(), theme.clone());
    app.update(Action::ToggleHelp);
    out.push(("help".to_string(), screen(&mut app, size)));
    out
}

#[test]
fn no_row_is_wider_than_80_columns() {
    let mut app = demo();
    let mut screens = all_screens(NARROW, Theme::new(false, false));
    app.update(Action::ToggleHelp);
    screens.push(("help".to_string(), screen(&mut app, NARROW)));
    for (name, text) in screens {
        assert_eq!(text.lines().count(), 24, "{name}: 24 rows");
        for (y, row) in text.lines().enumerate() {
            assert!(
                row.cell_width() <= 80,
                "{name}: row {y} is {} columns wide:\n{row}",
                row.cell_width()
            );
        }
    }
}

#[test]
fn the_header_always_shows_the_risk() {
    for size in [NARROW, WIDE] {
        for (name, text) in all_screens(size, Theme::new(false, false)) {
            let h = header(&text);
            let word = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
                .iter()
                .any(|w| h.contains(&format!("RISK {w} ")));
            assert!(word, "{name} at {size:?}: no risk word in the header: {h}");
            assert!(h.contains(" down +"), "{name} at {size:?}: {h}");
        }
    }
    // The seed outage's plan is critical and takes the EU site's 30% down.
    let text = screen(&mut demo(), NARROW);
    let h = header(&text);
    assert!(
        h.contains("3 changes") && h.contains("RISK CRITICAL"),
        "{h}"
    );
    assert!(h.contains("+30% down"), "{h}");
    // Nothing marked, but the secondary load balancer is already down: the
    // empty plan is low, the estate before it high.
    let text = screen(&mut demo_without_plan(), NARROW);
    let h = header(&text);
    assert!(
        h.contains("0 changes") && h.contains("RISK LOW") && h.contains("before: HIGH"),
        "{h}"
    );
}

#[test]
fn status_is_readable_without_colour() {
    // No colour at all in this theme: the words must carry the meaning.
    let mut app = demo();
    let text = screen(&mut app, NARROW);
    assert!(
        text.contains("│R DOWN lb-primary") && text.contains("│U DOWN db-primary"),
        "a marked service shows its mark and its status word:\n{text}"
    );
    assert!(text.contains("│  RISK app-us-1"), "{text}");
    assert!(text.contains("ok "), "{text}");
    assert!(text.contains("NOT READY"), "{text}");
    app.update(Action::ShowPane(Pane::Impact));
    let text = screen(&mut app, NARROW);
    assert!(text.contains("DOWN     site-eu"), "{text}");
    app.update(Action::ShowPane(Pane::Findings));
    let text = screen(&mut app, NARROW);
    assert!(text.contains("CRITICAL"), "{text}");
    app.update(Action::ShowPane(Pane::Checklist));
    let text = screen(&mut app, NARROW);
    assert!(
        text.contains("[ ] !"),
        "blocking items are marked with !:\n{text}"
    );
}

#[test]
fn the_ascii_theme_draws_only_ascii() {
    for size in [NARROW, WIDE] {
        for (name, text) in all_screens(size, Theme::new(false, true)) {
            let bad: Vec<char> = text.chars().filter(|c| !c.is_ascii()).collect();
            assert!(bad.is_empty(), "{name} at {size:?}: {bad:?}\n{text}");
        }
    }
}

#[test]
fn the_ascii_help_is_ascii() {
    let mut app = app_with(demo_topology(), demo_plan(), Theme::new(false, true));
    app.update(Action::ToggleHelp);
    for scroll in 0..6 {
        let text = screen(&mut app, NARROW);
        let bad: Vec<char> = text.chars().filter(|c| !c.is_ascii()).collect();
        assert!(bad.is_empty(), "help page {scroll}: {bad:?}\n{text}");
        app.update(Action::PageDown);
    }
}

/// A topology of 10,000 services in 5,000 pairs, every one requiring one
/// shared database: the size the virtualised list is built for.
fn big_topology() -> String {
    let mut t = String::from(
        "[topology]\nname = \"big\"\n\n[services.shared-db]\nkind = \"database\"\nteam = \"data\"\n\n",
    );
    for g in 0..5000 {
        for half in ["a", "b"] {
            t.push_str(&format!(
                "[services.svc-{g:04}-{half}]\nkind = \"app\"\nrequires = [\"shared-db\"]\n\n"
            ));
        }
        t.push_str(&format!(
            "[groups.pair-{g:04}]\nmembers = [\"svc-{g:04}-a\", \"svc-{g:04}-b\"]\n\n"
        ));
    }
    t
}

#[test]
fn ten_thousand_services_draw_and_mark() {
    let topo = topology::load("big.toml", &big_topology()).expect("the generated topology loads");
    assert_eq!(topo.services().len(), 10_001);
    let mut app = app_with(topo, Plan::default(), Theme::new(false, false));
    let first = screen(&mut app, NARROW);
    assert!(header(&first).contains("0 changes"), "{}", header(&first));
    assert!(first.contains("Services 10001/10001"), "{first}");
    // The shared database is the first service: mark it for reboot.
    app.update(Action::Mark(plan::Action::Reboot));
    let after = screen(&mut app, NARROW);
    let h = header(&after);
    assert!(h.contains("1 change "), "{h}");
    assert_ne!(header(&first), h, "marking changes the header");
    assert!(after.contains("DOWN"), "{after}");
    // The end of the list draws too.
    app.update(Action::End);
    let end = screen(&mut app, WIDE);
    assert!(end.contains("svc-4999-b"), "{end}");
}

// --- regressions: problems found in review, now fixed ------------------------

#[test]
fn too_small_says_the_size_and_the_way_out_at_50_columns() {
    let text = screen(&mut demo(), (50, 12));
    assert!(text.contains("50x12"), "{text}");
    assert!(text.contains("blastradius check"), "{text}");
}

#[test]
fn a_cut_pane_detail_ends_with_an_ellipsis() {
    // The first finding's message needs more rows than 80x24 gives it.
    let mut app = demo();
    app.update(Action::ShowPane(Pane::Findings));
    let text = screen(&mut app, NARROW);
    let last = text.lines().nth(21).expect("24 rows");
    let pane = last
        .trim_end_matches('│')
        .rsplit('│')
        .next()
        .unwrap_or("")
        .trim_end();
    assert!(pane.ends_with('…'), "the last detail row: {pane:?}\n{text}");
}

#[test]
fn a_cut_footer_does_not_end_on_a_bare_key() {
    let text = screen(&mut demo(), NARROW);
    let footer = text.lines().nth(23).expect("24 rows");
    // Hints are whole: the footer ends with a hint's word, never a bare key.
    let last = footer.split_whitespace().last().unwrap_or("");
    assert!(last.chars().count() > 1, "{footer:?}");
}

/// A meeting room's shared screen: Impact, Findings and Checklist side by
/// side, the pane the operator picks taking the third column.
const ROOM: (u16, u16) = (200, 50);

#[test]
fn the_shared_screen_shows_three_panes_side_by_side() {
    let mut app = demo();
    let text = screen(&mut app, ROOM);
    for title in ["1 Impact", "2 Findings", "3 Checklist"] {
        assert!(text.contains(title), "{title} missing:\n{text}");
    }
    insta::assert_snapshot!("dashboard_200x50", text);
    // The graph, picked, takes the third column.
    app.update(Action::ShowPane(Pane::Graph));
    let text = screen(&mut app, ROOM);
    assert!(text.contains("5 Graph") && text.contains("1 Impact"));
    assert!(!text.contains("3 Checklist"));
    insta::assert_snapshot!("dashboard_graph_200x50", text);
}
