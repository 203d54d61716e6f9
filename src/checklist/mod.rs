//! The checklist and the alert plan of a change, generated from rules and
//! the assessment.

mod rules;

pub use rules::{Condition, DEFAULT_RULES, Phase, Rule, RuleSet, Scope};

use crate::analysis::{Assessment, Finding, Status};
use crate::plan::Action;
use crate::topology::{Edge, Node, NodeId, Topology};
use std::collections::{BTreeSet, HashSet};

/// One thing to do around the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Stable id: `rule` or `rule:subject`.
    pub id: String,
    pub phase: Phase,
    pub text: String,
    /// The finding or property that raised it.
    pub why: String,
    /// The team or on-call who does it.
    pub owner: String,
    /// Must be ticked before the plan reads "ready for approval".
    pub blocking: bool,
    pub done: bool,
}

/// The generated checklist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checklist {
    /// Items by phase, then rule order, then subject order.
    pub items: Vec<Item>,
}

impl Checklist {
    /// Every blocking item is ticked.
    pub fn ready(&self) -> bool {
        self.items.iter().all(|i| !i.blocking || i.done)
    }

    /// Blocking items not yet ticked.
    pub fn open_blocking(&self) -> usize {
        self.items.iter().filter(|i| i.blocking && !i.done).count()
    }

    /// Ticked items.
    pub fn done_count(&self) -> usize {
        self.items.iter().filter(|i| i.done).count()
    }
}

/// Which alerts may be silenced and which must stay loud.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AlertPlan {
    /// Services whose own alerts may be silenced, scoped to the window.
    pub silence: Vec<String>,
    /// Services whose alerts must reach on-call throughout.
    pub keep_loud: Vec<String>,
}

/// The alert plan: only the services rebooted or updated may be silenced,
/// and only if they are not entry points. Group peers of every changed
/// service, every service that ends down, degraded or at-risk, and every
/// entry point stay loud.
///
/// Two readings of DESIGN.md made here, both towards "loud": a what-if
/// `down` is not planned work, so its alerts are never silenced; and an entry
/// point stays loud even when it is itself rebooted, since users feel it.
pub fn alert_plan(topo: &Topology, a: &Assessment) -> AlertPlan {
    let n = topo.services().len();
    let mut silence = vec![false; n];
    let mut loud = vec![false; n];
    // Each group's members are marked once, however many of them change.
    let mut group_done = vec![false; topo.groups().len()];
    for (id, action) in a.changes(topo) {
        if action.is_planned() && topo.as_service(id).is_some_and(|s| s.users.is_none()) {
            silence[id.index()] = true;
        }
        for &g in topo.groups_of(id) {
            let gi = g.index() - n;
            if std::mem::replace(&mut group_done[gi], true) {
                continue;
            }
            if let Some(group) = topo.as_group(g) {
                for &m in &group.members {
                    loud[m.index()] = true;
                }
            }
        }
    }
    for (i, loud) in loud.iter_mut().enumerate() {
        if a.status(topo.service_id(i)) != Status::Ok {
            *loud = true;
        }
    }
    for &e in topo.entry_points() {
        loud[e.index()] = true;
    }
    // Only the services named are read: at 100,000 services a pass over
    // all of them costs more than the rest of the plan.
    let mut plan = AlertPlan::default();
    for i in 0..n {
        let id = topo.service_id(i);
        if silence[i] {
            plan.silence.push(topo.id(id).to_string());
        } else if loud[i] {
            plan.keep_loud.push(topo.id(id).to_string());
        }
    }
    plan
}

/// The services every plan on an estate keeps loud: those not `ok` before
/// any change and the entry points, in topology order, with their ids
/// written once. A plan only adds to them (a change never makes a service
/// better), so [`alert_plan_over`] builds a plan's lists from these rather
/// than reading the id of every loud service again: at a million services,
/// a hundred thousand ids read from all over the estate were a fifth of a
/// keystroke.
#[derive(Debug, Clone)]
pub(crate) struct StandingLoud {
    nodes: Vec<NodeId>,
    ids: Vec<String>,
}

