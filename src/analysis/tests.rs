//! The walk, findings and risk, case by case against DESIGN.md.

use super::*;
use crate::plan::Action::{self, Down, Reboot, Update};
use crate::topology::{Topology, load};

fn topo(body: &str) -> Topology {
    let text = format!("[topology]\nname = \"t\"\n\n{body}");
    load("t.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn run_at(t: &Topology, changes: &[(&str, Action)], date: &str) -> Assessment {
    let resolved: Vec<(NodeId, Action)> = changes
        .iter()
        .map(|&(id, a)| (t.lookup(id).unwrap_or_else(|| panic!("no {id}")), a))
        .collect();
    assess(t, &resolved, Date::parse(date).unwrap())
}

fn run(t: &Topology, changes: &[(&str, Action)]) -> Assessment {
    run_at(t, changes, "2023-06-08")
}

fn st(t: &Topology, a: &Assessment, id: &str) -> &'static str {
    a.status(t.lookup(id).unwrap()).as_str()
}

/// Findings as "kind:first-subject".
fn found(t: &Topology, a: &Assessment) -> Vec<String> {
    let mut v: Vec<String> = a
        .findings
        .iter()
        .map(|f| format!("{}:{}", f.kind.as_str(), t.id(f.subjects[0])))
        .collect();
    v.sort();
    v
}

fn chain(t: &Topology, a: &Assessment, id: &str) -> Vec<String> {
    a.chain(t.lookup(id).unwrap())
        .iter()
        .map(|&n| t.id(n).to_string())
        .collect()
}

const PAIR: &str = r#"
[services.a]
[services.b]
[services.web]
requires = ["pool"]
users = 0.5
[groups.pool]
members = ["a", "b"]
last_tested = 2023-06-01
"#;

// --- statuses -----------------------------------------------------------

#[test]
fn empty_plan_on_a_healthy_estate_is_low_risk_and_touches_nothing() {
    let t = topo(PAIR);
    let a = run(&t, &[]);
    assert!(a.impacted(&t).is_empty());
    assert!(a.findings.is_empty());
    assert_eq!(a.risk, Level::Low);
    assert_eq!((a.users.down, a.users.degraded), (0.0, 0.0));
}

#[test]
fn every_action_starts_the_service_down() {
    let t = topo("[services.x]\n[services.y]\n[services.z]\n");
    let a = run(&t, &[("x", Reboot), ("y", Update), ("z", Down)]);
    for id in ["x", "y", "z"] {
        assert_eq!(st(&t, &a, id), "down");
        assert_eq!(chain(&t, &a, id), vec![id]);
    }
}

#[test]
fn requires_passes_down_degraded_and_at_risk_unchanged() {
    let t = topo(
        r#"
[services.d1]
state = "down"
[services.g1]
state = "degraded"
[services.m1]
[services.m2]
[groups.spare]
members = ["m1", "m2"]
[services.need-down]
requires = ["d1"]
[services.need-degraded]
requires = ["g1"]
[services.need-at-risk]
requires = ["spare"]
"#,
    );
    let a = run(&t, &[("m1", Reboot)]);
    assert_eq!(st(&t, &a, "need-down"), "down");
    assert_eq!(st(&t, &a, "need-degraded"), "degraded");
    assert_eq!(st(&t, &a, "spare"), "at-risk");
    assert_eq!(st(&t, &a, "need-at-risk"), "at-risk");
}

#[test]
fn wants_degrades_on_down_or_degraded_and_ignores_at_risk() {
    let t = topo(
        r#"
[services.m1]
[services.m2]
[groups.spare]
members = ["m1", "m2"]
[services.gone]
[services.slow]
state = "degraded"
[services.w-down]
wants = ["gone"]
[services.w-degraded]
wants = ["slow"]
[services.w-at-risk]
wants = ["spare"]
"#,
    );
    let a = run(&t, &[("gone", Reboot), ("m1", Reboot)]);
    assert_eq!(st(&t, &a, "w-down"), "degraded");
    assert_eq!(st(&t, &a, "w-degraded"), "degraded");
    assert_eq!(st(&t, &a, "w-at-risk"), "ok");
}

#[test]
fn the_highest_rule_wins_and_state_is_a_floor() {
    let t = topo(
        r#"
[services.gone]
[services.slow]
state = "degraded"
[services.x]
state = "degraded"
requires = ["gone"]
wants = ["slow"]
[services.y]
state = "degraded"
"#,
    );
    let a = run(&t, &[("gone", Reboot)]);
    assert_eq!(st(&t, &a, "x"), "down");
    assert_eq!(chain(&t, &a, "x"), vec!["x", "gone"]);
    assert_eq!(st(&t, &a, "y"), "degraded");
    assert_eq!(chain(&t, &a, "y"), vec!["y"]);
}

#[test]
fn a_cycle_with_no_cause_stays_ok() {
    let t = topo(
        r#"
[services.a]
requires = ["b"]
[services.b]
requires = ["c"]
[services.c]
requires = ["a"]
wants = ["b"]
[services.other]
"#,
    );
    let a = run(&t, &[("other", Reboot)]);
    for id in ["a", "b", "c"] {
        assert_eq!(st(&t, &a, id), "ok");
    }
}

