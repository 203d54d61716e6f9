//! `check --format json`: the stable, versioned shape of DESIGN.md.

use crate::analysis::Status;
use crate::review::Review;
use crate::topology::{Node, Topology};
use serde_json::{Value, json as j};

/// The JSON document as a value.
pub fn json_value(topo: &Topology, r: &Review) -> Value {
    let a = &r.assessment;
    let changes: Vec<Value> = a
        .changes(topo)
        .map(|(n, act)| j!({"service": topo.id(n), "action": act.as_str()}))
        .collect();
    let mut services = Vec::new();
    let mut groups = Vec::new();
    for id in topo.node_ids() {
        let st = a.status(id);
        match topo.node(id) {
            Node::Service(s) => {
                if st == Status::Ok && a.action(id).is_none() {
                    continue;
                }
                let cause: Vec<&str> = a.chain(id).iter().map(|&n| topo.id(n)).collect();
                services.push(j!({
                    "id": s.id,
                    "status": st.as_str(),
                    "changed": a.action(id).is_some(),
                    "cause": cause,
                }));
            }
            Node::Group(g) => {
                if st == Status::Ok {
                    continue;
                }
                groups.push(j!({
                    "id": g.id,
                    "status": st.as_str(),
                    "up": a.up(topo, id),
                    "members": g.members.len(),
                    "min_up": g.min_up,
                }));
            }
        }
    }
    let findings: Vec<Value> = a
        .findings
        .iter()
        .map(|f| {
            let subjects: Vec<&str> = f.subjects.iter().map(|&n| topo.id(n)).collect();
            j!({
                "kind": f.kind.as_str(),
                "severity": f.severity.as_str(),
                "subjects": subjects,
                "message": f.message,
            })
        })
        .collect();
    let checklist: Vec<Value> = r
        .checklist
        .items
        .iter()
        .map(|i| {
            j!({
                "id": i.id,
                "phase": i.phase.as_str(),
                "text": i.text,
                "why": i.why,
                "owner": i.owner,
                "blocking": i.blocking,
                "done": i.done,
            })
        })
        .collect();
    j!({
        "version": 1,
        "topology": topo.name,
        "changes": changes,
        "risk": a.risk.as_str(),
        "users": {"down": a.users_down, "degraded": a.users_degraded},
        "services": services,
        "groups": groups,
        "findings": findings,
        "checklist": checklist,
        "alerts": r.alerts,
    })
}

/// The JSON document, pretty-printed, with a trailing newline: the same
/// text as [`json_value`]'s, written straight from the review (no tree of
/// values: a 100,000-service review has tens of thousands of objects).
/// Fields are in alphabetical order, as `serde_json` writes a `Value`.
pub fn json(topo: &Topology, r: &Review) -> String {
    let a = &r.assessment;
    let ids = |v: &[crate::topology::NodeId]| v.iter().map(|&n| topo.id(n)).collect::<Vec<_>>();
    let mut services = Vec::new();
    let mut groups = Vec::new();
    for id in topo.node_ids() {
        let st = a.status(id);
        match topo.node(id) {
            Node::Service(s) => {
                if st == Status::Ok && a.action(id).is_none() {
                    continue;
                }
                services.push(ServiceOut {
                    cause: ids(&a.chain(id)),
                    changed: a.action(id).is_some(),
                    id: &s.id,
                    status: st.as_str(),
                });
            }
            Node::Group(g) => {
                if st == Status::Ok {
                    continue;
                }
                groups.push(GroupOut {
                    id: &g.id,
                    members: g.members.len(),
                    min_up: g.min_up,
                    status: st.as_str(),
                    up: a.up(topo, id),
                });
            }
        }
    }
    let doc = Doc {
        alerts: Alerts {
            keep_loud: &r.alerts.keep_loud,
            silence: &r.alerts.silence,
        },
        changes: a
            .changes(topo)
            .map(|(n, act)| ChangeOut {
                action: act.as_str(),
                service: topo.id(n),
            })
            .collect(),
        checklist: r
            .checklist
            .items
            .iter()
            .map(|i| ItemOut {
                blocking: i.blocking,
                done: i.done,
                id: &i.id,
                owner: &i.owner,
                phase: i.phase.as_str(),
                text: &i.text,
                why: &i.why,
            })
            .collect(),
        findings: a
            .findings
            .iter()
            .map(|f| FindingOut {
                kind: f.kind.as_str(),
                message: &f.message,
                severity: f.severity.as_str(),
                subjects: ids(&f.subjects),
            })
            .collect(),
        groups,
        risk: a.risk.as_str(),
        services,
        topology: &topo.name,
        users: Users {
            degraded: a.users_degraded,
            down: a.users_down,
        },
        version: 1,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON serialises");
    s.push('\n');
    s
}

#[derive(serde::Serialize)]
struct Doc<'a> {
    alerts: Alerts<'a>,
    changes: Vec<ChangeOut<'a>>,
    checklist: Vec<ItemOut<'a>>,
    findings: Vec<FindingOut<'a>>,
    groups: Vec<GroupOut<'a>>,
    risk: &'a str,
    services: Vec<ServiceOut<'a>>,
    topology: &'a str,
    users: Users,
    version: u32,
}

#[derive(serde::Serialize)]
struct Alerts<'a> {
    keep_loud: &'a [String],
    silence: &'a [String],
}

#[derive(serde::Serialize)]
struct ChangeOut<'a> {
    action: &'a str,
    service: &'a str,
}

#[derive(serde::Serialize)]
struct ItemOut<'a> {
    blocking: bool,
    done: bool,
    id: &'a str,
    owner: &'a str,
    phase: &'a str,
    text: &'a str,
    why: &'a str,
}

#[derive(serde::Serialize)]
struct FindingOut<'a> {
    kind: &'a str,
    message: &'a str,
    severity: &'a str,
    subjects: Vec<&'a str>,
}

#[derive(serde::Serialize)]
struct GroupOut<'a> {
    id: &'a str,
    members: usize,
    min_up: usize,
    status: &'a str,
    up: usize,
}

#[derive(serde::Serialize)]
struct ServiceOut<'a> {
    cause: Vec<&'a str>,
    changed: bool,
    id: &'a str,
    status: &'a str,
}

#[derive(serde::Serialize)]
struct Users {
    degraded: f64,
    down: f64,
}

#[cfg(test)]
mod tests {
    #[test]
    fn direct_text_is_the_value_text() {
        let g = crate::testgen::generate(3000, 5);
        let topo = crate::topology::load("g.toml", &g.toml).unwrap();
        let mut plan = crate::plan::Plan::default();
        for c in &g.changes {
            plan.set_change(c, Some(crate::plan::Action::Reboot));
        }
        plan.done.push("rollback-plan".into());
        let changes = crate::plan::resolve(&topo, &plan.changes, None, "t").unwrap();
        let rules = crate::checklist::RuleSet::defaults();
        let today = crate::topology::Date::parse("2024-06-01").unwrap();
        let r = crate::review::Review::new(&topo, &plan, &changes, &rules, today);
        let mut by_value = serde_json::to_string_pretty(&super::json_value(&topo, &r)).unwrap();
        by_value.push('\n');
        assert_eq!(super::json(&topo, &r), by_value);
    }
}
