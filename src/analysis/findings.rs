//! Findings: every place where redundancy will not save the change, and the
//! properties of changed services that turn a reboot into an outage.
//! DESIGN.md's findings table is the specification; each function below is
//! one row of it.

use super::{Assessment, Level, Status};
use crate::plan::Action;
use crate::topology::{Edge, Failover, Group, Mode, NodeId, State, Topology};

/// The stable kinds of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    Spof,
    FailoverUnavailable,
    GroupFullyChanged,
    QuorumLost,
    NoSpare,
    ManualFailover,
    FailoverUntested,
    NoAutomount,
    NoAutostart,
    Unmonitored,
    RecoveryPathLost,
    CommonFailureDomain,
    /// With live state: an active Alertmanager silence mutes a service the
    /// alert plan keeps loud.
    SilencedMustStayLoud,
}

impl FindingKind {
    /// Every kind, in the order of DESIGN.md's table.
    pub const ALL: [FindingKind; 13] = [
        FindingKind::Spof,
        FindingKind::FailoverUnavailable,
        FindingKind::GroupFullyChanged,
        FindingKind::QuorumLost,
        FindingKind::NoSpare,
        FindingKind::ManualFailover,
        FindingKind::FailoverUntested,
        FindingKind::NoAutomount,
        FindingKind::NoAutostart,
        FindingKind::Unmonitored,
        FindingKind::RecoveryPathLost,
        FindingKind::CommonFailureDomain,
        FindingKind::SilencedMustStayLoud,
    ];

    /// The stable name used in JSON and rules.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Spof => "spof",
            FindingKind::FailoverUnavailable => "failover-unavailable",
            FindingKind::GroupFullyChanged => "group-fully-changed",
            FindingKind::QuorumLost => "quorum-lost",
            FindingKind::NoSpare => "no-spare",
            FindingKind::ManualFailover => "manual-failover",
            FindingKind::FailoverUntested => "failover-untested",
            FindingKind::NoAutomount => "no-automount",
            FindingKind::NoAutostart => "no-autostart",
            FindingKind::Unmonitored => "unmonitored",
            FindingKind::RecoveryPathLost => "recovery-path-lost",
            FindingKind::CommonFailureDomain => "common-failure-domain",
            FindingKind::SilencedMustStayLoud => "silenced-must-stay-loud",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<FindingKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The fixed severity of the kind.
    pub fn severity(self) -> Level {
        use FindingKind::*;
        match self {
            FailoverUnavailable | GroupFullyChanged | QuorumLost | RecoveryPathLost => {
                Level::Critical
            }
            Spof | ManualFailover | NoAutomount | NoAutostart | Unmonitored
            | SilencedMustStayLoud => Level::High,
            NoSpare | FailoverUntested | CommonFailureDomain => Level::Medium,
        }
    }
}

/// One finding: a kind, its severity, what it is about, and a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Level,
    /// The main service or group first, then the others it names.
    pub subjects: Vec<NodeId>,
    pub message: String,
    /// The plan raised it: the standing estate does not raise it, or its
    /// first subject is changed or made worse by the plan.
    pub new: bool,
}

fn finding(kind: FindingKind, subjects: Vec<NodeId>, message: String) -> Finding {
    Finding {
        kind,
        severity: kind.severity(),
        subjects,
        message,
        new: true,
    }
}

/// How a changed service is tagged in messages: `[reboot]`, or
/// `[reboot via hv-01]` for a change implied by its host.
fn tag(topo: &Topology, a: &Assessment, id: NodeId, act: Action) -> String {
    match a.via(id) {
        Some(h) => format!("[{} via {}]", act.as_str(), topo.id(h)),
        None => format!("[{}]", act.as_str()),
    }
}

