//! The command line as a user meets it: exit codes, output and error messages
//! of `check`, `validate` and `report` (DESIGN.md, "Command line").
//!
//! Every run gets a fresh, empty `XDG_CONFIG_HOME`, so a developer's own
//! `~/.config/blastradius/rules.toml` cannot change the results, plus
//! `NO_COLOR=1`, a UTF-8 locale and the default width, so the text output is
//! the same on every machine.
//!
//! `serde_json` is not a dev-dependency, so the JSON output is read by the
//! small parser at the bottom of this file.

use crate::cmd;

use cmd::Assert;
use cmd::Command;
use cmd::predicate;
use std::path::Path;
use tempfile::TempDir;

const WEB: &str = "topologies/web-stack.toml";
const PLAN: &str = "topologies/web-stack.plan.toml";

// --- helpers -------------------------------------------------------------------

/// An empty directory to serve as the config dir of one run.
fn config_dir() -> TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// The binary, run from the crate root, isolated from the developer's
/// config, colour and terminal settings.
fn blastradius(config: &TempDir) -> Command {
    let mut cmd = cmd::blastradius();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("XDG_CONFIG_HOME", config.path())
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C.UTF-8")
        .env("TERM", "xterm-256color")
        .env_remove("COLUMNS");
    cmd
}

/// Runs `blastradius ARGS` with a fresh config dir.
fn run(args: &[&str]) -> Assert {
    let config = config_dir();
    blastradius(&config).args(args).assert()
}

fn valid(name: &str) -> String {
    format!("tests/fixtures/valid/{name}")
}

fn invalid(name: &str) -> String {
    format!("tests/fixtures/invalid/{name}")
}