#[test]
fn a_cycle_with_a_cause_goes_down_and_terminates() {
    let t = topo(
        r#"
[services.a]
requires = ["b"]
[services.b]
requires = ["c"]
[services.c]
requires = ["a", "root"]
[services.root]
"#,
    );
    let a = run(&t, &[("root", Reboot)]);
    for id in ["a", "b", "c"] {
        assert_eq!(st(&t, &a, id), "down");
    }
    assert_eq!(chain(&t, &a, "a"), vec!["a", "b", "c", "root"]);
}

#[test]
fn cycle_through_a_group_terminates() {
    let t = topo(
        r#"
[services.a]
requires = ["ring"]
[services.b]
requires = ["a"]
[services.c]
requires = ["a"]
[groups.ring]
members = ["b", "c"]
"#,
    );
    let a = run(&t, &[("b", Reboot)]);
    // ring keeps c: at-risk; a requires ring: at-risk; c requires a: at-risk.
    assert_eq!(st(&t, &a, "ring"), "at-risk");
    assert_eq!(st(&t, &a, "a"), "at-risk");
    assert_eq!(st(&t, &a, "c"), "at-risk");
    // ...and c at-risk is still healthy, so the ring stays at-risk, not degraded.
    let a = run(&t, &[("b", Reboot), ("c", Down)]);
    assert_eq!(st(&t, &a, "ring"), "down");
    assert_eq!(st(&t, &a, "a"), "down");
}

// --- groups -------------------------------------------------------------

#[test]
fn group_rules_in_order() {
    let t = topo(
        r#"
[services.a]
[services.b]
[services.c]
[services.d]
state = "degraded"
[groups.q3]
members = ["a", "b", "c"]
min_up = 2
[groups.solo]
members = ["a"]
[groups.all]
members = ["a", "b"]
min_up = 2
[groups.deg]
members = ["c", "d"]
min_up = 2
"#,
    );
    let a = run(&t, &[]);
    assert_eq!(st(&t, &a, "q3"), "ok");
    assert_eq!(st(&t, &a, "solo"), "ok", "min_up == n is no spare to lose");
    assert_eq!(st(&t, &a, "all"), "ok");
    assert_eq!(st(&t, &a, "deg"), "degraded", "up 2 but healthy 1 < 2");

    let a = run(&t, &[("a", Reboot)]);
    assert_eq!(st(&t, &a, "q3"), "at-risk", "up 2 == min_up 2 < 3");
    assert_eq!(st(&t, &a, "solo"), "down");
    assert_eq!(st(&t, &a, "all"), "down");

    let a = run(&t, &[("a", Reboot), ("b", Reboot)]);
    assert_eq!(st(&t, &a, "q3"), "down", "up 1 < min_up 2");
}

#[test]
fn a_degraded_member_counts_as_up_but_not_healthy() {
    let t = topo(
        r#"
[services.a]
[services.b]
state = "degraded"
[groups.p]
members = ["a", "b"]
"#,
    );
    assert_eq!(st(&t, &run(&t, &[]), "p"), "ok");
    let a = run(&t, &[("a", Reboot)]);
    assert_eq!(st(&t, &a, "p"), "degraded", "up 1, healthy 0 < 1");
    // Both members explain it in one step; either is a shortest chain.
    let c = chain(&t, &a, "p");
    assert_eq!(c.len(), 2, "{c:?}");
}

#[test]
fn manual_active_passive_goes_down_when_its_active_member_does() {
    let body = |failover: &str, mode: &str| {
        format!(
            "[services.a]\n[services.b]\n[groups.p]\nmembers = [\"a\", \"b\"]\nmode = \"{mode}\"\nfailover = \"{failover}\"\n"
        )
    };
    let t = topo(&body("manual", "active-passive"));
    let a = run(&t, &[("a", Reboot)]);
    assert_eq!(st(&t, &a, "p"), "down");
    assert_eq!(chain(&t, &a, "p"), vec!["p", "a"]);
    assert!(found(&t, &a).contains(&"manual-failover:p".to_string()));
    assert!(!found(&t, &a).iter().any(|f| f.starts_with("quorum-lost")));
    // The passive member going down leaves the active one serving.
    let a = run(&t, &[("b", Reboot)]);
    assert_eq!(st(&t, &a, "p"), "at-risk");
    assert!(
        !found(&t, &a)
            .iter()
            .any(|f| f.starts_with("manual-failover"))
    );
    // Automatic failover, or active-active: the standby takes over.
    for (f, m) in [("automatic", "active-passive"), ("manual", "active-active")] {
        let t = topo(&body(f, m));
        let a = run(&t, &[("a", Reboot)]);
        assert_eq!(st(&t, &a, "p"), "at-risk", "{f} {m}");
        assert!(
            !found(&t, &a)
                .iter()
                .any(|x| x.starts_with("manual-failover"))
        );
    }
}

#[test]
fn manual_failover_also_fires_on_the_empty_plan_when_the_active_member_is_down() {
    let t = topo(
        "[services.a]\nstate = \"down\"\n[services.b]\n[groups.p]\nmembers = [\"a\", \"b\"]\nmode = \"active-passive\"\nfailover = \"manual\"\n",
    );
    let a = run(&t, &[]);
    assert_eq!(st(&t, &a, "p"), "down");
    assert_eq!(found(&t, &a), vec!["manual-failover:p"]);
    // Already so before the change: the empty plan adds nothing, and the
    // estate itself reads high.
    assert!(!a.findings[0].new);
    assert_eq!(a.risk, Level::Low);
    assert_eq!(a.risk_before, Level::High);
}

