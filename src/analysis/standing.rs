//! What is already risky before anyone touches the estate: the standing
//! walk's findings and the weak spots every change will meet. `validate`
//! reports these next to the lint warnings, so an estate with its
//! secondary load balancer down never reads "ok, 0 warnings".

use super::{FindingKind, Level, Standing, Status};
use crate::topology::{Date, Failover, Mode, Topology, Warning};

/// The standing risks of `topo`, worst first: what is down or degraded
/// now (and what it takes with it), groups already without a spare or
/// below what they need, manual and untested failovers, unmonitored
/// services, and the estate's risk level (the `risk_before` of every
/// plan). `today` dates the failover tests.
///
/// # Complexity
/// One walk of the estate, then O(services + groups).
pub fn standing_risks(topo: &Topology, today: Date) -> (Level, Vec<Warning>) {
    standing_risks_of(topo, &Standing::new(topo), today)
}

/// [`standing_risks`] from a standing walk already made (`validate` makes
/// one for these and for the single points of failure).
pub(crate) fn standing_risks_of(
    topo: &Topology,
    st: &Standing,
    today: Date,
) -> (Level, Vec<Warning>) {
    let a = &st.assessment;
    let mut out = Vec::new();
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
        // One buffer per message: a million-service estate has a hundred
        // thousand of them.
        let mut message = String::with_capacity(96);
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
        out.push(Warning {
            kind,
            subjects: vec![s.id.clone()],
            message,
        });
    }
    for f in &a.findings {
        // Services' statuses are reported above and `unmonitored` below for
        // every such service; the rest of the standing walk's findings
        // (groups without a spare or below what they need, a manual
        // failover already due, a recovery path already lost) here.
        let skip = match f.kind {
            FindingKind::Unmonitored => true,
            FindingKind::RecoveryPathLost => false,
            _ => topo.as_service(f.subjects[0]).is_some(),
        };
        if skip {
            continue;
        }
        out.push(Warning {
            kind: f.kind.as_str(),
            subjects: f.subjects.iter().map(|&n| topo.id(n).to_string()).collect(),
            message: format!("{} (before any change)", f.message),
        });
    }
    let max_age = i64::from(topo.failover_test_max_age_days);
    for g in topo.groups() {
        // The walk's manual rule is for an active-passive group whose
        // active member goes down; an active-active group has no switch.
        if g.failover == Failover::Manual && g.mode == Mode::ActivePassive && g.members.len() > 1 {
            out.push(Warning {
                kind: "failover-manual",
                subjects: vec![g.id.clone()],
                message: format!(
                    "group `{}` fails over by hand: any change to its active member {} needs someone on the call to switch",
                    g.id,
                    topo.id(g.members[0])
                ),
            });
        }
        if g.members.len() < 2 {
            continue;
        }
        use std::fmt::Write as _;
        let mut message = String::with_capacity(96);
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
        out.push(Warning {
            kind: "failover-untested",
            subjects: vec![g.id.clone()],
            message,
        });
    }
    for s in topo.services() {
        if s.monitored == Some(false) {
            let mut message = String::with_capacity(s.id.len() + 56);
            message.push('`');
            message.push_str(&s.id);
            message.push_str("` is not monitored: if it fails, no alert tells anyone");
            out.push(Warning {
                kind: "unmonitored",
                subjects: vec![s.id.clone()],
                message,
            });
        }
    }
    (a.risk, out)
}