fn stdout(a: &Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(a: &Assert) -> String {
    String::from_utf8(a.get_output().stderr.clone()).expect("stderr is UTF-8")
}

/// Panics, showing the whole text, unless every fragment occurs in it.
fn assert_has_all(what: &str, text: &str, fragments: &[&str]) {
    for f in fragments {
        assert!(
            text.contains(f),
            "{what} lacks {f:?}; the whole {what}:\n{text}"
        );
    }
}

fn assert_has_none(what: &str, text: &str, fragments: &[&str]) {
    for f in fragments {
        assert!(
            !text.contains(f),
            "{what} has {f:?} but should not; the whole {what}:\n{text}"
        );
    }
}

/// Runs and expects exit 2 (bad input), nothing on stdout, and every
/// fragment on stderr. Returns stderr.
fn input_error(args: &[&str], fragments: &[&str]) -> String {
    let a = run(args).code(2);
    let err = stderr(&a);
    assert!(
        stdout(&a).is_empty(),
        "an input error printed a report:\n{}",
        stdout(&a)
    );
    assert_has_all("stderr", &err, &["error: "]);
    assert_has_all("stderr", &err, fragments);
    err
}

/// `check` on an invalid topology fixture: exit 2, the error located at
/// `file:line:col` with the snippet, and the fragments.
fn topology_error(file: &str, line_col: &str, fragments: &[&str]) -> String {
    let path = invalid(file);
    let err = input_error(&["check", &path], fragments);
    assert_has_all("stderr", &err, &[&format!("--> {path}:{line_col}"), " | "]);
    err
}

use json::Access;

fn json_of(args: &[&str]) -> json::Json {
    let a = run(args).success();
    json::parse(&stdout(&a))
}

// --- check: the seed incident -------------------------------------------------

#[test]
fn check_seed_plan_flags_every_cause_of_the_outage() {
    let a = run(&["check", WEB, "--plan", PLAN]).code(0);
    let out = stdout(&a);
    assert_has_all(
        "stdout",
        &out,
        &[
            "web-stack: Reboot the EU load balancer and cache, update the database",
            "Changes: reboot cache-primary, update db-primary, reboot lb-primary",
            "RISK CRITICAL",
            "+30% down",
            // the secondary load balancer was already down
            "failover-unavailable: edge-lb, lb-secondary",
            // the database volume did not mount on boot
            "no-automount: db-primary",
            // the cache needed a manual switch, never rehearsed
            "manual-failover: cache, cache-primary",
            "failover-untested: cache",
            "failover-untested: edge-lb",
            // the unmonitored app server
            "unmonitored: app-eu-2",
            // why site-eu goes down, as a chain back to the change
            "site-eu ← edge-lb (0/2 up, needs 1) ← lb-primary [reboot]",
            "Approval: NOT READY",
            // alerts: silence only the changed services
            "may silence, for the window only: cache-primary, db-primary, lb-primary",
        ],
    );
    assert!(stderr(&a).is_empty(), "stderr: {}", stderr(&a));
}

#[test]
fn check_takes_the_topology_from_the_plan() {
    let a = run(&["check", "--plan", PLAN]).code(0);
    assert_has_all(
        "stdout",
        &stdout(&a),
        &["web-stack: Reboot the EU", "RISK CRITICAL"],
    );
}

#[test]
fn check_seed_plan_checklist_answers_the_postmortem() {
    let out = stdout(&run(&["check", "--plan", PLAN]).success());
    assert_has_all(
        "stdout",
        &out,
        &[
            "CHECKLIST (0/",
            "[ ] rollback-plan  (change owner, BLOCKING)",
            "[ ] restore-failover:edge-lb+lb-secondary  (platform, BLOCKING)",
            "Bring lb-secondary back up and healthy before starting, or accept the",
            "[ ] confirm-peers-up:cache",
            "[ ] exercise-failover:cache",
            "[ ] manual-failover-owner:cache+cache-primary",
            // The app pool goes down through the cache's manual failover:
            // the item names that cause, and no quorum.
            "[ ] quorum-plan:app-eu",
            "app-eu loses every member (0 of 2 up) through app-eu-1 <- cache",
            "[ ] watch-failover:db",
            "[ ] fix-automount:db-primary  (data, BLOCKING)",
            "[ ] notify-owners:web",
            "[ ] annotate-alerts",
            "[ ] verify-volumes:db-primary:/var/lib/postgresql",
            "[ ] record-outcome",
            " BEFORE",
            " DURING",
            " AFTER",
            "ALERT PLAN",
        ],
    );
    // The checklist never contradicts the assessment: no traffic moved to
    // (or peers confirmed on) lb-secondary, which is down; no failover to
    // watch where it is manual or has nobody to fail over to; no quorum
    // for a pool that needs one member.
    assert_has_none(
        "stdout",
        &out,
        &[
            "confirm-peers-up:edge-lb",
            "drain:lb-primary",
            "watch-failover:cache",
            "watch-failover:edge-lb",
            "loses quorum",
            "moved to lb-secondary",
        ],
    );
}

#[test]
fn ascii_flag_draws_cause_chains_with_ascii_arrows() {
    let out = stdout(&run(&["check", "--plan", PLAN, "--ascii"]).success());
    assert_has_all(
        "stdout",
        &out,
        &["site-eu <- edge-lb (0/2 up, needs 1) <- lb-primary [reboot]"],
    );
    assert_has_none("stdout", &out, &["←"]);
}

// --- --fail-on ----------------------------------------------------------------

#[test]
fn fail_on_critical_exits_1_for_the_seed_plan() {
    let a = run(&["check", "--plan", PLAN, "--fail-on", "critical"]).code(1);
    // The report is still printed: the gate only decides the exit code.
    assert_has_all("stdout", &stdout(&a), &["RISK CRITICAL"]);
}

#[test]
fn fail_on_above_the_risk_exits_0() {
    // Rebooting one of two US load balancers leaves lb-us without a spare:
    // MEDIUM. lb-secondary (high criticality) was down before the change:
    // that is the estate's HIGH, not the plan's, so the README's CI gate
    // `--fail-on high` passes.
    for gate in ["critical", "high"] {
        let a = run(&[
            "check",
            WEB,
            "--reboot",
            "lb-us-1",
            "--today",
            "2023-06-08",
            "--fail-on",
            gate,
        ])
        .code(0);
        assert_has_all(
            "stdout",
            &stdout(&a),
            &["RISK MEDIUM (+0% down, +0% degraded) - before the change: HIGH"],
        );
    }
}

#[test]
fn fail_on_a_harmless_change_exits_0() {
    // A host nobody depends on, in no group: low risk.
    let a = run(&[
        "check",
        &valid("small.toml"),
        "--reboot",
        "docs",
        "--today",
        "2023-06-08",
        "--fail-on",
        "medium",
    ])
    .code(0);
    let out = stdout(&a);
    assert_has_all(
        "stdout",
        &out,
        &[
            "Changes: reboot docs",
            "RISK LOW",
            "FINDINGS OF THE CHANGE (0, 0 blocking)",
        ],
    );
}

#[test]
fn fail_on_is_at_or_above() {
    run(&[
        "check",
        &valid("small.toml"),
        "--reboot",
        "docs",
        "--today",
        "2023-06-08",
        "--fail-on",
        "low",
    ])
    .code(1)
    .stdout(predicate::str::contains("RISK LOW"));
}

#[test]
fn empty_plan_shows_only_the_standing_state() {
    // No changes on web-stack: nothing is planned, but lb-secondary is down
    // by state, so edge-lb has no spare (a standing finding), and a
    // high-criticality service is down: the estate reads HIGH before the
    // change, and the empty plan itself is LOW.
    let a = run(&["check", WEB, "--today", "2023-06-08"]).code(0);
    let out = stdout(&a);
    assert_has_all(
        "stdout",
        &out,
        &[
            "Changes: none (the estate as it stands)",
            "RISK LOW (+0% down, +0% degraded) - before the change: HIGH",
            "FINDINGS OF THE CHANGE (0, 0 blocking)",
            "ALREADY SO BEFORE THE CHANGE (3)",
            "lb-secondary [state: down]",
            "FINDINGS ALREADY SO BEFORE THE CHANGE (1)",
            "no-spare: edge-lb",
            "may silence, for the window only: nothing",
        ],
    );
    // Nothing planned: no checklist, no approval to wait for, no finding
    // about a change.
    assert_has_none(
        "stdout",
        &out,
        &[
            "CHECKLIST",
            "Approval:",
            "failover-unavailable",
            "failover-untested",
        ],
    );
}

#[test]
fn empty_plan_file_on_a_healthy_estate_is_low_risk() {
    let a = run(&[
        "check",
        "--plan",
        &valid("no-changes.plan.toml"),
        "--fail-on",
        "medium",
    ])
    .code(0);
    assert_has_all(
        "stdout",
        &stdout(&a),
        &[
            "small: Nothing yet",
            "Changes: none",
            "RISK LOW (+0% down, +0% degraded) - before the change: LOW",
            "the change makes nothing worse",
            "FINDINGS OF THE CHANGE (0, 0 blocking)",
        ],
    );
}

// --- --format json --------------------------------------------------------------

#[test]
fn json_has_the_documented_shape() {
    let doc = json_of(&["check", "--plan", PLAN, "--format", "json"]);
    assert_eq!(doc.at("version").num(), 2.0);
    assert_eq!(doc.at("topology").str(), "web-stack");
    assert_eq!(doc.at("risk").str(), "critical");
    assert_eq!(doc.at("users").at("down").num(), 0.3);
    assert_eq!(doc.at("users").at("degraded").num(), 0.0);

    // changes
    let changes: Vec<(&str, &str)> = doc
        .at("changes")
        .arr()
        .iter()
        .map(|c| (c.at("service").str(), c.at("action").str()))
        .collect();
    for expected in [
        ("lb-primary", "reboot"),
        ("cache-primary", "reboot"),
        ("db-primary", "update"),
    ] {
        assert!(changes.contains(&expected), "{expected:?} in {changes:?}");
    }
    assert_eq!(changes.len(), 3);
    let changed: Vec<&str> = changes.iter().map(|c| c.0).collect();

    // services: every non-ok one and every changed one, each with a cause
    // chain from itself back to a starting cause (a change, or a service
    // down by `state`).
    let statuses = ["ok", "at-risk", "degraded", "down"];
    let services = doc.at("services").arr();
    for s in services {
        let id = s.at("id").str();
        let status = s.at("status").str();
        assert!(statuses.contains(&status), "{id}: status {status}");
        let cause: Vec<&str> = s.at("cause").arr().iter().map(|c| c.str()).collect();
        assert_eq!(cause.first(), Some(&id), "{id}: cause starts at the entry");
        let start = *cause.last().expect("non-empty cause");
        assert!(
            changed.contains(&start) || start == "lb-secondary",
            "{id}: cause {cause:?} does not end at a starting cause"
        );
        assert_eq!(s.at("changed").bool(), changed.contains(&id), "{id}");
    }
    let service = |id: &str| {
        services
            .iter()
            .find(|s| s.at("id").str() == id)
            .unwrap_or_else(|| panic!("no service {id} in the JSON"))
    };
    let site = service("site-eu");
    assert_eq!(site.at("status").str(), "down");
    assert!(!site.at("changed").bool());
    let chain: Vec<&str> = site.at("cause").arr().iter().map(|c| c.str()).collect();
    assert_eq!(chain, ["site-eu", "edge-lb", "lb-primary"]);
    for id in changed.iter().copied() {
        assert_eq!(service(id).at("status").str(), "down");
        assert!(service(id).at("changed").bool());
    }
    assert!(
        services.iter().all(|s| s.at("id").str() != "site-us"),
        "site-us stays ok and unchanged, so it is not listed"
    );

    // groups
    let groups = doc.at("groups").arr();
    let edge = groups
        .iter()
        .find(|g| g.at("id").str() == "edge-lb")
        .expect("edge-lb in groups");
    assert_eq!(edge.at("status").str(), "down");
    assert_eq!(edge.at("up").num(), 0.0);
    assert_eq!(edge.at("members").num(), 2.0);
    assert_eq!(edge.at("min_up").num(), 1.0);
    for g in groups {
        assert!(statuses.contains(&g.at("status").str()));
        assert_ne!(g.at("status").str(), "ok", "only non-ok groups are listed");
    }

    // findings
    let findings = doc.at("findings").arr();
    let kinds: Vec<&str> = findings.iter().map(|f| f.at("kind").str()).collect();
    for k in [
        "failover-unavailable",
        "no-automount",
        "manual-failover",
        "failover-untested",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    for f in findings {
        assert!(
            ["low", "medium", "high", "critical"].contains(&f.at("severity").str()),
            "{f:?}"
        );
        assert!(!f.at("subjects").arr().is_empty());
        assert!(!f.at("message").str().is_empty());
    }
    let fu = findings
        .iter()
        .find(|f| f.at("kind").str() == "failover-unavailable")
        .expect("failover-unavailable");
    assert_eq!(fu.at("severity").str(), "critical");
    let subjects: Vec<&str> = fu.at("subjects").arr().iter().map(|s| s.str()).collect();
    assert_eq!(subjects, ["edge-lb", "lb-secondary"]);

    // checklist
    let checklist = doc.at("checklist").arr();
    assert!(!checklist.is_empty());
    for item in checklist {
        assert!(!item.at("id").str().is_empty());
        assert!(["before", "during", "after"].contains(&item.at("phase").str()));
        assert!(!item.at("text").str().is_empty());
        assert!(!item.at("why").str().is_empty());
        assert!(!item.at("owner").str().is_empty());
        let _ = item.at("blocking").bool();
        assert!(
            !item.at("done").bool(),
            "nothing is ticked in the seed plan"
        );
    }
    let rollback = checklist
        .iter()
        .find(|i| i.at("id").str() == "rollback-plan")
        .expect("rollback-plan item");
    assert_eq!(rollback.at("phase").str(), "before");
    assert!(rollback.at("blocking").bool());

    // alerts
    let alerts = doc.at("alerts");
    let silence: Vec<&str> = alerts.at("silence").arr().iter().map(|s| s.str()).collect();
    let loud: Vec<&str> = alerts
        .at("keep_loud")
        .arr()
        .iter()
        .map(|s| s.str())
        .collect();
    let mut sorted = changed.clone();
    sorted.sort_unstable();
    let mut silence_sorted = silence.clone();
    silence_sorted.sort_unstable();
    assert_eq!(silence_sorted, sorted, "silence only the changed services");
    for id in ["lb-secondary", "site-eu", "site-us", "cache-secondary"] {
        assert!(loud.contains(&id), "{id} stays loud: {loud:?}");
    }
    assert!(silence.iter().all(|s| !loud.contains(s)));
}

#[test]
fn json_marks_ticked_items_done() {
    let doc = json_of(&[
        "check",
        "--plan",
        &valid("ticked.plan.toml"),
        "--format",
        "json",
    ]);
    let done: Vec<&str> = doc
        .at("checklist")
        .arr()
        .iter()
        .filter(|i| i.at("done").bool())
        .map(|i| i.at("id").str())
        .collect();
    assert_eq!(done, ["rollback-plan"]);
}

// --- markdown and report ----------------------------------------------------------

const MARKDOWN_SECTIONS: &[&str] = &[
    "# Change record: Reboot the EU load balancer and cache, update the database",
    "| Risk of the change | **CRITICAL**",
    "## Changes",
    "## Blast radius",
    "## Findings",
    "| critical | failover-unavailable |",
    "## Checklist",
    "- [ ] **blocking**",
    "id: rollback-plan",
    "## Alert plan",
    "## Sign-off",
];

#[test]
fn check_format_markdown_is_the_change_record() {
    let a = run(&["check", "--plan", PLAN, "--format", "markdown"]).code(0);
    assert_has_all("stdout", &stdout(&a), MARKDOWN_SECTIONS);
}

#[test]
fn report_prints_the_change_record() {
    let a = run(&["report", PLAN]).code(0);
    assert_has_all("stdout", &stdout(&a), MARKDOWN_SECTIONS);
    assert!(stderr(&a).is_empty());
}

#[test]
fn report_output_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("change-record.md");
    let a = run(&["report", PLAN, "-o", file.to_str().unwrap()]).code(0);
    assert!(
        stdout(&a).is_empty(),
        "with -o nothing goes to stdout:\n{}",
        stdout(&a)
    );
    let md = std::fs::read_to_string(&file).expect("report file written");
    assert_has_all("report file", &md, MARKDOWN_SECTIONS);
    assert_has_none("report file", &md, &["- [x]"]);
}

#[test]
fn report_output_long_flag_with_force_overwrites_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("record.md");
    std::fs::write(&file, "old content").unwrap();
    run(&[
        "report",
        PLAN,
        "--output",
        file.to_str().unwrap(),
        "--force",
    ])
    .code(0);
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(!md.contains("old content"));
    assert_has_all("report file", &md, &["## Sign-off"]);
}