// --- findings -----------------------------------------------------------

#[test]
fn spof_needs_a_direct_requirer_and_no_group() {
    let t = topo(
        r#"
[services.db]
[services.app]
requires = ["db"]
[services.soft]
[services.likes]
wants = ["soft"]
"#,
    );
    let a = run(&t, &[("db", Down)]);
    assert_eq!(found(&t, &a), vec!["spof:db"]);
    let f = &a.findings[0];
    assert_eq!(f.severity, Level::High);
    assert_eq!(t.id(f.subjects[1]), "app");
    let a = run(&t, &[("soft", Reboot)]);
    assert!(found(&t, &a).is_empty(), "wants is not a hard need");
    let t = topo(PAIR);
    let a = run(&t, &[("a", Reboot)]);
    assert!(!found(&t, &a).iter().any(|f| f.starts_with("spof")));
}

#[test]
fn failover_unavailable_when_the_peer_is_already_down_by_state() {
    let t = topo(
        r#"
[services.a]
[services.b]
state = "down"
[services.c]
state = "degraded"
[groups.p]
members = ["a", "b"]
last_tested = 2023-06-01
[groups.wide]
members = ["a", "b", "c"]
last_tested = 2023-06-01
[groups.deg]
members = ["a", "c"]
last_tested = 2023-06-01
"#,
    );
    let a = run(&t, &[("a", Reboot)]);
    let f = found(&t, &a);
    assert!(f.contains(&"failover-unavailable:p".to_string()), "{f:?}");
    // wide: a down, b down, c degraded: up 1 (min 1), healthy 0 -> degraded.
    assert_eq!(st(&t, &a, "wide"), "degraded");
    assert!(f.contains(&"failover-unavailable:wide".to_string()));
    // deg: a down, c degraded -> degraded, c is degraded by state.
    assert!(f.contains(&"failover-unavailable:deg".to_string()));
    let fu = a
        .findings
        .iter()
        .find(|x| t.id(x.subjects[0]) == "p")
        .unwrap();
    assert_eq!(fu.severity, Level::Critical);
    assert_eq!(t.id(fu.subjects[1]), "b");
    // The named finding keeps quorum-lost from repeating it.
    assert!(!f.contains(&"quorum-lost:p".to_string()));
}

#[test]
fn failover_unavailable_needs_the_group_to_end_down_or_degraded() {
    let t = topo(
        r#"
[services.a]
[services.b]
state = "down"
[services.c]
[groups.p]
members = ["a", "b", "c"]
last_tested = 2023-06-01
"#,
    );
    let a = run(&t, &[("a", Reboot)]);
    assert_eq!(st(&t, &a, "p"), "at-risk");
    assert_eq!(found(&t, &a), vec!["no-spare:p"]);
}

#[test]
fn group_fully_changed_counts_planned_members_only() {
    let t = topo(
        r#"
[services.a]
[services.b]
[services.c]
[groups.q]
members = ["a", "b", "c"]
min_up = 2
last_tested = 2023-06-01
"#,
    );
    let a = run(&t, &[("a", Reboot), ("b", Update)]);
    let f = found(&t, &a);
    assert!(f.contains(&"group-fully-changed:q".to_string()), "{f:?}");
    assert!(!f.contains(&"quorum-lost:q".to_string()));
    // A what-if is not planned: quorum is lost, but not by the plan's design.
    let a = run(&t, &[("a", Reboot), ("b", Down)]);
    let f = found(&t, &a);
    assert!(!f.contains(&"group-fully-changed:q".to_string()));
    assert!(f.contains(&"quorum-lost:q".to_string()));
    // One planned member is within n - min_up = 1.
    let a = run(&t, &[("a", Reboot)]);
    assert_eq!(found(&t, &a), vec!["no-spare:q"]);
}

#[test]
fn quorum_lost_through_a_shared_host() {
    let t = topo(
        r#"
[services.host]
[services.vm1]
requires = ["host"]
[services.vm2]
requires = ["host"]
[groups.pair]
members = ["vm1", "vm2"]
last_tested = 2023-06-01
[groups.hosts]
members = ["host"]
"#,
    );
    let a = run(&t, &[("host", Reboot)]);
    assert_eq!(st(&t, &a, "pair"), "down");
    assert!(found(&t, &a).contains(&"quorum-lost:pair".to_string()));
    // A one-member group changed by the plan is named as fully changed.
    assert!(found(&t, &a).contains(&"group-fully-changed:hosts".to_string()));
    assert_eq!(a.risk, Level::Critical);
}

#[test]
fn failover_untested_by_age_policy_and_reference_date() {
    let t = topo(
        r#"
[services.a]
[services.b]
[services.c]
[services.d]
[groups.never]
members = ["a", "b"]
[groups.dated]
members = ["c", "d"]
last_tested = 2023-03-10
"#,
    );
    // 90 days exactly is not older than the policy.
    let a = run_at(&t, &[("a", Reboot), ("c", Down)], "2023-06-08");
    assert_eq!(
        found(&t, &a),
        vec![
            "failover-untested:never",
            "no-spare:dated",
            "no-spare:never"
        ]
    );
    let a = run_at(&t, &[("c", Down)], "2023-06-09");
    assert!(found(&t, &a).contains(&"failover-untested:dated".to_string()));
    // Only groups with a changed member are asked about.
    let a = run_at(&t, &[], "2030-01-01");
    assert!(found(&t, &a).is_empty());
    // A stricter policy.
    let strict = load(
        "t.toml",
        "[topology]\nname = \"t\"\nfailover_test_max_age_days = 30\n[services.c]\n[services.d]\n[groups.dated]\nmembers = [\"c\", \"d\"]\nlast_tested = 2023-05-01\n",
    )
    .unwrap();
    let a = run_at(&strict, &[("c", Reboot)], "2023-06-08");
    assert!(found(&strict, &a).contains(&"failover-untested:dated".to_string()));
}

