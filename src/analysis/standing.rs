//! What is already risky before anyone touches the estate: the standing
//! walk's findings and the weak spots every change will meet. `validate`
//! reports these next to the lint warnings, so an estate with its
//! secondary load balancer down never reads "ok, 0 warnings".

use super::{FindingKind, Level, Standing, Status};
use crate::topology::{Date, Failover, Mode, NodeId, Topology, Warning};

/// The standing risks of `topo`, worst first: what is down or degraded
/// now (and what it takes with it), groups already without a spare or
/// below what they need, manual and untested failovers, unmonitored
/// services, and the estate's risk level (the `risk_before` of every
/// plan). `today` dates the failover tests.
///
/// # Complexity
/// One walk of the estate, then O(services + groups).
pub fn standing_risks(topo: &Topology, today: Date) -> (Level, Vec<Warning>) {
    let mut out = Vec::new();
    let st = Standing::new(topo);
    let level = each_standing_risk(topo, &st, today, |kind, subjects, message| {
        out.push(Warning {
            kind,
            subjects: subjects.iter().map(|&n| topo.id(n).to_string()).collect(),
            message: message.to_string(),
        });
    });
    (level, out)
}

/// The standing risks one at a time, in [`standing_risks`]' order, to `f`
/// (kind, subjects, message), and the estate's risk level. `validate`
/// makes one for these and for the single points of failure, and writes
/// each line straight from here: a million-service estate has half a
/// million of them, and a warning built for each, then dropped, cost it a
/// tenth of a second.
pub(crate) fn each_standing_risk(
    topo: &Topology,
    st: &Standing,
    today: Date,
    mut f: impl FnMut(&'static str, &[NodeId], &str),
) -> Level {
    use std::fmt::Write as _;
    let a = &st.assessment;
    // One buffer for every message.
    let mut message = String::with_capacity(256);
    for (i, s) in topo.services().iter().enumerate() {
        let id = topo.service_id(i);
        let status = a.status(id);
        if status == Status::Ok {
            continue;
        }
        let (kind, word) = match status {
            Status::Down => ("already-down", "is down"),
            Status::Degraded => ("already-degraded", "is degraded"),
            _ => ("already-at-risk", "has no spare left"),
        };
        message.clear();
        message.push('`');
        message.push_str(&s.id);
        message.push_str("` ");
        message.push_str(word);
        message.push_str(" before any change");
        if let Some(u) = s
            .users
            .filter(|_| matches!(status, Status::Down | Status::Degraded))
        {
            message.push_str(", ");
            message.push_str(&crate::text::percent(u));
            message.push_str(" of users");
        }
        if a.next_step(id).is_some() {
            message.push_str(" (");
            crate::words::push_chain_text(&mut message, topo, a, id, crate::words::Glyphs::ASCII);
            message.push(')');
        } else {
            message.push_str(" (its state)");
        }
        f(kind, &[id], &message);
    }
    for finding in &a.findings {
        // Services' statuses are reported above and `unmonitored` below for
        // every such service; the rest of the standing walk's findings
        // (groups without a spare or below what they need, a manual
        // failover already due, a recovery path already lost) here.
        let skip = match finding.kind {
            FindingKind::Unmonitored => true,
            FindingKind::RecoveryPathLost => false,
            _ => topo.as_service(finding.subjects[0]).is_some(),
        };
        if skip {
            continue;
        }
        message.clear();
        message.push_str(&finding.message);
        message.push_str(" (before any change)");
        f(finding.kind.as_str(), &finding.subjects, &message);
    }
    let max_age = i64::from(topo.failover_test_max_age_days);
    for (i, g) in topo.groups().iter().enumerate() {
        let gid = topo.group_id(i);
        // The walk's manual rule is for an active-passive group whose
        // active member goes down; an active-active group has no switch.
        if g.failover == Failover::Manual && g.mode == Mode::ActivePassive && g.members.len() > 1 {
            message.clear();
            let _ = write!(
                message,
                "group `{}` fails over by hand: any change to its active member {} needs someone on the call to switch",
                g.id,
                topo.id(g.members[0])
            );
            f("failover-manual", &[gid], &message);
        }
        if g.members.len() < 2 {
            continue;
        }
        message.clear();
        message.push_str("the failover of `");
        message.push_str(&g.id);
        message.push_str("` ");
        match g.last_tested {
            None => message.push_str("has never been tested"),
            Some(d) if d > today => {
                let _ = write!(
                    message,
                    "was \"last tested\" on {d}, a date in the future: counted as untested"
                );
            }
            Some(d) => {
                let days = today.days_since_epoch() - d.days_since_epoch();
                if days <= max_age {
                    continue;
                }
                let _ = write!(
                    message,
                    "was last tested on {d}, {days} days ago (policy: {max_age})"
                );
            }
        }
        f("failover-untested", &[gid], &message);
    }
    for (i, s) in topo.services().iter().enumerate() {
        if topo.service_flags(i) & crate::topology::UNMONITORED != 0 {
            message.clear();
            message.push('`');
            message.push_str(&s.id);
            message.push_str("` is not monitored: if it fails, no alert tells anyone");
            f("unmonitored", &[topo.service_id(i)], &message);
        }
    }
    a.risk
}