impl StandingLoud {
    pub(crate) fn new(topo: &Topology, before: impl Fn(NodeId) -> Status) -> StandingLoud {
        let nodes: Vec<NodeId> = (0..topo.services().len())
            .map(|i| topo.service_id(i))
            .filter(|&id| {
                before(id) != Status::Ok || topo.as_service(id).is_some_and(|s| s.users.is_some())
            })
            .collect();
        let ids = nodes.iter().map(|&id| topo.id(id).to_string()).collect();
        StandingLoud { nodes, ids }
    }
}

/// [`alert_plan`] of an assessment made from the standing estate whose
/// loud services are `base`: the same lists.
///
/// # Complexity
/// O(services) over bytes of the assessment, plus the services the plan
/// silences or adds; the ids of `base` are copied, not looked up.
pub(crate) fn alert_plan_over(topo: &Topology, a: &Assessment, base: &StandingLoud) -> AlertPlan {
    let n = topo.services().len();
    let mut silence: Vec<NodeId> = Vec::new();
    let mut extra: Vec<NodeId> = Vec::new();
    let mut group_done = vec![false; topo.groups().len()];
    for (id, action) in a.changes(topo) {
        if action.is_planned() && topo.as_service(id).is_some_and(|s| s.users.is_none()) {
            silence.push(id);
        }
        for &g in topo.groups_of(id) {
            if std::mem::replace(&mut group_done[g.index() - n], true) {
                continue;
            }
            if let Some(group) = topo.as_group(g) {
                extra.extend(group.members.iter().copied());
            }
        }
    }
    for i in 0..n {
        let id = topo.service_id(i);
        if a.status(id) != Status::Ok && a.before(id) == Status::Ok {
            extra.push(id);
        }
    }
    extra.retain(|&m| m.index() < n);
    extra.sort_unstable();
    extra.dedup();
    silence.sort_unstable();
    silence.dedup();
    let silenced = |id: NodeId| silence.binary_search(&id).is_ok();
    let mut plan = AlertPlan {
        silence: silence.iter().map(|&id| topo.id(id).to_string()).collect(),
        keep_loud: Vec::with_capacity(base.nodes.len() + extra.len()),
    };
    // Both lists in topology order: merged, each service once.
    let (mut i, mut j) = (0, 0);
    while i < base.nodes.len() || j < extra.len() {
        let take_base = match (base.nodes.get(i), extra.get(j)) {
            (Some(b), Some(e)) => b <= e,
            (Some(_), None) => true,
            _ => false,
        };
        if take_base {
            let id = base.nodes[i];
            if extra.get(j) == Some(&id) {
                j += 1;
            }
            if !silenced(id) {
                plan.keep_loud.push(base.ids[i].clone());
            }
            i += 1;
        } else {
            let id = extra[j];
            if !silenced(id) {
                plan.keep_loud.push(topo.id(id).to_string());
            }
            j += 1;
        }
    }
    plan
}

