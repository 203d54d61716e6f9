//! `check --format json`: the stable, versioned shape of DESIGN.md.

use crate::analysis::Status;
use crate::review::Review;
use crate::topology::{Node, Topology};

/// The JSON document, pretty-printed, with a trailing newline, written
/// straight from the review (no tree of values: a 100,000-service review
/// has tens of thousands of objects). Fields come in DESIGN.md's order.
pub fn json(topo: &Topology, r: &Review) -> String {
    json_with_waves(topo, r, &[])
}

/// [`json`], with a `"waves"` array when the plan has waves: each wave's
/// number, changes, risk and users (the rest of the document is the whole
/// plan's).
pub fn json_with_waves(
    topo: &Topology,
    r: &Review,
    waves: &[crate::wave_review::WaveReview],
) -> String {
    let a = &r.assessment;
    let ids = |v: &[crate::topology::NodeId]| v.iter().map(|&n| topo.id(n)).collect::<Vec<_>>();
    let mut services = Vec::new();
    let mut groups = Vec::new();
    for id in topo.node_ids() {
        let st = a.status(id);
        let before = a.before(id);
        match topo.node(id) {
            Node::Service(s) => {
                if st == Status::Ok && before == Status::Ok && a.action(id).is_none() {
                    continue;
                }
                let more = a.chain_more(id);
                services.push(ServiceOut {
                    id: &s.id,
                    status: st.as_str(),
                    before: before.as_str(),
                    hit: a.hit(id),
                    changed: a.action(id).is_some(),
                    cause: ids(&a.chain(id)),
                    cause_more: (more > 0).then_some(more),
                });
            }
            Node::Group(g) => {
                if st == Status::Ok && before == Status::Ok {
                    continue;
                }
                groups.push(GroupOut {
                    id: &g.id,
                    status: st.as_str(),
                    before: before.as_str(),
                    hit: a.hit(id),
                    up: a.up(topo, id),
                    members: g.members.len(),
                    min_up: g.min_up,
                });
            }
        }
    }
    let doc = Doc {
        version: 2,
        topology: &topo.name,
        changes: changes_out(topo, r),
        risk: a.risk.as_str(),
        risk_before: a.risk_before.as_str(),
        ready: r.ready(),
        users: users_out(a),
        services,
        groups,
        findings: findings_out(topo, a, false),
        checklist: r
            .checklist
            .items
            .iter()
            .map(|i| ItemOut {
                id: &i.id,
                phase: i.phase.as_str(),
                text: &i.text,
                why: &i.why,
                owner: &i.owner,
                blocking: i.blocking,
                done: i.done,
            })
            .collect(),
        alerts: Alerts {
            silence: &r.alerts.silence,
            keep_loud: &r.alerts.keep_loud,
        },
        accepted: r
            .accepted
            .iter()
            .map(|x| AcceptOut {
                risk: x.risk.as_str(),
                who: &x.who,
                why: &x.why,
                at: x.at.map(|t| t.to_string()),
            })
            .collect(),
        exposure: exposure_out(topo, r),
        waves: (!waves.is_empty()).then(|| {
            waves
                .iter()
                .map(|w| WaveOut {
                    wave: w.wave,
                    changes: changes_out(topo, &w.review),
                    risk: w.review.assessment.risk.as_str(),
                    users: users_out(&w.review.assessment),
                    findings: None,
                    gate: None,
                    exposure: None,
                })
                .collect()
        }),
        live: r.live.as_ref().map(|l| LiveOut {
            at: crate::text::rfc3339(l.at),
            sources: &l.sources,
            partial: l.partial,
            errors: &l.errors,
            ignored: l.ignored,
        }),
        observed: r.live.as_ref().map(|l| {
            l.observed
                .iter()
                .map(|o| ObservedOut {
                    service: topo.id(o.service),
                    state: state_word(o.state),
                    source: o.source.as_str(),
                    detail: &o.detail,
                    at: crate::text::rfc3339(o.at),
                })
                .collect()
        }),
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
    risk_before: &'a str,
    ready: bool,
    users: UsersOut,
    services: Vec<ServiceOut<'a>>,
    groups: Vec<GroupOut<'a>>,
    findings: Vec<FindingOut<'a>>,
    checklist: Vec<ItemOut<'a>>,
    alerts: Alerts<'a>,
    accepted: Vec<AcceptOut<'a>>,
    /// With `--exposure` only (DESIGN.md: after `accepted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    exposure: Option<Vec<ExposedOut<'a>>>,
    /// A plan with waves: each wave assessed alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    waves: Option<Vec<WaveOut<'a>>>,
    /// With `--live` only: when, from where, and whether all of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    live: Option<LiveOut<'a>>,
    /// With `--live` only: every observation, `up` ones included.
    #[serde(skip_serializing_if = "Option::is_none")]
    observed: Option<Vec<ObservedOut<'a>>>,
}

#[derive(serde::Serialize)]
struct LiveOut<'a> {
    at: String,
    sources: &'a [String],
    partial: bool,
    errors: &'a [String],
    /// Series and alerts for ids not in the topology.
    ignored: usize,
}