#[test]
fn last_tested_in_the_future_counts_as_untested() {
    let t = topo(
        "[services.c]\n[services.d]\n[groups.dated]\nmembers = [\"c\", \"d\"]\nlast_tested = 2032-03-10\n",
    );
    let a = run_at(&t, &[("c", Reboot)], "2023-06-08");
    assert!(found(&t, &a).contains(&"failover-untested:dated".to_string()));
    let f = a
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::FailoverUntested)
        .unwrap();
    assert!(f.message.contains("has not happened yet"), "{}", f.message);
    // The day itself is not the future.
    let a = run_at(&t, &[("c", Reboot)], "2032-03-10");
    assert!(!found(&t, &a).contains(&"failover-untested:dated".to_string()));
}

#[test]
fn boot_findings_fire_for_planned_changes_not_what_ifs() {
    let t = topo(
        r#"
[services.db]
[services.db.boot]
autostart = false
volumes = [{ path = "/data", automount = false }, { path = "/logs" }]
"#,
    );
    let a = run(&t, &[("db", Reboot)]);
    assert_eq!(found(&t, &a), vec!["no-automount:db", "no-autostart:db"]);
    assert!(a.findings[0].message.contains("/data"));
    assert!(!a.findings[0].message.contains("/logs"));
    let a = run(&t, &[("db", Down)]);
    assert!(found(&t, &a).is_empty());
}

#[test]
fn unmonitored_only_when_explicitly_false_and_down_or_degraded() {
    let t = topo(
        r#"
[services.root]
[services.blind]
monitored = false
requires = ["root"]
[services.unknown]
requires = ["root"]
[services.blind-soft]
monitored = false
wants = ["root"]
[services.m1]
[services.m2]
[groups.g]
members = ["m1", "m2"]
last_tested = 2023-06-01
[services.blind-at-risk]
monitored = false
requires = ["g"]
"#,
    );
    let a = run(&t, &[("root", Reboot), ("m1", Reboot)]);
    let f = found(&t, &a);
    assert!(f.contains(&"unmonitored:blind".to_string()));
    assert!(f.contains(&"unmonitored:blind-soft".to_string()));
    assert!(!f.contains(&"unmonitored:unknown".to_string()));
    assert!(!f.contains(&"unmonitored:blind-at-risk".to_string()));
}

#[test]
fn recovery_path_lost_when_a_recovery_service_ends_down() {
    let t = topo(
        r#"
[services.vpn]
[services.bastion]
recovery = true
requires = ["vpn"]
"#,
    );
    let a = run(&t, &[("vpn", Update)]);
    assert!(found(&t, &a).contains(&"recovery-path-lost:bastion".to_string()));
    assert_eq!(a.risk, Level::Critical);
}

#[test]
fn common_failure_domain_when_the_survivors_share_a_zone() {
    let body = |zc: &str| {
        format!(
            "[services.a]\nzone = \"z1\"\n[services.b]\nzone = \"z2\"\n[services.c]\n{zc}\n[groups.g]\nmembers = [\"a\", \"b\", \"c\"]\nlast_tested = 2023-06-01\n"
        )
    };
    let t = topo(&body("zone = \"z2\""));
    let a = run(&t, &[("a", Reboot)]);
    assert_eq!(found(&t, &a), vec!["common-failure-domain:g"]);
    assert_eq!(a.risk, Level::Medium);
    let t = topo(&body("zone = \"z3\""));
    assert!(found(&t, &run(&t, &[("a", Reboot)])).is_empty());
    let t = topo(&body(""));
    assert!(
        found(&t, &run(&t, &[("a", Reboot)])).is_empty(),
        "unknown zone"
    );
    // No changed member: not asked.
    let t = topo(&body("zone = \"z2\""));
    assert!(found(&t, &run(&t, &[])).is_empty());
}

// --- users and risk -------------------------------------------------------

#[test]
fn users_sum_over_entry_points_down_and_degraded() {
    let t = topo(
        r#"
[services.root]
[services.e1]
users = 0.1
requires = ["root"]
[services.e2]
users = 0.2
requires = ["root"]
[services.e3]
users = 0.25
wants = ["root"]
[services.e4]
users = 0.4
"#,
    );
    let a = run(&t, &[("root", Reboot)]);
    assert_eq!(a.users.down, 0.3);
    assert_eq!(a.users.degraded, 0.25);
    assert_eq!(a.risk, Level::Critical);
}