/// Everything a template can say about one subject.
#[derive(Clone)]
struct Subject {
    key: Option<String>,
    vars: Vec<(&'static str, String)>,
}

/// Names listed in one checklist text at most: an item that names 14,000
/// services is read by nobody (the alert plan and the impact list have them
/// all), and building it made every keystroke in the TUI slower.
const MAX_NAMES: usize = 25;

/// A list of names for a template, cut to [`MAX_NAMES`] with a count of the
/// rest.
fn join<S: AsRef<str>>(v: impl IntoIterator<Item = S>) -> String {
    let mut out = String::new();
    let mut shown = 0usize;
    let mut more = 0usize;
    for s in v {
        if shown < MAX_NAMES {
            if shown > 0 {
                out.push_str(", ");
            }
            out.push_str(s.as_ref());
            shown += 1;
        } else {
            more += 1;
        }
    }
    if shown == 0 {
        return "(none)".to_string();
    }
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// [`join`] of a list of `total` names of which only the first
/// [`MAX_NAMES`] are read from `v`: the rest are counted, not walked.
fn join_first<S: AsRef<str>>(v: impl IntoIterator<Item = S>, total: usize) -> String {
    let shown: Vec<S> = v.into_iter().take(MAX_NAMES).collect();
    let mut out = join(&shown);
    let more = total.saturating_sub(shown.len());
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// The members of a set of groups that no change plans to take down
/// (sorted, once each), kept per set of groups: the sixty thousand
/// rebooted members of one group share one list instead of each sorting
/// the other forty thousand.
#[derive(Default)]
struct Peers<'t> {
    by_groups: std::collections::HashMap<&'t [NodeId], Vec<NodeId>>,
}

impl<'t> Peers<'t> {
    /// The services that stand in for `id` in its groups: members the plan
    /// does not change that stay up, `id` aside, in topology order.
    ///
    /// # Complexity
    /// O(members of `id`'s groups) the first time a set of groups is met,
    /// then O(log members + [`MAX_NAMES`]).
    fn of(&mut self, topo: &'t Topology, a: &Assessment, id: NodeId) -> String {
        let groups = topo.groups_of(id);
        let list = self.by_groups.entry(groups).or_insert_with(|| {
            let mut v: Vec<NodeId> = groups
                .iter()
                .filter_map(|&g| topo.as_group(g))
                .flat_map(|g| g.members.iter().copied())
                // Only members the plan leaves alone and that stay up: a
                // checklist never sends traffic to a member that is down.
                .filter(|&m| a.action(m).is_none() && a.status(m) != Status::Down)
                .collect();
            // Node order is id order (services are sorted by id).
            v.sort_unstable();
            v.dedup();
            v
        });
        let total = list.len() - usize::from(list.binary_search(&id).is_ok());
        join_first(
            list.iter().filter(|&&m| m != id).map(|&m| topo.id(m)),
            total,
        )
    }
}

fn team_of(topo: &Topology, id: NodeId) -> (String, String) {
    let svc = match topo.node(id) {
        Node::Service(s) => Some(s),
        Node::Group(g) => g.members.first().and_then(|&m| topo.as_service(m)),
    };
    match svc {
        Some(s) => (
            s.owner().to_string(),
            s.oncall.clone().unwrap_or_else(|| s.owner().to_string()),
        ),
        None => ("unowned".into(), "unowned".into()),
    }
}

/// Generates the checklist; items whose id is in `done` are ticked.
///
/// # Complexity
/// O(rules · subjects), linear in the size of the plan's impact.
pub fn generate(
    topo: &Topology,
    a: &Assessment,
    alerts: &AlertPlan,
    rules: &RuleSet,
    title: &str,
    window: &str,
    done: &[String],
) -> Checklist {
    let done: BTreeSet<&str> = done.iter().map(String::as_str).collect();
    let mut items = Vec::new();
    let has_changes = a.changes(topo).next().is_some();
    if !has_changes {
        return Checklist::default();
    }
    // The plan's own subject, built once: its lists can be long.
    let plan = Subject {
        key: None,
        vars: vec![
            ("title", title.to_string()),
            (
                "services",
                join(
                    a.changes(topo)
                        .map(|(n, act)| format!("{} [{}]", topo.id(n), act.as_str())),
                ),
            ),
            ("silence", join(&alerts.silence)),
            ("keep_loud", join(&alerts.keep_loud)),
            ("window", window.to_string()),
        ],
    };
    for rule in &rules.rules {
        for subj in subjects(topo, a, rule, &plan) {
            let lookup = |name: &str, out: &mut String| {
                if name == "topology" {
                    out.push_str(&topo.name);
                } else if let Some((_, v)) = subj.vars.iter().find(|(k, _)| *k == name) {
                    out.push_str(v);
                }
            };
            let id = match &subj.key {
                Some(k) => format!("{}:{k}", rule.id),
                None => rule.id.clone(),
            };
            items.push(Item {
                done: done.contains(id.as_str()),
                id,
                phase: rule.phase,
                text: rules::render(&rule.text, &lookup),
                why: rules::render(&rule.why, &lookup),
                owner: rules::render(&rule.owner, &lookup),
                blocking: rule.blocking,
            });
        }
    }
    // Stable: rule order is kept within a phase.
    items.sort_by_key(|i| i.phase);
    Checklist { items }
}

fn subjects(topo: &Topology, a: &Assessment, rule: &Rule, plan: &Subject) -> Vec<Subject> {
    let mut peers = Peers::default();
    let action_ok =
        |act: Action| act.is_planned() && (rule.actions.is_empty() || rule.actions.contains(&act));
    // Per group: a member the plan does not change ends up, who can take
    // the traffic. Worked out once per group a rule asks about, and only
    // for those (a planned service asks about each of its groups: 60,000
    // members of one group must not each scan it; and working it out for
    // every group of a million-service estate, for each rule that asks,
    // cost every key of the TUI a tenth of its time).
    let needs_peers = matches!(
        rule.condition,
        Some(Condition::PeerUp | Condition::AutomaticFailover)
    );
    // 0: not worked out yet, 1: no peer up, 2: a peer up.
    let up_peer: Vec<std::cell::Cell<u8>> = if needs_peers {
        vec![std::cell::Cell::new(0); topo.groups().len()]
    } else {
        Vec::new()
    };
    let peer_up = |(i, g): (usize, &crate::topology::Group)| match up_peer[i].get() {
        0 => {
            let up = g
                .members
                .iter()
                .any(|&m| a.action(m).is_none() && a.status(m) != Status::Down);
            up_peer[i].set(1 + u8::from(up));
            up
        }
        v => v == 2,
    };
    // The groups of `id` (itself, for a group), with their positions.
    let services = topo.services().len();
    let groups_of = |id: NodeId| -> Vec<(usize, &crate::topology::Group)> {
        match topo.as_group(id) {
            Some(g) => vec![(id.index() - services, g)],
            None => topo
                .groups_of(id)
                .iter()
                .filter_map(|&g| topo.as_group(g).map(|x| (g.index() - services, x)))
                .collect(),
        }
    };
    let condition_ok = |id: NodeId| match rule.condition {
        None => true,
        Some(Condition::InGroup) => !topo.groups_of(id).is_empty(),
        Some(Condition::NoGroup) => topo.groups_of(id).is_empty(),
        Some(Condition::HasDependents) => topo
            .dependents(id)
            .any(|(_, e)| matches!(e, Edge::Requires | Edge::Wants)),
        Some(Condition::PeerUp) => groups_of(id).into_iter().any(peer_up),
        Some(Condition::AutomaticFailover) => {
            let gs = groups_of(id);
            !gs.is_empty()
                && gs.iter().all(|&(i, g)| {
                    g.failover == crate::topology::Failover::Automatic && peer_up((i, g))
                })
        }
    };
    match rule.scope {
        Scope::Plan => vec![plan.clone()],
        Scope::PlannedService => a
            .changes(topo)
            .filter(|&(id, act)| a.is_planned(id) && action_ok(act) && condition_ok(id))
            .map(|(id, act)| service_subject(topo, a, &mut peers, id, act))
            .collect(),
        Scope::Volume => a
            .changes(topo)
            .filter(|&(id, act)| a.is_planned(id) && action_ok(act) && condition_ok(id))
            .flat_map(|(id, _)| {
                let s = topo.as_service(id).expect("changes are services");
                let (team, oncall) = team_of(topo, id);
                s.boot.volumes.iter().map(move |v| Subject {
                    key: Some(format!("{}:{}", s.id, v.path)),
                    vars: vec![
                        ("id", s.id.clone()),
                        ("path", v.path.clone()),
                        ("team", team.clone()),
                        ("oncall", oncall.clone()),
                        ("automount", v.automount.to_string()),
                    ],
                })
            })
            .collect(),
        Scope::ChangedGroup => {
            // The groups of the planned services, in topology order: the
            // only ones with a planned member.
            let mut groups: Vec<NodeId> = a
                .planned_nodes()
                .iter()
                .flat_map(|&p| topo.groups_of(p).iter().copied())
                .collect();
            groups.sort_unstable();
            groups.dedup();
            groups
                .into_iter()
                .filter_map(|gid| {
                    let g = topo.as_group(gid).expect("a group");
                    let changed: Vec<NodeId> = g
                        .members
                        .iter()
                        .copied()
                        .filter(|&m| a.is_planned(m))
                        .collect();
                    if changed.is_empty() || !condition_ok(gid) {
                        return None;
                    }
                    let (team, oncall) = team_of(topo, gid);
                    Some(Subject {
                        key: Some(g.id.clone()),
                        vars: vec![
                            ("id", g.id.clone()),
                            ("members", join(g.members.iter().map(|&m| topo.id(m)))),
                            ("changed", join(changed.iter().map(|&m| topo.id(m)))),
                            // Only peers that stay up: a checklist never asks
                            // to move traffic onto a member that is down.
                            (
                                "peers",
                                join(
                                    g.members
                                        .iter()
                                        .filter(|&&m| {
                                            a.action(m).is_none() && a.status(m) != Status::Down
                                        })
                                        .map(|&m| topo.id(m)),
                                ),
                            ),
                            ("min_up", g.min_up.to_string()),
                            ("team", team),
                            ("oncall", oncall),
                            ("failover", format!("{:?}", g.failover).to_lowercase()),
                            (
                                "mode",
                                match g.mode {
                                    crate::topology::Mode::ActivePassive => "active-passive".into(),
                                    crate::topology::Mode::ActiveActive => "active-active".into(),
                                },
                            ),
                        ],
                    })
                })
                .collect()
        }
        Scope::ImpactedTeam => {
            /// A team with something impacted, and what it is told.
            struct Team<'t> {
                name: &'t str,
                /// The first [`MAX_NAMES`] services, joined.
                services: String,
                named: usize,
                more: usize,
                oncall: Vec<&'t str>,
                /// The same, as a set: a team may have thousands.
                oncall_seen: HashSet<&'t str>,
            }
            // Teams in order of their first impacted service; `at` maps an
            // owner number to its place in `teams`.
            let mut teams: Vec<Team> = Vec::new();
            let mut at: Vec<Option<usize>> = vec![None; topo.owner_count()];
            for (i, s) in topo.services().iter().enumerate() {
                let id = topo.service_id(i);
                let (status, action) = (a.status(id), a.action(id));
                // What the plan touches: what it changes or makes worse.
                // What was already so is the standing estate's, not news
                // of this window.
                if action.is_none() && !a.hit(id) {
                    continue;
                }
                let slot = at[topo.owner_number(id)].get_or_insert_with(|| {
                    teams.push(Team {
                        name: s.owner(),
                        services: String::new(),
                        named: 0,
                        more: 0,
                        oncall: Vec::new(),
                        oncall_seen: HashSet::new(),
                    });
                    teams.len() - 1
                });
                let team = &mut teams[*slot];
                if team.named < MAX_NAMES {
                    if team.named > 0 {
                        team.services.push_str(", ");
                    }
                    team.services.push_str(&s.id);
                    match action {
                        Some(act) => {
                            team.services.push_str(" [");
                            team.services.push_str(act.as_str());
                            team.services.push(']');
                        }
                        None => {
                            team.services.push_str(" (");
                            team.services.push_str(status.as_str());
                            team.services.push(')');
                        }
                    }
                    team.named += 1;
                } else {
                    team.more += 1;
                }
                if let Some(o) = s.oncall.as_deref()
                    && team.oncall_seen.insert(o)
                {
                    team.oncall.push(o);
                }
            }
            teams
                .into_iter()
                .map(|mut t| {
                    if t.more > 0 {
                        t.services.push_str(&format!(" and {} more", t.more));
                    }
                    Subject {
                        key: Some(t.name.to_string()),
                        vars: vec![
                            (
                                "oncall",
                                if t.oncall.is_empty() {
                                    "no on-call on record".to_string()
                                } else {
                                    t.oncall.join(", ")
                                },
                            ),
                            ("team", t.name.to_string()),
                            ("services", t.services),
                        ],
                    }
                })
                .collect()
        }
        Scope::EntryPoint => topo
            .entry_points()
            .iter()
            .filter(|&&e| a.status(e) != Status::Ok && (a.hit(e) || a.action(e).is_some()))
            .filter_map(|&e| Some((e, topo.as_service(e)?)))
            .map(|(e, s)| {
                let (team, oncall) = team_of(topo, e);
                Subject {
                    key: Some(s.id.clone()),
                    vars: vec![
                        ("id", s.id.clone()),
                        ("name", s.name.clone()),
                        ("team", team),
                        ("oncall", oncall),
                        ("users", crate::text::percent(s.users.unwrap_or(0.0))),
                        ("status", a.status(e).as_str().to_string()),
                    ],
                }
            })
            .collect(),
        // The plan's own findings: what was already so before the change
        // is `validate`'s to report, not an item of this window.
        Scope::Finding(kind) => a
            .findings
            .iter()
            .filter(|f| f.kind == kind && f.new)
            .map(|f| finding_subject(topo, a, f))
            .collect(),
    }
}

fn service_subject<'t>(
    topo: &'t Topology,
    a: &Assessment,
    peers: &mut Peers<'t>,
    id: NodeId,
    act: Action,
) -> Subject {
    let s = topo.as_service(id).expect("changes are services");
    let (team, oncall) = team_of(topo, id);
    let mut dependents: Vec<String> = topo
        .dependents(id)
        .filter(|&(_, e)| e != Edge::Member)
        .map(|(n, _)| topo.id(n).to_string())
        .collect();
    dependents.sort();
    dependents.dedup();
    let groups = topo.groups_of(id);
    Subject {
        key: Some(s.id.clone()),
        vars: vec![
            ("id", s.id.clone()),
            ("name", s.name.clone()),
            ("kind", s.kind.clone().unwrap_or_else(|| "service".into())),
            ("team", team),
            ("oncall", oncall),
            ("action", act.as_str().to_string()),
            ("dependents", join(dependents)),
            ("groups", join(groups.iter().map(|&g| topo.id(g)))),
            ("peers", peers.of(topo, a, id)),
            (
                "probe",
                s.probe
                    .clone()
                    .unwrap_or_else(|| "no probe configured".into()),
            ),
            (
                "runbook",
                s.runbook.clone().unwrap_or_else(|| "no runbook".into()),
            ),
            (
                "minutes",
                s.boot
                    .minutes
                    .map_or_else(|| "unknown".into(), |m| m.to_string()),
            ),
        ],
    }
}

