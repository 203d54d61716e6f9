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
        let why = if a.chain(id).len() > 1 {
            format!(
                " ({})",
                crate::words::chain_text(topo, a, id, crate::words::Glyphs::ASCII)
            )
        } else {
            " (its state)".to_string()
        };
        let users = s
            .users
            .filter(|_| matches!(status, Status::Down | Status::Degraded))
            .map(|u| format!(", {} of users", crate::text::percent(u)))
            .unwrap_or_default();
        let (kind, word) = match status {
            Status::Down => ("already-down", "is down"),
            Status::Degraded => ("already-degraded", "is degraded"),
            _ => ("already-at-risk", "has no spare left"),
        };
        out.push(Warning {
            kind,
            subjects: vec![s.id.clone()],
            message: format!("`{}` {word} before any change{users}{why}", s.id),
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
        let untested = match g.last_tested {
            None => Some("has never been tested".to_string()),
            Some(d) if d > today => Some(format!(
                "was \"last tested\" on {d}, a date in the future: counted as untested"
            )),
            Some(d) => {
                let days = today.days_since_epoch() - d.days_since_epoch();
                (days > max_age)
                    .then(|| format!("was last tested on {d}, {days} days ago (policy: {max_age})"))
            }
        };
        if let Some(why) = untested
            && g.members.len() > 1
        {
            out.push(Warning {
                kind: "failover-untested",
                subjects: vec![g.id.clone()],
                message: format!("the failover of `{}` {why}", g.id),
            });
        }
    }
    for s in topo.services() {
        if s.monitored == Some(false) {
            out.push(Warning {
                kind: "unmonitored",
                subjects: vec![s.id.clone()],
                message: format!(
                    "`{}` is not monitored: if it fails, no alert tells anyone",
                    s.id
                ),
            });
        }
    }
    (a.risk, out)
}