#[test]
fn report_shows_ticked_items_and_signoffs() {
    let a = run(&["report", &valid("ticked.plan.toml")]).code(0);
    let md = stdout(&a);
    assert_has_all(
        "report",
        &md,
        &[
            "- [x] **blocking** Write down the procedure",
            "id: rollback-plan)",
            "1 of ",
            "- [ ] **blocking**",
            "## Sign-off",
            "| R. Ops | change owner | 2023-06-08T18:00:00+03:00 |",
        ],
    );
}

#[test]
fn check_text_shows_ticked_items() {
    let out = stdout(&run(&["check", "--plan", &valid("ticked.plan.toml")]).success());
    assert_has_all(
        "stdout",
        &out,
        &[
            "CHECKLIST (1/",
            "[x] rollback-plan",
            "[ ] restore-failover:edge-lb+lb-secondary",
        ],
    );
    assert_has_none(
        "stdout",
        &out,
        &["confirm-peers-up:edge-lb", "drain:lb-primary"],
    );
}

// --- change flags ------------------------------------------------------------------

#[test]
fn reboot_flag_is_a_change() {
    let a = run(&[
        "check",
        WEB,
        "--reboot",
        "lb-primary",
        "--today",
        "2023-06-08",
    ])
    .code(0);
    assert_has_all(
        "stdout",
        &stdout(&a),
        &[
            "Changes: reboot lb-primary",
            "RISK CRITICAL",
            "failover-unavailable: edge-lb, lb-secondary",
            "lb-primary [reboot]",
        ],
    );
}

#[test]
fn update_flag_is_planned_work() {
    let a = run(&[
        "check",
        WEB,
        "--update",
        "db-primary",
        "--today",
        "2023-06-08",
    ])
    .code(0);
    let out = stdout(&a);
    assert_has_all(
        "stdout",
        &out,
        &[
            "Changes: update db-primary",
            "db-primary [update]",
            "no-automount: db-primary",
            "no-spare: db",
            "may silence, for the window only: db-primary",
        ],
    );
}

#[test]
fn down_flag_is_a_what_if_not_planned_work() {
    let a = run(&[
        "check",
        WEB,
        "--down",
        "db-primary",
        "--today",
        "2023-06-08",
    ])
    .code(0);
    let out = stdout(&a);
    assert_has_all(
        "stdout",
        &out,
        &[
            "Changes: down db-primary",
            "db-primary [what-if down]",
            "app-us-1 ← db (1/2 up, needs 1) ← db-primary [what-if down]",
            "no-spare: db",
            // a what-if is not planned: nothing may be silenced
            "may silence, for the window only: nothing",
        ],
    );
    // Volume findings are about planned reboots and updates only.
    assert_has_none("stdout", &out, &["no-automount"]);
}

#[test]
fn flags_repeat_and_combine() {
    let a = run(&[
        "check",
        WEB,
        "--reboot",
        "lb-primary",
        "--reboot",
        "cache-primary",
        "--update",
        "db-primary",
        "--today",
        "2023-06-08",
    ])
    .code(0);
    assert_has_all(
        "stdout",
        &stdout(&a),
        &[
            "Changes: reboot cache-primary, update db-primary, reboot lb-primary",
            "RISK CRITICAL",
            "no-automount: db-primary",
            "manual-failover: cache, cache-primary",
        ],
    );
}

#[test]
fn flags_add_to_the_plan() {
    let a = run(&[
        "check",
        "--plan",
        &valid("ticked.plan.toml"),
        "--update",
        "db-primary",
        "--down",
        "cache-secondary",
    ])
    .code(0);
    let out = stdout(&a);
    assert_has_all(
        "stdout",
        &out,
        &[
            // the plan's change and the two from flags
            "Changes: down cache-secondary, update db-primary, reboot lb-primary",
            "lb-primary [reboot]",
            "db-primary [update]",
            "cache-secondary [what-if down]",
            "no-automount: db-primary",
            // the plan's tick survives
            "[x] rollback-plan",
        ],
    );
}

#[test]
fn flags_add_to_the_plan_in_json() {
    let doc = json_of(&[
        "check",
        "--plan",
        &valid("ticked.plan.toml"),
        "--reboot",
        "cache-primary",
        "--format",
        "json",
    ]);
    let changes: Vec<(&str, &str)> = doc
        .at("changes")
        .arr()
        .iter()
        .map(|c| (c.at("service").str(), c.at("action").str()))
        .collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(changes.contains(&("lb-primary", "reboot")));
    assert!(changes.contains(&("cache-primary", "reboot")));
}

// --- --today --------------------------------------------------------------------------

#[test]
fn today_decides_whether_a_failover_test_is_too_old() {
    // `web` was tested on 2023-05-01; the policy is 90 days.
    let small = valid("small.toml");
    let recent = run(&[
        "check",
        &small,
        "--reboot",
        "web-1",
        "--today",
        "2023-06-08",
    ])
    .code(0);
    assert_has_none("stdout", &stdout(&recent), &["failover-untested"]);

    let late = run(&[
        "check",
        &small,
        "--reboot",
        "web-1",
        "--today",
        "2030-01-01",
    ])
    .code(0);
    assert_has_all(
        "stdout",
        &stdout(&late),
        &[
            "failover-untested: web",
            "last tested on 2023-05-01",
            "before 2030-01-01",
            "(policy: 90)",
            "exercise-failover:web",
        ],
    );
}

#[test]
fn plan_start_wins_over_today() {
    // The plan's window starts 2023-06-08: ages are measured from there.
    let a = run(&[
        "check",
        "--plan",
        &valid("ticked.plan.toml"),
        "--today",
        "2030-01-01",
    ])
    .code(0);
    let out = stdout(&a);
    assert_has_all("stdout", &out, &["218 days before 2023-06-08"]);
    assert_has_none("stdout", &out, &["2030-01-01"]);
}

#[test]
fn today_must_be_a_date() {
    input_error(
        &["check", WEB, "--today", "2023-13-01"],
        &["--today `2023-13-01` is not a date", "YYYY-MM-DD"],
    );
}

// --- --rules ------------------------------------------------------------------------------

#[test]
fn rules_file_adds_an_item_with_its_template_rendered() {
    let a = run(&[
        "check",
        "--plan",
        &valid("ticked.plan.toml"),
        "--rules",
        &valid("extra-rules.toml"),
    ])
    .code(0);
    let out = stdout(&a);
    assert_has_all(
        "stdout",
        &out,
        &[
            "[ ] announce-in-chat:lb-primary  (platform)",
            "Post in #ops that lb-primary (Load balancer (primary)) will reboot now",
            "why: team habit: the channel knows before the pager does",
            // the defaults are still there
            "[x] rollback-plan",
        ],
    );
    assert_has_none("stdout", &out, &["{id}", "{name}", "{action}", "{team}"]);
}

