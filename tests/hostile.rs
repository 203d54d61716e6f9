//! Hostile text: names, teams, paths and references with terminal control
//! sequences, bidi overrides, zero-width characters and very long strings
//! come out inert in every output.

use crate::cmd;

#[cfg(feature = "tui")]
use crate::common;

const ESC: char = '\u{1b}';

/// Text a user could not see is there, or that would act on a terminal.
fn hostile_chars(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}')
        })
        .collect()
}

fn topology() -> String {
    let long = "x".repeat(10_000);
    format!(
        r#"[topology]
name = "evil\u001b]0;pwned\u0007"
description = "clear \u001b[2J screen"

[services.web]
name = "Web \u202Egnp.exe\u202C | <script>alert(1)</script> `code` **bold**"
team = "team\u200Bzero | pipes"
oncall = "{long}"
zone = "z\u001b[31mred"
users = 0.5
requires = ["db"]

[services.db]
name = "DB"
team = "data\r\n# injected heading"

[services.db.boot]
volumes = [{{ path = "/var/\u001b[1mlib|x", automount = false }}]
"#
    )
}

fn write_topology() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("evil.toml"), topology()).unwrap();
    dir
}

fn check(dir: &tempfile::TempDir, format: &str) -> String {
    let out = cmd::blastradius()
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .args([
            "check",
            "evil.toml",
            "--reboot",
            "db",
            "--format",
            format,
            "--today",
            "2023-06-08",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn text_output_shows_control_and_bidi_characters_escaped() {
    let dir = write_topology();
    let out = check(&dir, "text");
    assert_eq!(hostile_chars(&out), Vec::<char>::new(), "{out}");
    assert!(out.contains("\\u{1b}"), "escapes are visible: {out}");
}

#[test]
fn markdown_cannot_be_broken_or_injected_by_names() {
    let dir = write_topology();
    let out = check(&dir, "markdown");
    assert_eq!(hostile_chars(&out), Vec::<char>::new());
    assert!(!out.contains("<script>"), "HTML is escaped");
    assert!(out.contains("&lt;script&gt;"));
    assert!(
        !out.contains("\n# injected heading"),
        "a newline in a team cannot start a heading"
    );
    // Every table row still has the columns of its header.
    for block in out.split("\n\n") {
        let rows: Vec<&str> = block.lines().filter(|l| l.starts_with('|')).collect();
        if let Some(head) = rows.first() {
            let pipes = |r: &str| r.replace("\\|", "").matches('|').count();
            for r in &rows {
                assert_eq!(pipes(r), pipes(head), "row breaks the table: {r}");
            }
        }
    }
}

#[test]
fn json_stays_valid_and_keeps_the_text_exactly() {
    let dir = write_topology();
    let out = check(&dir, "json");
    assert!(!out.contains(ESC), "JSON escapes control characters");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["topology"], "evil\u{1b}]0;pwned\u{7}");
}

#[test]
fn json_escapes_c1_controls_and_bidi_overrides() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("evil.toml"),
        "[topology]\nname = \"a\\u009b2Jb\\u202Ec\\u2066d\"\n[services.db]\n",
    )
    .unwrap();
    let out = check(&dir, "json");
    assert_eq!(hostile_chars(&out), Vec::<char>::new(), "{out}");
    assert!(
        out.contains(r#""topology": "a\u009b2Jb\u202ec\u2066d""#),
        "{out}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["topology"], "a\u{9b}2Jb\u{202e}c\u{2066}d");
}

#[test]
fn error_messages_show_hostile_references_inert() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[topology]\nname = \"t\"\n[services.a]\nrequires = [\"b\\u001b[2J\\u202E\"]\n",
    )
    .unwrap();
    let out = cmd::blastradius()
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .args(["check", "bad.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(hostile_chars(&err), Vec::<char>::new(), "{err}");
    assert!(err.contains("unknown service or group"), "{err}");
}

#[test]
fn validate_output_is_inert_too() {
    let dir = write_topology();
    let out = cmd::blastradius()
        .current_dir(dir.path())
        .args(["validate", "evil.toml"])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(hostile_chars(&all), Vec::<char>::new(), "{all}");
}

#[cfg(feature = "tui")]
#[test]
fn the_tui_draws_hostile_names_inert_and_within_the_screen() {
    use blastradius::tui::action::{Action, Pane};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let topo = blastradius::topology::load("evil.toml", &topology()).unwrap();
    let mut app = common::app(
        topo,
        blastradius::plan::Plan::default(),
        blastradius::tui::persist::Autosave::Off("test".into()),
        blastradius::tui::theme::Theme::new(false, false),
    );
    app.update(Action::Resize(80, 24));
    app.update(Action::Down);
    app.update(Action::Mark(blastradius::plan::Action::Reboot));
    for pane in Pane::ALL {
        app.update(Action::ShowPane(pane));
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        term.draw(|f| f.render_widget(&app, f.area())).unwrap();
        let buf = term.backend().buffer();
        let text: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert_eq!(hostile_chars(&text), Vec::<char>::new(), "{pane:?}: {text}");
    }
}
