//! `blastradius waves`, and plans with waves in `check` and `report`
//! (DESIGN.md, "Waves").

use crate::cmd;

use cmd::Command;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

const K8S: &str = "topologies/k8s-shop.toml";

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

/// Runs `blastradius ARGS`: exit code, stdout, stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let config = tempfile::tempdir().unwrap();
    let out = blastradius(&config).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}\n{s}"))
}

/// The services a wave's changes name themselves (not through a host).
fn named_in(wave: &Value) -> Vec<String> {
    wave["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("via").is_none())
        .map(|c| c["service"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_fleet_update_of_the_general_pool_goes_one_node_a_wave_with_its_pods() {
    let (code, out, err) = run(&[
        "waves",
        K8S,
        "--update",
        "pool=general",
        "--max-risk",
        "high",
        "--format",
        "json",
        "--today",
        "2026-11-29",
    ]);
    assert_eq!(code, 0, "{err}");
    let d = json(&out);
    assert_eq!(d["version"], 2);
    assert_eq!(d["max_risk"], "high");
    let waves = d["waves"].as_array().unwrap();
    assert_eq!(waves.len(), 3, "{out}");
    assert_eq!(d["lower_bound"], 3);
    assert_eq!(d["unsafe"].as_array().unwrap().len(), 0);
    let mut nodes: Vec<String> = waves.iter().flat_map(named_in).collect();
    nodes.sort();
    assert_eq!(nodes, ["node-a1", "node-b1", "node-c1"]);
    for (k, w) in waves.iter().enumerate() {
        assert_eq!(w["wave"], k + 1);
        assert_ne!(w["risk"], "critical");
        // The pods of the node go with it.
        let node = &named_in(w)[0];
        assert!(
            w["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["via"] == node.as_str()),
            "{w}"
        );
        let gate = w["gate"].as_array().unwrap();
        assert_eq!(gate[0]["kind"], "wait");
        assert_eq!(gate[0]["minutes"], 6, "{w}");
        assert!(
            gate.iter()
                .any(|g| g["kind"] == "service-up" && g["service"] == node.as_str())
        );
        assert!(
            gate.iter()
                .any(|g| g["kind"] == "group-back" && g["group"] == "workers")
        );
        for f in w["findings"].as_array().unwrap() {
            assert_eq!(f["new"], true);
        }
    }
}

#[test]
fn a_change_over_the_limit_even_alone_is_unsafe_with_why_and_exits_1() {
    let (code, out, err) = run(&[
        "waves",
        K8S,
        "--update",
        "node-a2",
        "--update",
        "node-b1",
        "--format",
        "json",
        "--today",
        "2026-11-29",
        "--max-risk",
        "high",
    ]);
    assert_eq!(code, 1, "{err}");
    let d = json(&out);
    let unsafe_ = d["unsafe"].as_array().unwrap();
    assert_eq!(unsafe_.len(), 1, "{out}");
    assert_eq!(unsafe_[0]["service"], "node-a2");
    assert_eq!(unsafe_[0]["action"], "update");
    assert_eq!(unsafe_[0]["risk"], "critical");
    assert!(
        unsafe_[0]["why"]
            .as_str()
            .unwrap()
            .contains("failover-unavailable on kafka"),
        "{out}"
    );
    assert_eq!(d["waves"].as_array().unwrap().len(), 1);
}

#[test]
fn the_text_fits_80_columns_and_says_what_to_wait_for() {
    let (code, out, err) = run(&[
        "waves",
        K8S,
        "--update",
        "pool=general",
        "--max-risk",
        "high",
        "--today",
        "2026-11-29",
    ]);
    assert_eq!(code, 0, "{err}");
    for line in out.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
    assert!(out.contains("WAVE 1 of 3"), "{out}");
    assert!(out.contains("then, before wave 2:"), "{out}");
    assert!(out.contains("then, before closing the window:"), "{out}");
    assert!(out.contains("wait    at least 6 min"), "{out}");
    assert!(out.contains("Lower bound: 3 waves (reached"), "{out}");
}

fn topology_dir(text: &str) -> TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("t.toml"), text).unwrap();
    d
}

const PAIR: &str = r#"[topology]
name = "pair"
[services.db-a]
boot = { minutes = 10, volumes = [{ path = "/var/lib/pg", automount = false }] }
[services.db-b]
boot = { minutes = 12 }
[services.app]
requires = ["db"]
users = 1.0
[groups.db]
members = ["db-a", "db-b"]
mode = "active-passive"
last_tested = 2026-11-01
"#;

#[test]
fn the_active_member_goes_after_the_passive_one_and_the_gate_names_a_volume_to_mount() {
    let d = topology_dir(PAIR);
    let t = d.path().join("t.toml");
    let (code, out, err) = run(&[
        "waves",
        t.to_str().unwrap(),
        "--reboot",
        "id=db-*",
        "--max-risk",
        "high",
        "--format",
        "json",
        "--today",
        "2026-11-29",
    ]);
    assert_eq!(code, 0, "{err}");
    let d = json(&out);
    let waves = d["waves"].as_array().unwrap();
    assert_eq!(waves.len(), 2);
    assert_eq!(named_in(&waves[0]), ["db-b"]);
    assert_eq!(named_in(&waves[1]), ["db-a"]);
    assert_eq!(waves[0]["gate"][0]["minutes"], 12);
    let gate = waves[1]["gate"].as_array().unwrap();
    assert!(gate.iter().any(|g| g["kind"] == "volume-mounted"
        && g["path"] == "/var/lib/pg"
        && g["automount"] == false));
}

#[test]
fn waves_o_writes_a_plan_that_check_and_report_assess_wave_by_wave() {
    let d = topology_dir(PAIR);
    let t = d.path().join("t.toml");
    let p = d.path().join("night.plan.toml");
    let (code, _, err) = run(&[
        "waves",
        t.to_str().unwrap(),
        "--reboot",
        "id=db-*",
        "--max-risk",
        "high",
        "--today",
        "2026-11-29",
        "-o",
        p.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("one change per service"), "{err}");
    let plan = std::fs::read_to_string(&p).unwrap();
    assert!(plan.contains("topology = \"t.toml\""), "{plan}");
    assert_eq!(plan.matches("wave = ").count(), 2, "{plan}");
    assert!(
        plan.find("db-b").unwrap() < plan.find("db-a").unwrap(),
        "{plan}"
    );
    // Never clobbered without --force.
    let (code, _, err) = run(&[
        "waves",
        t.to_str().unwrap(),
        "--reboot",
        "db-a",
        "-o",
        p.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), plan);

    // check: the risk is the worst wave's (high: db-a's volume does not
    // mount by itself; both at once would be critical), and JSON lists the
    // waves.
    let (code, out, err) = run(&[
        "check",
        "--plan",
        p.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(code, 0, "{err}");
    let d = json(&out);
    assert_eq!(d["risk"], "high", "{out}");
    assert_eq!(d["waves"][0]["risk"], "medium", "{out}");
    let waves = d["waves"].as_array().unwrap();
    assert_eq!(waves.len(), 2);
    assert_eq!(waves[0]["wave"], 1);
    assert_eq!(named_in(&waves[0]), ["db-b"]);
    assert!(waves[0].get("users").is_some());
    // The rest of the document is the whole plan's.
    assert_eq!(d["changes"].as_array().unwrap().len(), 2);
    let (code, out, _) = run(&["check", "--plan", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("RISK HIGH"), "{out}");
    assert!(out.contains("wave 2: 1 high finding"), "{out}");
    assert!(out.contains("WAVES (2)"), "{out}");
    assert!(out.contains("  WAVE 2: RISK HIGH"), "{out}");
    let (code, out, err) = run(&["report", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("## Waves"), "{out}");
    assert!(out.contains("### Wave 2: risk HIGH"), "{out}");
    assert!(
        out.contains("- [ ] /var/lib/pg is mounted on db-a (by hand"),
        "{out}"
    );
    assert!(out.contains("Checklist of the wave"), "{out}");
    // A plan without waves has no "waves" key.
    let (_, out, _) = run(&[
        "check",
        t.to_str().unwrap(),
        "--reboot",
        "db-a",
        "--format",
        "json",
    ]);
    assert!(json(&out).get("waves").is_none());
}

fn plan_error(body: &str) -> String {
    let d = topology_dir(PAIR);
    let p = d.path().join("p.plan.toml");
    std::fs::write(&p, format!("[plan]\ntopology = \"t.toml\"\n{body}")).unwrap();
    let (code, _, err) = run(&["check", "--plan", p.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    err
}

#[test]
fn a_bad_wave_is_an_input_error_located_in_the_plan() {
    let err = plan_error("[[change]]\nservice = \"db-a\"\naction = \"reboot\"\nwave = 0\n");
    assert!(
        err.contains("`wave` must be a whole number, 1 or more"),
        "{err}"
    );
    assert!(err.contains("p.plan.toml:6"), "{err}");
    let err = plan_error(
        "[[change]]\nservice = \"db-a\"\naction = \"reboot\"\nwave = 1\n[[change]]\nservice = \"db-b\"\naction = \"reboot\"\n",
    );
    assert!(err.contains("`db-b` in the plan has no wave"), "{err}");
    let err = plan_error(
        "[[change]]\nservice = \"db-a\"\naction = \"reboot\"\nwave = 1\n[[change]]\nservice = \"db-a\"\naction = \"reboot\"\nwave = 2\n",
    );
    assert!(
        err.contains("put in two waves (wave 1 and wave 2)"),
        "{err}"
    );
}

#[test]
fn waves_without_changes_is_a_usage_error() {
    let (code, _, err) = run(&["waves", K8S]);
    assert_eq!(code, 2);
    assert!(err.contains("no changes to split"), "{err}");
    assert!(Path::new(K8S).exists());
}

#[test]
fn each_wave_says_what_else_can_fail_during_it() {
    let (code, out, err) = run(&[
        "waves",
        "topologies/web-stack.toml",
        "--reboot",
        "lb-us-1",
        "--reboot",
        "lb-us-2",
        "--today",
        "2023-06-08",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    let waves = doc["waves"].as_array().unwrap();
    assert_eq!(waves.len(), 2);
    for w in waves {
        // With one load balancer of the US pair down, the other is a single
        // point for the US site's users: only during the change.
        let e = w["exposure"].as_array().expect("each wave's exposure");
        let other = if named_in(w) == ["lb-us-1"] {
            "lb-us-2"
        } else {
            "lb-us-1"
        };
        let x = e
            .iter()
            .find(|x| x["service"] == other)
            .unwrap_or_else(|| panic!("{other} not exposed: {w}"));
        assert_eq!(x["before"], false);
        assert!(x["users"].as_f64().unwrap() > 0.0);
    }
    let (_, text, _) = run(&[
        "waves",
        "topologies/web-stack.toml",
        "--reboot",
        "lb-us-1",
        "--reboot",
        "lb-us-2",
        "--today",
        "2023-06-08",
    ]);
    assert!(text.contains("exposure: during this wave"), "{text}");
}
