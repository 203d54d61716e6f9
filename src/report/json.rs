//! `check --format json`: the stable, versioned shape of DESIGN.md.

use crate::analysis::Status;
use crate::review::Review;
use crate::topology::{Node, Topology};

/// The JSON document, pretty-printed, with a trailing newline, written
/// straight from the review (no tree of values: a 100,000-service review
/// has tens of thousands of objects). Fields come in DESIGN.md's order.
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
    let mut s = super::jsonfmt::to_string_pretty(&doc);
    s.push('\n');
    s
}

#[derive(serde::Serialize)]
struct Doc<'a> {
    version: u32,
    topology: &'a str,
    changes: Vec<ChangeOut<'a>>,
    risk: &'a str,
    users: Users,
    services: Vec<ServiceOut<'a>>,
    groups: Vec<GroupOut<'a>>,
    findings: Vec<FindingOut<'a>>,
    checklist: Vec<ItemOut<'a>>,
    alerts: Alerts<'a>,
}

#[derive(serde::Serialize)]
struct Alerts<'a> {
    silence: &'a [String],
    keep_loud: &'a [String],
}

#[derive(serde::Serialize)]
struct ChangeOut<'a> {
    service: &'a str,
    action: &'a str,
}

#[derive(serde::Serialize)]
struct ItemOut<'a> {
    id: &'a str,
    phase: &'a str,
    text: &'a str,
    why: &'a str,
    owner: &'a str,
    blocking: bool,
    done: bool,
}

#[derive(serde::Serialize)]
struct FindingOut<'a> {
    kind: &'a str,
    severity: &'a str,
    subjects: Vec<&'a str>,
    message: &'a str,
}

#[derive(serde::Serialize)]
struct GroupOut<'a> {
    id: &'a str,
    status: &'a str,
    up: usize,
    members: usize,
    min_up: usize,
}

#[derive(serde::Serialize)]
struct ServiceOut<'a> {
    id: &'a str,
    status: &'a str,
    changed: bool,
    cause: Vec<&'a str>,
}

#[derive(serde::Serialize)]
struct Users {
    down: f64,
    degraded: f64,
}
