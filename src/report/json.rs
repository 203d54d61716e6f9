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

/// The JSON document, pretty-printed, with a trailing newline.
pub fn json(topo: &Topology, r: &Review) -> String {
    let mut s = serde_json::to_string_pretty(&json_value(topo, r)).expect("JSON values serialise");
    s.push('\n');
    s
}