#[derive(serde::Serialize)]
struct ObservedOut<'a> {
    service: &'a str,
    state: &'static str,
    source: &'static str,
    detail: &'a str,
    at: String,
}

#[derive(serde::Serialize)]
pub(super) struct ExposedOut<'a> {
    service: &'a str,
    users: f64,
    before: bool,
}

/// One wave: in `check`'s `"waves"` (number, changes, risk, users) and in
/// `waves --format json` (with its findings and gate too).
#[derive(serde::Serialize)]
pub(super) struct WaveOut<'a> {
    pub wave: u32,
    pub changes: Vec<ChangeOut<'a>>,
    pub risk: &'a str,
    pub users: UsersOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<FindingOut<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<Vec<super::waves::GateOut<'a>>>,
    /// `waves` only: what else can fail during this wave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<Vec<ExposedOut<'a>>>,
}

/// The changes of a review, implied ones included, as DESIGN.md shows them.
pub(super) fn changes_out<'a>(topo: &'a Topology, r: &'a Review) -> Vec<ChangeOut<'a>> {
    let a = &r.assessment;
    // The selector that named each change, by service.
    let selector_of = |n: crate::topology::NodeId| {
        r.named
            .binary_search_by_key(&n, |c| c.service)
            .ok()
            .and_then(|i| r.named[i].selector.as_deref())
    };
    a.changes(topo)
        .map(|(n, act)| ChangeOut {
            service: topo.id(n),
            action: act.as_str(),
            via: a.via(n).map(|h| topo.id(h)),
            selector: if a.via(n).is_none() {
                selector_of(n)
            } else {
                None
            },
        })
        .collect()
}

pub(super) fn users_out(a: &crate::analysis::Assessment) -> UsersOut {
    UsersOut {
        down: a.users.down,
        degraded: a.users.degraded,
        before: Pair {
            down: a.users.before_down,
            degraded: a.users.before_degraded,
        },
        added: Pair {
            down: a.users.added_down,
            degraded: a.users.added_degraded,
        },
    }
}

/// Findings as JSON; `only_new` keeps the plan's own.
pub(super) fn findings_out<'a>(
    topo: &'a Topology,
    a: &'a crate::analysis::Assessment,
    only_new: bool,
) -> Vec<FindingOut<'a>> {
    a.findings
        .iter()
        .filter(|f| f.new || !only_new)
        .map(|f| FindingOut {
            kind: f.kind.as_str(),
            severity: f.severity.as_str(),
            new: f.new,
            subjects: f.subjects.iter().map(|&n| topo.id(n)).collect(),
            message: &f.message,
        })
        .collect()
}

#[derive(serde::Serialize)]
struct AcceptOut<'a> {
    risk: &'a str,
    who: &'a str,
    why: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<String>,
}

#[derive(serde::Serialize)]
struct Alerts<'a> {
    silence: &'a [String],
    keep_loud: &'a [String],
}

#[derive(serde::Serialize)]
pub(super) struct ChangeOut<'a> {
    service: &'a str,
    action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    selector: Option<&'a str>,
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
pub(super) struct FindingOut<'a> {
    kind: &'a str,
    severity: &'a str,
    new: bool,
    subjects: Vec<&'a str>,
    message: &'a str,
}

#[derive(serde::Serialize)]
struct GroupOut<'a> {
    id: &'a str,
    status: &'a str,
    before: &'a str,
    hit: bool,
    up: usize,
    members: usize,
    min_up: usize,
}

#[derive(serde::Serialize)]
struct ServiceOut<'a> {
    id: &'a str,
    status: &'a str,
    before: &'a str,
    hit: bool,
    changed: bool,
    cause: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause_more: Option<usize>,
}

#[derive(serde::Serialize)]
pub(super) struct UsersOut {
    down: f64,
    degraded: f64,
    before: Pair,
    added: Pair,
}

#[derive(serde::Serialize)]
pub(super) struct Pair {
    down: f64,
    degraded: f64,
}

/// The word of a service state, as the topology file writes it.
fn state_word(s: crate::topology::State) -> &'static str {
    match s {
        crate::topology::State::Up => "up",
        crate::topology::State::Degraded => "degraded",
        crate::topology::State::Down => "down",
    }
}

/// The exposure of a review as its JSON entries, when it was computed.
pub(super) fn exposure_out<'a>(topo: &'a Topology, r: &'a Review) -> Option<Vec<ExposedOut<'a>>> {
    r.exposure.as_ref().map(|e| {
        e.entries
            .iter()
            .map(|x| ExposedOut {
                service: topo.id(x.service),
                users: x.users,
                before: x.before,
            })
            .collect()
    })
}