#[test]
fn rules_file_applies_to_report_too() {
    let a = run(&[
        "report",
        &valid("ticked.plan.toml"),
        "--rules",
        &valid("extra-rules.toml"),
    ])
    .code(0);
    assert_has_all(
        "report",
        &stdout(&a),
        &[
            // `#` is escaped in Markdown
            "- [ ] Post in \\#ops that lb-primary (Load balancer (primary)) will reboot now",
            "id: announce-in-chat:lb-primary",
        ],
    );
}

#[test]
fn rules_in_the_config_dir_are_used() {
    let config = config_dir();
    let dir = config.path().join("blastradius");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(valid("extra-rules.toml"), dir.join("rules.toml")).unwrap();
    let a = blastradius(&config)
        .args(["check", "--plan", &valid("ticked.plan.toml")])
        .assert()
        .code(0);
    assert_has_all("stdout", &stdout(&a), &["announce-in-chat:lb-primary"]);
    // ...and a fresh config dir has none of it.
    let plain = run(&["check", "--plan", &valid("ticked.plan.toml")]).code(0);
    assert_has_none("stdout", &stdout(&plain), &["announce-in-chat"]);
}

#[test]
fn rules_with_an_unknown_placeholder_are_refused() {
    let path = invalid("bad-placeholder-rules.toml");
    input_error(
        &["check", "--plan", PLAN, "--rules", &path],
        &[
            "unknown placeholder `{idd}`",
            &format!("--> {path}:5:8"),
            "5 | text = \"Post in #ops that {idd} will restart now\"",
            "did you mean `id`?",
        ],
    );
}

#[test]
fn missing_rules_file_is_an_input_error() {
    input_error(
        &[
            "check",
            "--plan",
            PLAN,
            "--rules",
            "tests/fixtures/no-such-rules.toml",
        ],
        &["no such file", "tests/fixtures/no-such-rules.toml"],
    );
}

// --- input errors: changes ---------------------------------------------------------------

#[test]
fn unknown_service_in_reboot_flag_suggests_the_nearest_id() {
    input_error(
        &["check", WEB, "--reboot", "lb-primay"],
        &[
            "unknown service `lb-primay`",
            "command line",
            "did you mean `lb-primary`?",
        ],
    );
}

#[test]
fn unknown_service_in_a_plan_is_located_in_the_plan() {
    let path = invalid("unknown-service.plan.toml");
    input_error(
        &["check", "--plan", &path],
        &[
            "unknown service `lb-primray`",
            &format!("--> {path}:11:11"),
            "11 | service = \"lb-primray\"",
            "did you mean `lb-primary`?",
        ],
    );
}

#[test]
fn unknown_service_in_a_plan_is_refused_by_report_too() {
    let path = invalid("unknown-service.plan.toml");
    input_error(
        &["report", &path],
        &[&format!("--> {path}:11:11"), "did you mean `lb-primary`?"],
    );
}

#[test]
fn a_group_is_not_a_change() {
    input_error(
        &["check", WEB, "--reboot", "edge-lb"],
        &[
            "`edge-lb` is a group",
            "name its members instead: lb-primary, lb-secondary",
        ],
    );
    let path = invalid("group-as-change.plan.toml");
    input_error(
        &["check", "--plan", &path],
        &["`edge-lb` is a group", &format!("--> {path}:6:11")],
    );
}

#[test]
fn the_same_service_changed_twice_is_refused() {
    input_error(
        &[
            "check",
            WEB,
            "--reboot",
            "lb-primary",
            "--update",
            "lb-primary",
        ],
        &[
            "`lb-primary` is changed twice (reboot and update)",
            "give each service one action",
        ],
    );
    let path = invalid("changed-twice.plan.toml");
    input_error(
        &["check", "--plan", &path],
        &[
            "`lb-primary` is changed twice",
            &format!("--> {path}:10:11"),
        ],
    );
}

#[test]
fn a_flag_repeating_a_plan_change_is_refused() {
    input_error(
        &[
            "check",
            "--plan",
            &valid("ticked.plan.toml"),
            "--update",
            "lb-primary",
        ],
        &["`lb-primary` is changed twice"],
    );
}

// --- input errors: files ---------------------------------------------------------------

#[test]
fn missing_topology_file() {
    input_error(
        &["check", "tests/fixtures/no-such-topology.toml"],
        &[
            "no such file",
            "tests/fixtures/no-such-topology.toml",
            "help: ",
        ],
    );
}

#[test]
fn missing_plan_file() {
    input_error(
        &["check", "--plan", "tests/fixtures/no-such.plan.toml"],
        &["no such file", "tests/fixtures/no-such.plan.toml"],
    );
    input_error(
        &["report", "tests/fixtures/no-such.plan.toml"],
        &["no such file", "tests/fixtures/no-such.plan.toml"],
    );
}

#[test]
fn a_directory_is_not_a_topology() {
    input_error(
        &["check", "tests/fixtures"],
        &[
            "is a directory",
            "tests/fixtures",
            "name a .toml file inside it",
        ],
    );
}

#[test]
fn empty_file() {
    input_error(
        &["check", &invalid("empty.toml")],
        &[
            "the file is empty",
            "tests/fixtures/invalid/empty.toml",
            "[topology]",
        ],
    );
}

#[test]
fn empty_file_help_shows_the_example_on_separate_lines() {
    let err = input_error(&["check", &invalid("empty.toml")], &["the file is empty"]);
    assert_has_all(
        "stderr",
        &err,
        &["    [topology]\n", "    name = \"web-stack\"\n"],
    );
    assert_has_none("stderr", &err, &["\\u{a}"]);
}

#[test]
fn a_file_without_a_topology_table_is_named_and_never_quoted() {
    let path = invalid("no-topology-table.toml");
    let err = input_error(
        &["check", &path],
        &[&format!(
            "{path} is not a blastradius topology (no [topology] table)"
        )],
    );
    assert_has_none("stderr", &err, &[" | ", "services.web", "requires"]);
}

#[test]
fn bad_toml_syntax() {
    topology_error(
        "bad-syntax.toml",
        "5:17",
        &["unclosed array", "5 | requires = [\"db\"", "help: "],
    );
}

#[test]
fn misspelt_key_suggests_the_right_one() {
    topology_error(
        "misspelt-key.toml",
        "7:1",
        &["unknown field `requries`", "did you mean `requires`?"],
    );
}

#[test]
fn unknown_reference_in_requires_suggests_the_nearest_id() {
    topology_error(
        "unknown-reference.toml",
        "7:13",
        &[
            "unknown service or group `db-primray` in `requires`",
            "7 | requires = [\"db-primray\"]",
            "did you mean `db-primary`?",
        ],
    );
}

#[test]
fn unknown_group_member() {
    topology_error(
        "unknown-member.toml",
        "8:21",
        &[
            "unknown service or group `web-3` in `members`",
            "did you mean `web-1`?",
        ],
    );
}

#[test]
fn a_group_member_that_is_a_group() {
    topology_error(
        "member-is-group.toml",
        "11:21",
        &["`web` is a group; group members must be services"],
    );
}

#[test]
fn duplicate_group_member() {
    topology_error(
        "duplicate-member.toml",
        "8:30",
        &[
            "`web-1` is listed twice in `members`",
            "list each member once",
        ],
    );
}

#[test]
fn min_up_zero() {
    topology_error(
        "min-up-zero.toml",
        "9:10",
        &["`min_up` is 0, outside 1..=2"],
    );
}

#[test]
fn min_up_above_the_members() {
    topology_error(
        "min-up-too-high.toml",
        "9:10",
        &["`min_up` is 3, outside 1..=2"],
    );
}

#[test]
fn a_service_requiring_itself() {
    topology_error(
        "requires-itself.toml",
        "5:13",
        &["service `web` requires itself", "remove it from `requires`"],
    );
}

#[test]
fn a_service_requiring_its_own_group() {
    topology_error(
        "requires-own-group.toml",
        "5:13",
        &["service `web-1` requires `web`, a group it is a member of"],
    );
}

#[test]
fn last_tested_as_a_string() {
    topology_error(
        "last-tested-string.toml",
        "9:15",
        &[
            "`last_tested` must be a TOML date, not the string \"2023-01-01\"",
            "last_tested = 2023-03-01",
        ],
    );
}