fn finding_subject(topo: &Topology, a: &Assessment, f: &Finding) -> Subject {
    let first = f.subjects[0];
    let (team, oncall) = team_of(topo, first);
    let ids: Vec<&str> = f.subjects.iter().map(|&n| topo.id(n)).collect();
    // Where the subject's trouble comes from: the rest of its cause chain,
    // and the starting cause at its end, tagged.
    let chain = a.chain(first);
    let glyphs = crate::words::Glyphs::ASCII;
    let cause = if chain.len() > 1 {
        crate::words::chain_text(topo, a, chain[1], glyphs)
    } else {
        crate::words::chain_text(topo, a, first, glyphs)
    };
    let root = match chain.last() {
        Some(&r) if a.chain_more(first) == 0 => format!(
            "{} {}",
            topo.id(r),
            a.origin(topo, r)
                .map(crate::words::origin_tag)
                .unwrap_or_default()
        )
        .trim_end()
        .to_string(),
        Some(&r) => topo.id(r).to_string(),
        None => topo.id(first).to_string(),
    };
    let lost = match topo.as_group(first) {
        Some(g) => {
            let up = a.up(topo, first);
            if g.min_up > 1 {
                format!(
                    "loses quorum ({up} of {} members up, needs {})",
                    g.members.len(),
                    g.min_up
                )
            } else {
                format!("loses every member ({up} of {} up)", g.members.len())
            }
        }
        None => format!("ends {}", a.status(first).as_str()),
    };
    Subject {
        key: Some(ids.join("+")),
        vars: vec![
            ("id", ids[0].to_string()),
            ("subjects", join(&ids)),
            ("others", join(&ids[1..])),
            ("message", f.message.clone()),
            ("team", team),
            ("oncall", oncall),
            ("severity", f.severity.as_str().to_string()),
            ("kind", f.kind.as_str().to_string()),
            ("cause", cause),
            ("root", root),
            ("lost", lost),
        ],
    }
}