#[test]
fn risk_levels_from_users_criticality_and_at_risk() {
    let t = topo(
        r#"
[services.root]
[services.soft]
users = 0.5
wants = ["root"]
"#,
    );
    assert_eq!(
        run(&t, &[("root", Down)]).risk,
        Level::High,
        "users degraded"
    );

    let t = topo(
        r#"
[services.root]
criticality = "critical"
[services.core]
criticality = "high"
requires = ["root"]
"#,
    );
    // root is changed (its own criticality does not count), but it has a
    // direct requirer and no group: spof (high) anyway.
    let a = run(&t, &[("root", Reboot)]);
    assert_eq!(a.risk, Level::High);
    // core changed alone: nothing requires it, nothing else goes down.
    let a = run(&t, &[("core", Reboot)]);
    assert!(a.findings.is_empty());
    assert_eq!(a.risk, Level::Low);

    let t = topo(
        r#"
[services.root]
[services.m1]
requires = ["root"]
[services.m2]
[groups.g]
members = ["m1", "m2"]
last_tested = 2023-06-01
[services.important]
criticality = "critical"
requires = ["m1"]
"#,
    );
    // root's spof is high; important (unchanged, critical) down is high too.
    let a = run(&t, &[("root", Down)]);
    assert_eq!(st(&t, &a, "important"), "down");
    assert_eq!(a.risk, Level::High);
    // at-risk alone is medium (no-spare is medium too).
    let a = run(&t, &[("m2", Reboot)]);
    assert_eq!(a.risk, Level::Medium);
}

#[test]
fn at_risk_service_without_findings_makes_medium() {
    let t = topo(
        r#"
[services.m1]
[services.m2]
[groups.g]
members = ["m1", "m2"]
[services.x]
requires = ["g"]
"#,
    );
    // State-down m1 on the empty plan: g at-risk and x at-risk; no-spare.
    let t2 = topo(
        r#"
[services.m1]
state = "down"
[services.m2]
[groups.g]
members = ["m1", "m2"]
[services.x]
requires = ["g"]
"#,
    );
    let a = run(&t2, &[]);
    assert_eq!(st(&t2, &a, "x"), "at-risk");
    assert_eq!(a.risk, Level::Low, "the empty plan is low");
    assert_eq!(a.risk_before, Level::Medium);
    assert_eq!(run(&t, &[]).risk_before, Level::Low);
    // Rebooting the last member left makes x worse: its own risk.
    let b = run(&t2, &[("m2", Reboot)]);
    assert!(b.hit(t2.lookup("x").unwrap()));
    assert!(b.risk >= Level::Medium);
}

// --- cause chains ---------------------------------------------------------

#[test]
fn chains_are_shortest_and_end_at_a_starting_cause() {
    let t = topo(
        r#"
[services.root]
[services.mid1]
requires = ["root"]
[services.mid2]
requires = ["mid1"]
[services.top]
requires = ["mid2", "root"]
"#,
    );
    let a = run(&t, &[("root", Reboot)]);
    assert_eq!(chain(&t, &a, "top"), vec!["top", "root"]);
    assert_eq!(chain(&t, &a, "mid2"), vec!["mid2", "mid1", "root"]);
    assert_eq!(
        a.origin(&t, t.lookup("root").unwrap()),
        Some(Origin::Changed(Reboot))
    );
}

#[test]
fn chains_follow_the_rule_that_set_the_status() {
    // site is down because the LB group is down, not degraded by metrics.
    let t = topo(
        r#"
[services.lb1]
[services.lb2]
state = "down"
[groups.edge]
members = ["lb1", "lb2"]
[services.metrics]
[services.site]
requires = ["edge"]
wants = ["metrics"]
"#,
    );
    let a = run(&t, &[("lb1", Reboot), ("metrics", Reboot)]);
    assert_eq!(chain(&t, &a, "site"), vec!["site", "edge", "lb1"]);
    assert_eq!(chain(&t, &a, "lb2"), vec!["lb2"]);
    assert_eq!(
        a.origin(&t, t.lookup("lb2").unwrap()),
        Some(Origin::State(crate::topology::State::Down))
    );
}

#[test]
fn ok_nodes_have_no_chain() {
    let t = topo(PAIR);
    let a = run(&t, &[]);
    assert!(a.chain(t.lookup("web").unwrap()).is_empty());
}

// --- the seed incident ----------------------------------------------------

#[test]
fn the_demo_reproduces_every_cause_of_the_seed_postmortem() {
    let t = load(crate::DEMO_NAME, crate::DEMO_TOPOLOGY).unwrap();
    let plan = crate::plan::Plan::parse("plan", crate::DEMO_PLAN).unwrap();
    let changes = crate::plan::resolve(&t, &plan.changes, None, "test").unwrap();
    let a = assess(
        &t,
        &crate::plan::pairs(&changes),
        plan.start_date().unwrap(),
    );
    let f = found(&t, &a);
    // The secondary was already offline.
    assert!(
        f.contains(&"failover-unavailable:edge-lb".to_string()),
        "{f:?}"
    );
    // The site could not reconnect to the secondary: manual and untested.
    assert!(f.contains(&"manual-failover:cache".to_string()));
    assert!(f.contains(&"failover-untested:cache".to_string()));
    assert!(f.contains(&"failover-untested:edge-lb".to_string()));
    // The data volume did not mount on boot.
    assert!(f.contains(&"no-automount:db-primary".to_string()));
    // About 30% of users.
    assert_eq!(a.users.down, 0.3);
    assert_eq!(a.risk, Level::Critical);
    assert_eq!(st(&t, &a, "site-eu"), "down");
    assert_eq!(st(&t, &a, "site-us"), "ok");
}