#[test]
fn last_tested_with_a_time() {
    topology_error(
        "last-tested-datetime.toml",
        "9:15",
        &["`last_tested` must be a TOML date, not a date with a time"],
    );
}

#[test]
fn users_zero() {
    topology_error("users-zero.toml", "5:9", &["`users` is 0, outside (0, 1]"]);
}

#[test]
fn users_above_one() {
    topology_error(
        "users-above-one.toml",
        "5:9",
        &["`users` is 1.5, outside (0, 1]"],
    );
}

#[test]
fn id_with_a_space() {
    topology_error(
        "id-with-space.toml",
        "4:11",
        &[
            "invalid service id `web server`",
            "put a display name in `name`",
        ],
    );
}

#[test]
fn id_with_an_invalid_character() {
    topology_error(
        "id-bad-char.toml",
        "4:11",
        &[
            "invalid service id `web/1`",
            "letters, digits, `.`, `_` and `-`",
        ],
    );
}

#[test]
fn group_id_equal_to_a_service_id() {
    topology_error(
        "group-id-is-service-id.toml",
        "8:9",
        &["group `web` has the same id as a service", "`web-pool`"],
    );
}

#[test]
fn bad_probe() {
    topology_error(
        "bad-probe.toml",
        "5:9",
        &[
            "invalid probe `tcp://10.0.0.5`: a tcp probe needs a port",
            "tcp://host:port",
        ],
    );
}

#[test]
fn unknown_state() {
    topology_error(
        "unknown-state.toml",
        "5:9",
        &["unknown variant `offline`", "up, degraded, down"],
    );
}

#[test]
fn non_utf8_bytes_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"[topology]\nname = \"caf\xe9\"\n").unwrap();
    let shown = path.display().to_string();
    input_error(
        &["check", &shown],
        &[
            "the file is not valid UTF-8 text",
            &format!("--> {shown}:2:12"),
            "save the file as UTF-8",
        ],
    );
}

#[test]
fn bom_and_crlf_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("windows.toml");
    let text = "[topology]\r\nname = \"from-windows\"\r\n\r\n[services.web]\r\nusers = 1.0\r\nrequires = [\"db\"]\r\n\r\n[services.db]\r\n";
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    std::fs::write(&path, bytes).unwrap();
    let shown = path.display().to_string();
    let a = run(&["check", &shown, "--reboot", "db", "--today", "2023-06-08"]).code(0);
    assert_has_all(
        "stdout",
        &stdout(&a),
        &["from-windows", "Changes: reboot db", "spof: db, web"],
    );
    run(&["validate", &shown])
        .code(0)
        .stdout(predicate::str::contains(format!("{shown}: ok, 2 services")));
}

#[test]
fn every_error_in_a_file_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two-errors.toml");
    std::fs::write(
        &path,
        "[topology]\nname = \"t\"\n\n[services.a]\nrequires = [\"bb\"]\nusers = 2.0\n\n[services.b]\n",
    )
    .unwrap();
    let shown = path.display().to_string();
    input_error(
        &["check", &shown],
        &[
            &format!("{shown}:5:13"),
            "unknown service or group `bb`",
            &format!("{shown}:6:9"),
            "`users` is 2, outside (0, 1]",
        ],
    );
}

// --- validate -------------------------------------------------------------------------------

/// Every topology in topologies/, plans left out.
fn bundled_topologies() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("topologies/")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && !n.ends_with(".plan.toml"))
        .map(|n| format!("topologies/{n}"))
        .collect();
    v.sort();
    assert!(v.contains(&WEB.to_string()));
    v
}

#[test]
fn validate_accepts_every_bundled_topology() {
    let files = bundled_topologies();
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let a = run(&args).code(0);
    let out = stdout(&a);
    for f in &files {
        assert_has_all("stdout", &out, &[&format!("{f}: ok, ")]);
    }
    assert_has_all(
        "stdout",
        &out,
        &["topologies/web-stack.toml: ok, 16 services, 6 groups"],
    );
    assert!(stderr(&a).is_empty(), "stderr: {}", stderr(&a));
}

#[test]
fn validate_help_example_glob_succeeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .map(|n| format!("topologies/{n}"))
        .collect();
    files.sort();
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    run(&args)
        .code(0)
        .stdout(predicate::str::contains("topologies/web-stack.toml: ok"));
}

#[test]
fn validate_reports_standing_risks_as_warnings() {
    let a = run(&["validate", &valid("lint-warnings.toml")]).code(0);
    let out = stdout(&a);
    assert_has_all(
        "stdout",
        &out,
        &[
            "tests/fixtures/valid/lint-warnings.toml: ok, 7 services",
            "6 warnings",
            "warning[spof]: `db` is in no group but blog, shop require it",
            "warning[shared-zone]: every member of group `cache` is in zone `rack-1`",
            "warning[requires-cycle]:",
            "a → b → a",
            "warning[users-over-one]:",
            "1.30",
        ],
    );
}

#[test]
fn validate_strict_exits_1_on_warnings() {
    run(&["validate", "--strict", &valid("lint-warnings.toml")])
        .code(1)
        .stdout(predicate::str::contains("warning[requires-cycle]"));
}

#[test]
fn validate_strict_exits_0_without_warnings() {
    run(&[
        "validate",
        "--strict",
        &valid("small.toml"),
        "--today",
        "2023-06-08",
    ])
    .code(0)
    .stdout(predicate::str::contains(
        "tests/fixtures/valid/small.toml: ok, 5 services",
    ))
    .stdout(predicate::str::contains(
        "0 warnings, 0 standing risks (risk before any change: LOW)",
    ));
    // Three years on, the pool's failover test is stale: a standing risk.
    run(&[
        "validate",
        "--strict",
        &valid("small.toml"),
        "--today",
        "2026-06-08",
    ])
    .code(1)
    .stdout(predicate::str::contains("standing[failover-untested]"));
}

#[test]
fn validate_reports_what_is_already_broken_before_any_change() {
    // The seed estate: lb-secondary is already down. It must never read
    // "ok, 0 warnings" and nothing else.
    let a = run(&["validate", WEB, "--today", "2023-06-08"]).code(0);
    assert_has_all(
        "stdout",
        &stdout(&a),
        &[
            "7 standing risks (risk before any change: HIGH)",
            "standing[already-down]: `lb-secondary` is down before any change",
            "standing[already-at-risk]: `site-eu` has no spare left",
            "standing[no-spare]: group `edge-lb`",
            "standing[failover-manual]: group `cache` fails over by hand",
            "standing[failover-untested]: the failover of `cache` has never been tested",
            "standing[unmonitored]: `app-eu-2` is not monitored",
        ],
    );
}

#[test]
fn validate_mix_of_valid_and_invalid_exits_2_and_reports_both() {
    let bad = invalid("unknown-reference.toml");
    let a = run(&["validate", WEB, &bad, &valid("small.toml")]).code(2);
    assert_has_all(
        "stdout",
        &stdout(&a),
        &[
            "topologies/web-stack.toml: ok",
            "tests/fixtures/valid/small.toml: ok",
        ],
    );
    assert_has_all(
        "stderr",
        &stderr(&a),
        &[&format!("--> {bad}:7:13"), "did you mean `db-primary`?"],
    );
}

#[test]
fn validate_reports_every_invalid_file() {
    let a = run(&[
        "validate",
        &invalid("misspelt-key.toml"),
        &invalid("min-up-zero.toml"),
    ])
    .code(2);
    assert_has_all(
        "stderr",
        &stderr(&a),
        &["misspelt-key.toml:7:1", "min-up-zero.toml:9:10"],
    );
}

#[test]
fn validate_needs_a_file() {
    run(&["validate"])
        .code(2)
        .stderr(predicate::str::contains("<TOPOLOGIES>"));
}

// --- usage ------------------------------------------------------------------------------------

#[test]
fn unknown_flag_is_a_usage_error() {
    run(&["check", WEB, "--frobnicate"])
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "unexpected argument '--frobnicate'",
        ));
}

#[test]
fn unknown_format_is_a_usage_error() {
    run(&["check", WEB, "--format", "yaml"])
        .code(2)
        .stderr(predicate::str::contains("invalid value 'yaml'"))
        .stderr(predicate::str::contains("text, json, markdown"));
}

#[test]
fn unknown_fail_on_level_is_a_usage_error() {
    run(&["check", WEB, "--fail-on", "severe"])
        .code(2)
        .stderr(predicate::str::contains("low, medium, high, critical"));
}

#[test]
fn check_needs_a_topology_or_a_plan() {
    run(&["check", "--reboot", "lb-primary"])
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("no topology given"))
        .stderr(predicate::str::contains("--plan"));
}