fn list(topo: &Topology, ids: &[NodeId]) -> String {
    ids.iter()
        .map(|&i| format!("`{}`", topo.id(i)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every finding of the assessment, most severe first, then by kind in the
/// table's order, then by topology order of the first subject.
pub(super) fn find(topo: &Topology, a: &Assessment) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, _) in topo.services().iter().enumerate() {
        service_findings(topo, a, topo.service_id(i), &mut out);
    }
    // The groups with a changed member: with those that do not end ok,
    // the only ones with findings. Every group finding is of a group that
    // ends down, degraded or at risk (one below quorum, or whose manual
    // active member is down, ends down), or of one with a changed member:
    // the others are passed without a vector or a count.
    let services = topo.services().len();
    let mut touched = vec![false; topo.groups().len()];
    for (id, _) in a.changes(topo) {
        for &g in topo.groups_of(id) {
            touched[g.index() - services] = true;
        }
    }
    for (i, g) in topo.groups().iter().enumerate() {
        let gid = topo.group_id(i);
        if touched[i] || a.status(gid) != Status::Ok {
            group_findings(topo, a, gid, g, &mut out);
        } else {
            debug_assert!(a.up(topo, gid) >= g.min_up, "an ok group has its quorum");
        }
    }
    out.sort_by(|x, y| {
        y.severity
            .cmp(&x.severity)
            .then(x.kind.cmp(&y.kind))
            .then(x.subjects.cmp(&y.subjects))
    });
    out
}

fn service_findings(topo: &Topology, a: &Assessment, id: NodeId, out: &mut Vec<Finding>) {
    let status = a.status(id);
    let action = a.action(id);
    // Every finding below is of a changed service or of one that ends down
    // or degraded: the others are passed without reading their table (a
    // cache miss each, a million of them on every key of the TUI).
    if action.is_none() && !matches!(status, Status::Down | Status::Degraded) {
        return;
    }
    let s = topo.as_service(id).expect("a service id");
    if let Some(act) = action {
        // spof: changed (any action), in no group, required directly.
        if topo.groups_of(id).is_empty() {
            let mut needers: Vec<NodeId> = topo
                .dependents(id)
                .filter(|&(_, e)| e == Edge::Requires)
                .map(|(n, _)| n)
                .collect();
            needers.sort_unstable();
            needers.dedup();
            if !needers.is_empty() {
                let message = format!(
                    "`{}` {} is in no group and {} require{} it directly: nothing stands in while it is down",
                    s.id,
                    tag(topo, a, id, act),
                    list(topo, &needers),
                    if needers.len() == 1 { "s" } else { "" }
                );
                let mut subjects = vec![id];
                subjects.extend(needers);
                out.push(finding(FindingKind::Spof, subjects, message));
            }
        }
        if a.is_planned(id) {
            let stuck: Vec<&str> = s
                .boot
                .volumes
                .iter()
                .filter(|v| !v.automount)
                .map(|v| v.path.as_str())
                .collect();
            if !stuck.is_empty() {
                out.push(finding(
                    FindingKind::NoAutomount,
                    vec![id],
                    format!(
                        "`{}` {} has volume{} {} that will not mount on boot: it comes back without its data",
                        s.id,
                        tag(topo, a, id, act),
                        if stuck.len() == 1 { "" } else { "s" },
                        stuck.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            if !s.boot.autostart {
                out.push(finding(
                    FindingKind::NoAutostart,
                    vec![id],
                    format!(
                        "`{}` {} does not start by itself after a reboot: someone must start it",
                        s.id,
                        tag(topo, a, id, act)
                    ),
                ));
            }
        }
    }
    let flags = topo.service_flags(id.index());
    if matches!(status, Status::Down | Status::Degraded)
        && flags & crate::topology::UNMONITORED != 0
    {
        out.push(finding(
            FindingKind::Unmonitored,
            vec![id],
            format!(
                "`{}` ends {} but is not monitored: no alert will tell anyone",
                s.id,
                status.as_str()
            ),
        ));
    }
    if status == Status::Down && flags & crate::topology::RECOVERY != 0 {
        out.push(finding(
            FindingKind::RecoveryPathLost,
            vec![id],
            format!(
                "`{}` ends down, and operators need it to recover: arrange another way in first",
                s.id
            ),
        ));
    }
}

fn group_findings(topo: &Topology, a: &Assessment, gid: NodeId, g: &Group, out: &mut Vec<Finding>) {
    let status = a.status(gid);
    let n = g.members.len();
    let up = a.up(topo, gid);
    let changed: Vec<NodeId> = g
        .members
        .iter()
        .copied()
        .filter(|&m| a.action(m).is_some())
        .collect();
    let planned: Vec<NodeId> = changed
        .iter()
        .copied()
        .filter(|&m| a.is_planned(m))
        .collect();
    let state_of = |m: NodeId| topo.as_service(m).map_or(State::Up, |s| s.state);

    // failover-unavailable: a changed member, another member already down
    // or degraded by `state`, and the group ends down or degraded.
    let mut named = false;
    if matches!(status, Status::Down | Status::Degraded) {
        let broken: Vec<NodeId> = g
            .members
            .iter()
            .copied()
            .filter(|&o| state_of(o) != State::Up && changed.iter().any(|&m| m != o))
            .collect();
        if !broken.is_empty() {
            let mut subjects = vec![gid];
            subjects.extend(&broken);
            out.push(finding(
                FindingKind::FailoverUnavailable,
                subjects,
                format!(
                    "group `{}` loses {} to the change while {} {} already down or degraded: the failover is not there (group ends {})",
                    g.id,
                    list(topo, &changed),
                    list(topo, &broken),
                    if broken.len() == 1 { "is" } else { "are" },
                    status.as_str()
                ),
            ));
            named = true;
        }
    }
    // group-fully-changed: more planned members than the group can spare.
    if planned.len() > n - g.min_up {
        let mut subjects = vec![gid];
        subjects.extend(&planned);
        out.push(finding(
            FindingKind::GroupFullyChanged,
            subjects,
            format!(
                "the plan takes {} of the {} members of `{}` ({}), which needs {} up: change them in separate windows",
                planned.len(),
                n,
                g.id,
                list(topo, &planned),
                g.min_up
            ),
        ));
        named = true;
    }
    if up < g.min_up && !named {
        out.push(finding(
            FindingKind::QuorumLost,
            vec![gid],
            format!(
                "group `{}` ends with {up} of {n} members up, needing {}",
                g.id, g.min_up
            ),
        ));
    }
    if status == Status::AtRisk {
        out.push(finding(
            FindingKind::NoSpare,
            vec![gid],
            format!(
                "group `{}` keeps {up} of {n} members up, exactly the {} it needs: no spare left",
                g.id, g.min_up
            ),
        ));
    }
    if g.mode == Mode::ActivePassive
        && g.failover == Failover::Manual
        && a.status(g.members[0]) == Status::Down
    {
        out.push(finding(
            FindingKind::ManualFailover,
            vec![gid, g.members[0]],
            format!(
                "active member `{}` of `{}` ends down and failover is manual: someone must fail over by hand",
                topo.id(g.members[0]),
                g.id
            ),
        ));
    }
    if !changed.is_empty() {
        let max_age = i64::from(topo.failover_test_max_age_days);
        let age = g
            .last_tested
            .map(|d| a.reference_date.days_since_epoch() - d.days_since_epoch());
        let why = match (g.last_tested, age) {
            (None, _) => Some("has never been tested".to_string()),
            // A test after the reference date has not happened yet (a typo
            // such as 2032 for 2023): it cannot vouch for the failover.
            (Some(d), Some(days)) if days < 0 => Some(format!(
                "gives `last_tested` {d}, after {}: a test that has not happened yet counts as never tested",
                a.reference_date
            )),
            (Some(d), Some(days)) if days > max_age => Some(format!(
                "was last tested on {d}, {days} days before {} (policy: {max_age})",
                a.reference_date
            )),
            _ => None,
        };
        if let Some(why) = why {
            out.push(finding(
                FindingKind::FailoverUntested,
                vec![gid],
                format!("the failover of `{}` {why}", g.id),
            ));
        }
        let up_members: Vec<NodeId> = g
            .members
            .iter()
            .copied()
            .filter(|&m| a.status(m) != Status::Down)
            .collect();
        let zones: Vec<Option<&str>> = up_members
            .iter()
            .map(|&m| topo.as_service(m).and_then(|s| s.zone.as_deref()))
            .collect();
        if matches!(status, Status::Ok | Status::AtRisk)
            && up_members.len() >= 2
            && let Some(Some(z)) = zones.first()
            && zones.iter().all(|x| x == &Some(*z))
        {
            let mut subjects = vec![gid];
            subjects.extend(&up_members);
            out.push(finding(
                        FindingKind::CommonFailureDomain,
                        subjects,
                        format!(
                            "during the change every member of `{}` still up ({}) is in zone `{z}`: one failure there takes the group",
                            g.id,
                            list(topo, &up_members)
                        ),
                    ));
        }
    }
}