// --- the walk from the standing state -----------------------------------

/// The TUI walks each plan from the standing state (the fixpoint with no
/// change). That must give exactly the fixpoint walked from the starting
/// statuses alone, on estates with standing `down`/`degraded` services,
/// groups and cycles, for plans of every size.
#[test]
fn walking_from_the_standing_state_equals_walking_from_scratch() {
    let mut compared = 0;
    for seed in 1..=12 {
        let g = crate::testgen::generate(400, seed);
        let t = load("g.toml", &g.toml).unwrap();
        let standing = Standing::new(&t);
        assert_eq!(standing.status, walk::fixpoint(&t, &standing.start));
        let mut rng = crate::testgen::Rng::new(seed);
        for plan_size in [0, 1, 3, 10, 40] {
            let mut action = vec![None; t.node_count()];
            for _ in 0..plan_size {
                let i = rng.below(t.services().len());
                action[i] = Some(rng.pick(&[Reboot, Update, Down]));
            }
            let start = walk::with_changes(&standing.start, &action);
            let scratch = walk::fixpoint(&t, &start);
            let from_standing = walk::fixpoint_from(&t, &standing.status, &start);
            assert_eq!(from_standing, scratch, "seed {seed}, {plan_size} changes");
            compared += usize::from(scratch != standing.status);
        }
    }
    // The comparison means something only if plans moved statuses.
    assert!(compared > 30, "only {compared} plans changed anything");
}

/// Walking from a state below the fixpoint sought (here: every plan's
/// fixpoint reached from a smaller plan's) lands on the same fixpoint.
#[test]
fn walking_from_a_smaller_plan_equals_walking_from_scratch() {
    let g = crate::testgen::generate(1000, 7);
    let t = load("g.toml", &g.toml).unwrap();
    let standing = Standing::new(&t);
    let mut action = vec![None; t.node_count()];
    let mut status = standing.status.clone();
    for id in &g.changes {
        action[t.lookup(id).unwrap().index()] = Some(Reboot);
        let start = walk::with_changes(&standing.start, &action);
        status = walk::fixpoint_from(&t, &status, &start);
        assert_eq!(status, walk::fixpoint(&t, &start), "after {id}");
    }
    assert_ne!(status, standing.status);
}

#[test]
fn a_standing_state_of_another_topology_is_refused() {
    let small = topo(PAIR);
    let other = topo("[services.x]\n");
    let standing = Standing::new(&other);
    let r = std::panic::catch_unwind(|| {
        assess_from(
            &small,
            &standing,
            &[],
            &[],
            Date::parse("2023-06-08").unwrap(),
        )
    });
    assert!(r.is_err());
}

/// Among chains of equal length (both members of `app-eu` are down through
/// `db`; both members of `db` are changed), the breadth-first search takes
/// each node's dependencies in topology order: `app-eu-1` before
/// `app-eu-2`, `db-primary` before `db-replica`. docs/DECISIONS.md
/// documents this; a change of order changes what every report prints.
#[test]
fn equal_chains_are_broken_in_topology_order() {
    let t = load("demo", crate::DEMO_TOPOLOGY).unwrap();
    let a = run(&t, &[("db-replica", Update), ("db-primary", Down)]);
    assert_eq!(
        chain(&t, &a, "site-eu"),
        ["site-eu", "app-eu", "app-eu-1", "db", "db-primary"]
    );
    assert_eq!(
        chain(&t, &a, "site-us"),
        ["site-us", "app-us", "app-us-1", "db", "db-primary"]
    );
    assert_eq!(chain(&t, &a, "app-eu-2"), ["app-eu-2", "db", "db-primary"]);
}

// --- hosts and implied changes (DESIGN.md "Implied changes (hosts)") -----

const RACK: &str = r#"
[services.hv]
kind = "hypervisor"
[services.vm]
host = "hv"
[services.vm.boot]
volumes = [{ path = "/srv", automount = false }]
[services.pod]
host = "vm"
[services.pod.boot]
autostart = false
[services.app]
requires = ["pod"]
users = 0.4
[services.other]
"#;

fn via(t: &Topology, a: &Assessment, id: &str) -> Option<String> {
    a.via(t.lookup(id).unwrap()).map(|h| t.id(h).to_string())
}

fn action_of(t: &Topology, a: &Assessment, id: &str) -> Option<Action> {
    a.action(t.lookup(id).unwrap())
}

#[test]
fn a_reboot_of_a_host_reboots_its_guests_transitively() {
    let t = topo(RACK);
    for act in [Reboot, Update] {
        let a = run(&t, &[("hv", act)]);
        assert_eq!(action_of(&t, &a, "hv"), Some(act));
        // An update of the host is a reboot of what runs on it.
        assert_eq!(action_of(&t, &a, "vm"), Some(Reboot));
        assert_eq!(action_of(&t, &a, "pod"), Some(Reboot));
        assert_eq!(via(&t, &a, "vm").as_deref(), Some("hv"));
        // `via` names the direct host.
        assert_eq!(via(&t, &a, "pod").as_deref(), Some("vm"));
        assert_eq!(action_of(&t, &a, "other"), None);
        // Boot facts of the guests count: the seed's volume cause, found
        // through the hypervisor.
        let f = found(&t, &a);
        assert!(f.contains(&"no-automount:vm".to_string()), "{f:?}");
        assert!(f.contains(&"no-autostart:pod".to_string()), "{f:?}");
        // The chain of an implied change runs through its host.
        assert_eq!(chain(&t, &a, "pod"), ["pod", "vm", "hv"]);
        assert_eq!(chain(&t, &a, "app"), ["app", "pod", "vm", "hv"]);
        assert_eq!(
            a.origin(&t, t.lookup("hv").unwrap()),
            Some(Origin::Changed(act))
        );
        assert_eq!(a.users.added_down, 0.4);
    }
}