#[test]
fn help_lists_the_commands_examples_and_exit_codes() {
    let a = run(&["--help"]).code(0);
    assert_has_all(
        "stdout",
        &stdout(&a),
        &[
            "check",
            "validate",
            "report",
            "Examples:",
            "blastradius check topologies/web-stack.toml --reboot lb-primary",
            "blastradius report topologies/web-stack.plan.toml -o change-record.md",
            "Exit codes: 0 fine, 1 risk at or above --fail-on, 2 bad input or usage.",
        ],
    );
}

#[test]
fn check_help_lists_its_flags() {
    let a = run(&["check", "--help"]).code(0);
    assert_has_all(
        "stdout",
        &stdout(&a),
        &[
            "--reboot <ID>",
            "--update <ID>",
            "--down <ID>",
            "--plan <PLAN>",
            "--format <FORMAT>",
            "--fail-on <LEVEL>",
            "--rules <FILE>",
            "--today <DATE>",
        ],
    );
}

#[test]
fn version_flag() {
    run(&["--version"])
        .code(0)
        .stdout(predicate::str::starts_with("blastradius "));
}

#[test]
fn closed_stdout_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    // Enough output to fill the pipe: 3000 services needing one database.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    let mut text = String::from("[topology]\nname = \"big\"\n\n[services.db]\n");
    for i in 0..3000 {
        text.push_str(&format!("\n[services.app-{i}]\nrequires = [\"db\"]\n"));
    }
    std::fs::write(&path, text).unwrap();

    let config = config_dir();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_blastradius"))
        .args(["check", path.to_str().unwrap(), "--reboot", "db"])
        .args(["--today", "2023-06-08"])
        .env("XDG_CONFIG_HOME", config.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    {
        // Read one line, like `| head -1`, then close the pipe.
        let mut r = BufReader::new(child.stdout.take().unwrap());
        r.read_line(&mut first).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(first, "big\n");
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "a closed pipe printed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// --- JSON access that panics with context --------------------------------

mod json {
    pub use serde_json::Value as Json;

    pub fn parse(text: &str) -> Json {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"))
    }

    /// Typed access that fails the test with the document in the message.
    pub trait Access {
        fn at(&self, key: &str) -> &Json;
        fn arr(&self) -> &[Json];
        fn str(&self) -> &str;
        fn num(&self) -> f64;
        fn bool(&self) -> bool;
    }

    impl Access for Json {
        fn at(&self, key: &str) -> &Json {
            self.get(key)
                .unwrap_or_else(|| panic!("no key `{key}` in {self}"))
        }
        fn arr(&self) -> &[Json] {
            self.as_array()
                .unwrap_or_else(|| panic!("not an array: {self}"))
        }
        fn str(&self) -> &str {
            self.as_str()
                .unwrap_or_else(|| panic!("not a string: {self}"))
        }
        fn num(&self) -> f64 {
            self.as_f64()
                .unwrap_or_else(|| panic!("not a number: {self}"))
        }
        fn bool(&self) -> bool {
            self.as_bool()
                .unwrap_or_else(|| panic!("not a bool: {self}"))
        }
    }
}

// --- exports, imports, shell integration ------------------------------------

#[test]
fn graph_dot_and_mermaid_draw_the_topology_and_the_blast_radius() {
    let dot = stdout(&run(&["graph", WEB]).success());
    assert!(dot.starts_with("digraph \"web-stack\" {"), "{dot}");
    assert!(dot.contains("\"site-us\""), "the whole topology: {dot}");
    let radius = stdout(&run(&["graph", WEB, "--reboot", "lb-primary"]).success());
    assert!(radius.contains("fillcolor"), "coloured by status: {radius}");
    assert!(
        !radius.contains("\"site-us\""),
        "only the blast radius: {radius}"
    );
    let m = stdout(&run(&["graph", "--plan", PLAN, "--format", "mermaid"]).success());
    assert!(m.starts_with("flowchart TD\n"), "{m}");
    assert!(m.contains("classDef down"), "{m}");
}

#[test]
fn the_report_embeds_a_mermaid_diagram() {
    let md = stdout(&run(&["report", PLAN]).success());
    assert!(md.contains("```mermaid\nflowchart TD\n"), "{md}");
}

#[test]
fn alertmanager_silences_cover_only_the_changed_services_for_the_window() {
    let out = stdout(&run(&["check", "--plan", PLAN, "--format", "alertmanager"]).success());
    let v = json::parse(&out);
    let silences = v.arr();
    let services: Vec<&str> = silences
        .iter()
        .map(|s| s.at("matchers").arr()[0].at("value").str())
        .collect();
    assert_eq!(services, ["cache-primary", "db-primary", "lb-primary"]);
    for s in silences {
        assert_eq!(s.at("startsAt").str(), "2023-06-08T22:30:00+03:00");
        assert_eq!(s.at("endsAt").str(), "2023-06-09T02:30:00+03:00");
        assert_eq!(s.at("matchers").arr()[0].at("name").str(), "service");
        assert!(s.at("comment").str().contains("Keep loud: "));
        assert!(s.at("comment").str().contains("lb-secondary"));
    }
    // Without a window there is nothing to scope silences to.
    let a = run(&[
        "check",
        WEB,
        "--reboot",
        "lb-primary",
        "--format",
        "alertmanager",
    ])
    .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("no window"));
}

#[test]
fn alert_label_must_be_a_prometheus_label_name() {
    for bad in ["", "service=~\".*\"", "__name__", "2x", "a-b"] {
        let a = run(&[
            "check",
            "--plan",
            PLAN,
            "--format",
            "alertmanager",
            "--alert-label",
            bad,
        ])
        .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert!(err.contains("a Prometheus label name"), "{bad}: {err}");
        assert!(
            a.get_output().stdout.is_empty(),
            "{bad}: no silences written"
        );
    }
    let out = stdout(
        &run(&[
            "check",
            "--plan",
            PLAN,
            "--format",
            "alertmanager",
            "--alert-label",
            "job",
        ])
        .success(),
    );
    let v = json::parse(&out);
    for s in v.arr() {
        let m = &s.at("matchers").arr()[0];
        assert_eq!(m.at("name").str(), "job");
        assert!(
            !m.at("value").str().is_empty(),
            "never a matcher on the empty string"
        );
    }
}

#[test]
fn import_writes_a_topology_that_validates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("imported.toml");
    let out_s = out.to_str().unwrap();
    run(&[
        "import",
        "dot",
        "tests/fixtures/import/terraform-legacy.dot",
        "-o",
        out_s,
    ])
    .success();
    run(&["validate", out_s]).success();
    run(&[
        "import",
        "backstage",
        "tests/fixtures/import/catalog-info.yaml",
        "-o",
        out_s,
        "--force",
    ])
    .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("# Imported by `blastradius import backstage`"),
        "{text}"
    );
    run(&["validate", out_s]).success();
}

#[test]
fn import_of_a_broken_file_is_a_located_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.dot");
    std::fs::write(&bad, "digraph {\n  a -> ;\n}\n").unwrap();
    let a = run(&["import", "dot", bad.to_str().unwrap()]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("bad.dot:2:"), "{err}");
}

#[test]
fn completions_and_man_page_come_from_the_cli_definitions() {
    let bash = stdout(&run(&["completions", "bash"]).success());
    assert!(
        bash.contains("blastradius") && bash.contains("--fail-on"),
        "{bash}"
    );
    let zsh = stdout(&run(&["completions", "zsh"]).success());
    assert!(zsh.contains("#compdef blastradius"));
    let man = stdout(&run(&["man"]).success());
    assert!(man.contains(".TH blastradius"), "{man}");
    assert!(man.contains("check"));
}

// --- JSON version 2: the contract, pinned --------------------------------------

/// The demo's JSON, whole: field order included. A change here is a change
/// of the stable contract: the README lists what changed since version 1.
#[test]
fn json_v2_of_the_seed_plan_is_pinned() {
    let out = stdout(&run(&["check", "--plan", PLAN, "--format", "json"]).success());
    insta::assert_snapshot!("json_v2_seed_plan", out);
}

#[test]
fn json_v2_says_how_each_change_came_and_what_was_so_before() {
    let doc = json_of(&[
        "check",
        "topologies/hypervisor.toml",
        "--reboot",
        "hv-03",
        "--update",
        "os=debian-11",
        "--today",
        "2023-06-08",
        "--format",
        "json",
    ]);
    assert_eq!(doc.at("version").num(), 2.0);
    let change = |id: &str| {
        doc.at("changes")
            .arr()
            .iter()
            .find(|c| c.at("service").str() == id)
            .unwrap_or_else(|| panic!("no change of {id}"))
    };
    // A guest of the rebooted host: an implied reboot, via its host.
    assert_eq!(change("files").at("action").str(), "reboot");
    assert_eq!(change("files").at("via").str(), "hv-03");
    // A selector's change names the selector; a guest of a host it
    // updates is rebooted through that host.
    assert_eq!(change("hv-04").at("action").str(), "update");
    assert_eq!(change("hv-04").at("selector").str(), "os=debian-11");
    assert_eq!(change("dns-2").at("via").str(), "hv-04");
    assert!(change("hv-03").get("via").is_none());
    assert!(change("hv-03").get("selector").is_none());
    // The seed's volume cause, found through the host.
    let findings = doc.at("findings").arr();
    assert!(findings.iter().any(|f| f.at("kind").str() == "no-automount"
        && f.at("subjects").arr()[0].str() == "files"
        && f.at("new").bool()));
    let files = doc
        .at("services")
        .arr()
        .iter()
        .find(|s| s.at("id").str() == "files")
        .expect("files listed");
    assert_eq!(files.at("before").str(), "ok");
    assert_eq!(files.at("status").str(), "down");
    let cause: Vec<&str> = files.at("cause").arr().iter().map(|c| c.str()).collect();
    assert_eq!(cause, ["files", "hv-03"]);
    assert_eq!(doc.at("risk_before").str(), "low");
    assert!(!doc.at("ready").bool());
    assert!(doc.at("accepted").arr().is_empty());
    for k in ["down", "degraded"] {
        assert!(doc.at("users").at("before").at(k).num() >= 0.0);
        assert!(doc.at("users").at("added").at(k).num() >= 0.0);
    }
}

#[test]
fn json_v2_caps_cause_chains_at_64_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut t = String::from("[topology]\nname = \"deep\"\n");
    for i in 0..300 {
        t.push_str(&format!("[services.s{i:04}]\n"));
        if i > 0 {
            t.push_str(&format!("requires = [\"s{:04}\"]\n", i - 1));
        }
    }
    let path = dir.join("deep.toml");
    std::fs::write(&path, &t).unwrap();
    let out = stdout(
        &run(&[
            "check",
            path.to_str().unwrap(),
            "--reboot",
            "s0000",
            "--format",
            "json",
        ])
        .success(),
    );
    let doc = json::parse(&out);
    let last = doc
        .at("services")
        .arr()
        .iter()
        .find(|s| s.at("id").str() == "s0299")
        .expect("the deepest service");
    assert_eq!(last.at("cause").arr().len(), 65);
    assert_eq!(last.at("cause_more").num(), 299.0 - 64.0);
    // Output stays linear: at most 65 ids per service.
    let ids = out.matches("\"s0").count();
    assert!(ids < 300 * 70, "{ids} ids printed");
}

#[test]
fn readiness_needs_the_risk_accepted_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::copy(WEB, dir.join("web-stack.toml")).unwrap();
    let plan = |accept: &str| {
        format!(
            "[plan]\ntitle = \"lb\"\ntopology = \"web-stack.toml\"\n\n[[change]]\nservice = \"lb-primary\"\naction = \"reboot\"\n{accept}"
        )
    };
    let p = dir.join("p.plan.toml");
    std::fs::write(&p, plan("")).unwrap();
    let p = p.to_str().unwrap().to_string();
    let out = stdout(&run(&["check", "--plan", &p]).success());
    assert_has_all(
        "stdout",
        &out,
        &[
            "RISK CRITICAL",
            "not accepted by anyone",
            "Accepted: nobody has accepted the risk",
        ],
    );
    std::fs::write(
        &p,
        plan("\n[[accept]]\nrisk = \"critical\"\nwho = \"R. Ops\"\nwhy = \"the EU site is drained to the US\"\n"),
    )
    .unwrap();
    let out = stdout(&run(&["check", "--plan", &p]).success());
    assert_has_all(
        "stdout",
        &out,
        &["Accepted: critical by R. Ops (the EU site is drained to the US)"],
    );
    assert_has_none("stdout", &out, &["not accepted"]);
}

// --- outputs that never clobber (issue 10) ---------------------------------------------

/// A folder with a copy of the demo topology and a plan naming it, so
/// that tests can write beside (and onto) the inputs.
fn plan_folder() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::copy(format!("{root}/{WEB}"), dir.path().join("web-stack.toml")).unwrap();
    let plan = std::fs::read_to_string(format!("{root}/{PLAN}")).unwrap();
    std::fs::write(dir.path().join("p.plan.toml"), plan).unwrap();
    dir
}

/// `report p.plan.toml -o TARGET [more]` run inside `dir`.
fn report_into(dir: &TempDir, target: &str, more: &[&str]) -> Assert {
    let config = config_dir();
    let mut cmd = blastradius(&config);
    cmd.current_dir(dir.path())
        .args(["report", "p.plan.toml", "-o", target])
        .args(more);
    cmd.assert()
}

fn mode_of(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn report_output_refuses_an_existing_file_without_force() {
    let dir = plan_folder();
    std::fs::write(dir.path().join("record.md"), "the old record").unwrap();
    let a = report_into(&dir, "record.md", &[]).code(2);
    assert_has_all(
        "stderr",
        &stderr(&a),
        &["record.md already exists", "--force"],
    );
    let kept = std::fs::read_to_string(dir.path().join("record.md")).unwrap();
    assert_eq!(kept, "the old record");
}

#[test]
fn report_output_with_force_keeps_the_replaced_files_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = plan_folder();
    let out = dir.path().join("record.md");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    report_into(&dir, "record.md", &["--force"]).code(0);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("## Sign-off")
    );
    assert_eq!(mode_of(&out), 0o640, "the replaced file keeps its mode");
}

#[test]
fn a_new_output_file_gets_the_usual_mode_not_0600() {
    let dir = plan_folder();
    // Through a shell, to run the binary under a known umask.
    let ok = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" report p.plan.toml -o new.md")
        .arg(env!("CARGO_BIN_EXE_blastradius"))
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .status()
        .unwrap();
    assert!(ok.success());
    assert_eq!(mode_of(&dir.path().join("new.md")), 0o644);
}

#[test]
fn an_output_is_never_written_through_a_symlink_even_with_force() {
    let dir = plan_folder();
    let real = dir.path().join("precious.txt");
    std::fs::write(&real, "precious").unwrap();
    std::os::unix::fs::symlink(&real, dir.path().join("link.md")).unwrap();
    // A dangling link too: it would create a file wherever it points.
    std::os::unix::fs::symlink(
        dir.path().join("nowhere.md"),
        dir.path().join("dangling.md"),
    )
    .unwrap();
    for target in ["link.md", "dangling.md"] {
        for more in [&[][..], &["--force"][..]] {
            let a = report_into(&dir, target, more).code(2);
            assert_has_all("stderr", &stderr(&a), &["is a symbolic link"]);
        }
        let meta = std::fs::symlink_metadata(dir.path().join(target)).unwrap();
        assert!(meta.file_type().is_symlink(), "{target} is still the link");
    }
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "precious");
    assert!(!dir.path().join("nowhere.md").exists());
}

#[test]
fn an_output_is_never_written_onto_a_fifo_socket_or_directory() {
    let dir = plan_folder();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(dir.path().join("fifo"))
            .status()
            .unwrap()
            .success()
    );
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("sock")).unwrap();
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    for (target, says) in [
        ("fifo", "is a FIFO"),
        ("sock", "is a socket"),
        ("folder", "is a directory"),
        ("folder/", "is a directory"),
    ] {
        let a = report_into(&dir, target, &["--force"]).code(2);
        assert_has_all("stderr", &stderr(&a), &[says, "regular file only"]);
    }
    use std::os::unix::fs::FileTypeExt;
    let ft = |n: &str| {
        std::fs::symlink_metadata(dir.path().join(n))
            .unwrap()
            .file_type()
    };
    assert!(ft("fifo").is_fifo() && ft("sock").is_socket() && ft("folder").is_dir());
}