#[test]
fn a_what_if_down_of_a_host_is_a_down_of_its_guests_and_plans_nothing() {
    let t = topo(RACK);
    let a = run(&t, &[("hv", Down)]);
    assert_eq!(action_of(&t, &a, "vm"), Some(Down));
    assert_eq!(action_of(&t, &a, "pod"), Some(Down));
    assert!(!a.is_planned(t.lookup("vm").unwrap()));
    let f = found(&t, &a);
    assert!(!f.iter().any(|k| k.starts_with("no-automount")), "{f:?}");
}

#[test]
fn a_guest_named_by_the_plan_keeps_its_own_action_and_stays_planned() {
    let t = topo(RACK);
    // The vm is named `down` (what-if) while its host reboots: its action
    // is its own, but the reboot still reaches it, so its boot facts count.
    let a = run(&t, &[("hv", Reboot), ("vm", Down)]);
    assert_eq!(action_of(&t, &a, "vm"), Some(Down));
    assert_eq!(via(&t, &a, "vm"), None);
    assert!(a.is_planned(t.lookup("vm").unwrap()));
    assert!(found(&t, &a).contains(&"no-automount:vm".to_string()));
    // The pod takes the action of its nearest changed host: the vm's.
    assert_eq!(action_of(&t, &a, "pod"), Some(Down));
    assert_eq!(via(&t, &a, "pod").as_deref(), Some("vm"));
    assert!(a.is_planned(t.lookup("pod").unwrap()));
}

#[test]
fn a_host_down_by_state_takes_its_guests_down_in_the_walk() {
    let t = topo(&RACK.replace("kind = \"hypervisor\"", "state = \"down\""));
    let a = run(&t, &[]);
    assert_eq!(st(&t, &a, "pod"), "down");
    assert_eq!(chain(&t, &a, "app"), ["app", "pod", "vm", "hv"]);
    assert_eq!(
        a.risk,
        Level::Low,
        "already so: the empty plan adds nothing"
    );
    assert_eq!(a.risk_before, Level::Critical, "40% of users down already");
    assert_eq!(a.users.before_down, 0.4);
    assert_eq!(a.users.added_down, 0.0);
}

#[test]
fn a_group_whose_members_share_a_host_loses_quorum_through_it() {
    let t = topo(
        r#"
[services.hv]
[services.m1]
host = "hv"
[services.m2]
host = "hv"
[services.m3]
[groups.q]
members = ["m1", "m2", "m3"]
min_up = 2
"#,
    );
    let a = run(&t, &[("hv", Reboot)]);
    assert_eq!(st(&t, &a, "q"), "down");
    // Two planned members of three, needing two: the plan takes more than
    // the group can spare, and says so (rather than a bare quorum-lost).
    let f = found(&t, &a);
    assert!(f.contains(&"group-fully-changed:q".to_string()), "{f:?}");
    assert!(!f.contains(&"quorum-lost:q".to_string()), "{f:?}");
}

// --- before and after, hit, new (DESIGN.md "Before and after") ------------

#[test]
fn a_changed_service_is_hit_only_when_what_it_stands_on_got_worse() {
    let t = topo(
        r#"
[services.db]
[services.app]
requires = ["db"]
"#,
    );
    let app = t.lookup("app").unwrap();
    let db = t.lookup("db").unwrap();
    let a = run(&t, &[("app", Reboot)]);
    assert!(!a.hit(app), "being changed is not being hit");
    let b = run(&t, &[("app", Reboot), ("db", Reboot)]);
    assert!(b.hit(app), "its requirement went down");
    assert!(!b.hit(db));
}

#[test]
fn what_was_already_down_is_neither_hit_nor_new() {
    let t = topo(
        r#"
[services.a]
state = "down"
monitored = false
recovery = true
[services.b]
[services.c]
[groups.g]
members = ["b", "c"]
[services.x]
requires = ["a"]
"#,
    );
    let a = run(&t, &[("b", Reboot)]);
    let x = t.lookup("x").unwrap();
    assert_eq!(st(&t, &a, "x"), "down");
    assert!(!a.hit(x));
    let old: Vec<String> = a
        .findings
        .iter()
        .filter(|f| !f.new)
        .map(|f| format!("{}:{}", f.kind.as_str(), t.id(f.subjects[0])))
        .collect();
    assert_eq!(old, ["recovery-path-lost:a", "unmonitored:a"]);
    // The plan's own: g loses its spare.
    let new: Vec<String> = a
        .new_findings()
        .map(|f| format!("{}:{}", f.kind.as_str(), t.id(f.subjects[0])))
        .collect();
    assert!(new.contains(&"no-spare:g".to_string()), "{new:?}");
    assert_eq!(a.risk, Level::Medium, "{:?}", a.risk_reasons);
    assert_eq!(
        a.risk_before,
        Level::Critical,
        "{:?}",
        a.risk_before_reasons
    );
}