#[test]
fn an_output_never_replaces_what_the_command_read_hard_links_included() {
    let dir = plan_folder();
    std::fs::write(dir.path().join("rules.toml"), "").unwrap();
    std::fs::hard_link(dir.path().join("p.plan.toml"), dir.path().join("alias.md")).unwrap();
    let before = std::fs::read_to_string(dir.path().join("p.plan.toml")).unwrap();
    let topo_before = std::fs::read_to_string(dir.path().join("web-stack.toml")).unwrap();
    for target in [
        "p.plan.toml",
        "./p.plan.toml",
        "alias.md",
        "web-stack.toml",
        "rules.toml",
    ] {
        let a = report_into(&dir, target, &["--force", "--rules", "rules.toml"]).code(2);
        assert_has_all(
            "stderr",
            &stderr(&a),
            &["an output never replaces an input"],
        );
    }
    let a = report_into(&dir, "alias.md", &["--force"]).code(2);
    assert_has_all("stderr", &stderr(&a), &["the same file as p.plan.toml"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("p.plan.toml")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("web-stack.toml")).unwrap(),
        topo_before
    );
}

#[test]
fn import_output_never_replaces_its_input_and_needs_force_over_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let dot = dir.path().join("in.dot");
    std::fs::write(&dot, "digraph { a -> b }\n").unwrap();
    let dot_s = dot.to_str().unwrap();
    let a = run(&["import", "dot", dot_s, "-o", dot_s, "--force"]).code(2);
    assert_has_all(
        "stderr",
        &stderr(&a),
        &["an output never replaces an input"],
    );
    assert_eq!(
        std::fs::read_to_string(&dot).unwrap(),
        "digraph { a -> b }\n"
    );
    let out = dir.path().join("t.toml");
    std::fs::write(&out, "mine").unwrap();
    let a = run(&["import", "dot", dot_s, "-o", out.to_str().unwrap()]).code(2);
    assert_has_all("stderr", &stderr(&a), &["already exists", "--force"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");
    run(&[
        "import",
        "dot",
        dot_s,
        "-o",
        out.to_str().unwrap(),
        "--force",
    ])
    .code(0);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("[topology]")
    );
}

#[test]
fn output_dash_is_standard_output() {
    let dir = plan_folder();
    let a = report_into(&dir, "-", &[]).code(0);
    assert_has_all("stdout", &stdout(&a), MARKDOWN_SECTIONS);
    assert!(!dir.path().join("-").exists(), "no file named `-`");
    let a = run(&[
        "import",
        "dot",
        "tests/fixtures/import/terraform-legacy.dot",
        "-o",
        "-",
    ])
    .code(0);
    assert!(stdout(&a).contains("[topology]"));
}

// --- plans that read anywhere (issue 10) -----------------------------------------------

/// A repository (a folder with `.git`) holding `plans/`, and a secret
/// beside it, outside.
fn repo_with_secret() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
    std::fs::create_dir_all(dir.path().join("repo/plans")).unwrap();
    std::fs::create_dir_all(dir.path().join("secret")).unwrap();
    std::fs::write(
        dir.path().join("secret/.env"),
        "API_TOKEN=hunter2-do-not-print\n",
    )
    .unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::copy(format!("{root}/{WEB}"), dir.path().join("secret/web.toml")).unwrap();
    std::fs::copy(format!("{root}/{WEB}"), dir.path().join("repo/web.toml")).unwrap();
    dir
}

fn write_plan(dir: &TempDir, name: &str, topology: &str) -> String {
    let p = dir.path().join("repo/plans").join(name);
    std::fs::write(
        &p,
        format!("[plan]\ntitle = \"t\"\ntopology = \"{topology}\"\n"),
    )
    .unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn a_plans_topology_outside_its_repository_is_refused_at_the_plans_line() {
    let dir = repo_with_secret();
    let plan = write_plan(&dir, "a.plan.toml", "../../secret/web.toml");
    for args in [
        vec!["check", "--plan", &plan],
        vec!["report", &plan],
        vec!["validate", &plan],
        vec!["graph", "--plan", &plan],
    ] {
        let err = stderr(&run(&args).code(2));
        assert_has_all(
            "stderr",
            &err,
            &[
                "is outside the plan's repository",
                &format!("--> {plan}:3:12"),
                "--allow-outside",
            ],
        );
    }
    // Inside the repository (a folder above the plan, with .git): fine.
    let inside = write_plan(&dir, "b.plan.toml", "../web.toml");
    run(&["check", "--plan", &inside]).code(0);
    // And outside with --allow-outside.
    run(&["check", "--plan", &plan, "--allow-outside"]).code(0);
    run(&["validate", &plan, "--allow-outside"]).code(0);
}

#[test]
fn a_plans_topology_is_checked_after_resolving_symlinks() {
    let dir = repo_with_secret();
    std::os::unix::fs::symlink(
        dir.path().join("secret/web.toml"),
        dir.path().join("repo/plans/web.toml"),
    )
    .unwrap();
    let plan = write_plan(&dir, "a.plan.toml", "web.toml");
    let err = stderr(&run(&["check", "--plan", &plan]).code(2));
    assert_has_all("stderr", &err, &["is outside the plan's repository"]);
}

#[test]
fn a_plan_pointing_at_a_secret_never_quotes_it() {
    let dir = repo_with_secret();
    let outside = write_plan(&dir, "a.plan.toml", "../../secret/.env");
    std::fs::copy(
        dir.path().join("secret/.env"),
        dir.path().join("repo/plans/.env"),
    )
    .unwrap();
    let inside = write_plan(&dir, "b.plan.toml", ".env");
    for args in [
        vec!["check", "--plan", &outside],
        vec!["check", "--plan", &outside, "--allow-outside"],
        vec!["check", "--plan", &inside],
        vec!["report", &inside],
        vec!["check", &format!("{}/secret/.env", dir.path().display())],
        vec!["report", &format!("{}/secret/.env", dir.path().display())],
        vec!["validate", &format!("{}/secret/.env", dir.path().display())],
    ] {
        let a = run(&args).code(2);
        let all = format!("{}{}", stdout(&a), stderr(&a));
        assert_has_none("output", &all, &["hunter2", "API_TOKEN"]);
    }
    let err = stderr(&run(&["check", "--plan", &inside]).code(2));
    assert_has_all(
        "stderr",
        &err,
        &[
            "is not a blastradius topology (no [topology] table)",
            &format!("--> {inside}:3:12"),
        ],
    );
    let secret = format!("{}/secret/.env", dir.path().display());
    let a = run(&["check", WEB, "--rules", &secret]).code(2);
    assert_has_all(
        "stderr",
        &stderr(&a),
        &["is not a blastradius rules file (no [[rule]])"],
    );
    assert_has_none("stderr", &stderr(&a), &["hunter2"]);
    let err = stderr(&run(&["report", &secret]).code(2));
    assert_has_all(
        "stderr",
        &err,
        &["is not a blastradius plan (no [plan] table or [[change]])"],
    );
}

#[test]
fn report_given_a_topology_says_it_is_not_a_plan_and_what_to_run() {
    let err = stderr(&run(&["report", WEB]).code(2));
    assert_has_all(
        "stderr",
        &err,
        &[
            "this is a topology, not a plan",
            &format!("blastradius check {WEB} --reboot ID"),
        ],
    );
    assert_has_none("stderr", &err, &["unknown field"]);
}

#[test]
fn an_empty_topology_in_a_plan_is_a_located_error() {
    let dir = repo_with_secret();
    let plan = write_plan(&dir, "a.plan.toml", "");
    let err = stderr(&run(&["check", "--plan", &plan]).code(2));
    assert_has_all(
        "stderr",
        &err,
        &[
            "the plan's `topology` is empty",
            &format!("--> {plan}:3:12"),
        ],
    );
}

#[test]
fn a_missing_topology_points_back_at_the_plans_line() {
    let dir = repo_with_secret();
    let plan = write_plan(&dir, "a.plan.toml", "nope.toml");
    let err = stderr(&run(&["report", &plan]).code(2));
    assert_has_all(
        "stderr",
        &err,
        &[
            "the plan's topology `nope.toml` does not exist",
            &format!("--> {plan}:3:12"),
        ],
    );
}

#[test]
fn a_mistyped_command_without_a_terminal_suggests_the_command() {
    for args in [&["chek", "x"][..], &["chek"][..], &["reprot", "p.toml"][..]] {
        let a = run(args).code(2);
        let err = stderr(&a);
        assert_has_all("stderr", &err, &["did you mean `"]);
        assert_has_none("stderr", &err, &["not a terminal"]);
    }
    let err = stderr(&run(&["chek", "x"]).code(2));
    assert_has_all("stderr", &err, &["did you mean `check`?"]);
}