#[test]
fn a_standing_finding_is_new_again_when_the_plan_changes_or_hits_its_subject() {
    let t = topo(
        r#"
[services.a]
state = "down"
[services.b]
[services.c]
[groups.g]
members = ["a", "b", "c"]
min_up = 1
"#,
    );
    // Standing: g has 2 of 3 up: ok. Rebooting b leaves one: at-risk.
    let a = run(&t, &[("b", Reboot)]);
    let g = t.lookup("g").unwrap();
    assert!(a.hit(g));
    assert!(
        a.findings
            .iter()
            .any(|f| f.kind == FindingKind::NoSpare && f.new)
    );
    // A group already without a spare, and a plan that touches it: new.
    let t2 = topo(
        r#"
[services.a]
state = "down"
[services.b]
[groups.g]
members = ["a", "b"]
[services.z]
"#,
    );
    let untouched = run(&t2, &[("z", Reboot)]);
    assert!(
        untouched
            .findings
            .iter()
            .all(|f| f.kind != FindingKind::NoSpare || !f.new)
    );
    let touched = run(&t2, &[("a", Reboot)]);
    assert!(
        touched
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::NoSpare && f.new),
        "a changed member makes the group's finding the plan's own"
    );
}

#[test]
fn users_before_and_added_are_measured_against_the_standing_estate() {
    let t = topo(
        r#"
[services.eu]
users = 0.3
state = "degraded"
[services.us]
users = 0.5
requires = ["api"]
[services.asia]
users = 0.2
wants = ["api"]
[services.api]
"#,
    );
    let a = run(&t, &[("api", Reboot), ("eu", Reboot)]);
    assert_eq!((a.users.down, a.users.degraded), (0.8, 0.2));
    assert_eq!((a.users.before_down, a.users.before_degraded), (0.0, 0.3));
    // eu went from degraded to down: added down. asia from ok to degraded.
    assert_eq!(a.users.added_down, 0.8);
    assert_eq!(a.users.added_degraded, 0.2);
    assert_eq!(a.risk, Level::Critical);
}

#[test]
fn a_critical_service_hit_and_down_is_high_even_without_users() {
    let t = topo(
        r#"
[services.db]
[services.billing]
criticality = "critical"
requires = ["db"]
[groups.g]
members = ["db"]
"#,
    );
    // db is in a (one-member) group, so no spof: the high comes from
    // billing, hit and down.
    let a = run(&t, &[("db", Down)]);
    assert!(a.hit(t.lookup("billing").unwrap()));
    assert_eq!(a.risk, Level::Critical, "{:?}", a.risk_reasons);
    assert!(
        a.risk_reasons
            .iter()
            .any(|(l, why)| *l == Level::High && why.contains("billing (critical)"))
    );
}

#[test]
fn hit_alone_is_medium() {
    let t = topo(PAIR);
    let a = run(&t, &[("a", Reboot)]);
    // web loses its spare: at-risk, hit, no users down or degraded.
    assert!(a.hit(t.lookup("web").unwrap()));
    assert_eq!(a.risk, Level::Medium);
    assert_eq!(a.risk_before, Level::Low);
}

#[test]
fn a_cycle_with_no_cause_stays_ok_and_a_cycle_with_one_goes_down() {
    let t = topo(
        r#"
[services.a]
requires = ["b"]
[services.b]
requires = ["a"]
[services.c]
"#,
    );
    let a = run(&t, &[("c", Reboot)]);
    assert_eq!((st(&t, &a, "a"), st(&t, &a, "b")), ("ok", "ok"));
    let b = run(&t, &[("a", Reboot)]);
    assert_eq!(st(&t, &b, "b"), "down");
    assert!(b.hit(t.lookup("a").unwrap()), "its requirement b went down");
}

#[test]
fn a_manual_failover_is_down_through_the_active_member_only() {
    let t = topo(
        r#"
[services.p]
[services.s]
[groups.g]
members = ["p", "s"]
mode = "active-passive"
failover = "manual"
[services.app]
requires = ["g"]
"#,
    );
    let passive = run(&t, &[("s", Reboot)]);
    assert_eq!(st(&t, &passive, "g"), "at-risk");
    let active = run(&t, &[("p", Reboot)]);
    assert_eq!(st(&t, &active, "g"), "down");
    assert_eq!(chain(&t, &active, "app"), ["app", "g", "p"]);
    assert!(found(&t, &active).contains(&"manual-failover:g".to_string()));
}

#[test]
fn chains_over_64_steps_are_cut_and_counted() {
    let mut body = String::new();
    for i in 0..100 {
        body.push_str(&format!("[services.s{i:03}]\n"));
        if i > 0 {
            body.push_str(&format!("requires = [\"s{:03}\"]\n", i - 1));
        }
    }
    let t = topo(&body);
    let a = run(&t, &[("s000", Reboot)]);
    let last = t.lookup("s099").unwrap();
    assert_eq!(a.chain(last).len(), 1 + MAX_CHAIN);
    assert_eq!(a.chain_more(last), 99 - MAX_CHAIN);
    let near = t.lookup("s010").unwrap();
    assert_eq!(a.chain(near).len(), 11);
    assert_eq!(a.chain_more(near), 0);
}
