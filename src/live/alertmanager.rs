//! Alertmanager: the alerts that fire (a service with one is `degraded`)
//! and the active silences (audited by [`super::matcher`]).

use super::prometheus::service;
use super::{MatchOp, Matcher, Observation, Observations, Silence, Source, Url, http};
use crate::topology::{NodeId, State, Topology};
use serde::Deserialize;
use std::collections::HashMap;
use std::time::Duration;

/// Every alert that fires: `active` (Alertmanager's word for "neither
/// silenced nor inhibited"), silenced, inhibited and not yet processed
/// alike. A silence hides noise, not trouble. Resolved alerts are never
/// listed.
const ALERTS: &str = "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true";

/// Every silence; only the active ones are kept (Alertmanager 0.25 has no
/// query parameter for that).
const SILENCES: &str = "/api/v2/silences";

/// One alert that fires, for the service its label names.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Firing {
    pub id: String,
    pub name: String,
    /// `active`, `suppressed` or `unprocessed`.
    pub state: String,
}

#[derive(Deserialize)]
struct Alert {
    labels: HashMap<String, String>,
    status: Option<Status>,
}

#[derive(Deserialize)]
struct Status {
    state: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSilence {
    id: String,
    status: Status,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    created_by: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    matchers: Vec<RawMatcher>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMatcher {
    name: String,
    value: String,
    is_regex: bool,
    /// Absent means true (the v2 API's default, and v1's only kind).
    is_equal: Option<bool>,
}

/// `GET /api/v2/alerts`: the alerts that fire and carry `label`.
///
/// # Errors
/// No answer, an HTTP error, or an answer that is not a list of alerts.
pub(super) fn alerts(
    agent: &ureq::Agent,
    base: &Url,
    label: &str,
    timeout: Duration,
) -> Result<Vec<Firing>, String> {
    parse_alerts(&http::get_ok(agent, &base.join(ALERTS), timeout)?, label)
}

/// `GET /api/v2/silences`: the active ones.
///
/// # Errors
/// As [`alerts`].
pub(super) fn silences(
    agent: &ureq::Agent,
    base: &Url,
    timeout: Duration,
) -> Result<Vec<Silence>, String> {
    parse_silences(&http::get_ok(agent, &base.join(SILENCES), timeout)?)
}

fn parse_alerts(body: &[u8], label: &str) -> Result<Vec<Firing>, String> {
    let all: Vec<Alert> = serde_json::from_slice(body)
        .map_err(|e| format!("not an Alertmanager list of alerts: {e}"))?;
    Ok(all
        .into_iter()
        .filter_map(|mut a| {
            Some(Firing {
                id: a.labels.remove(label)?,
                name: a.labels.remove("alertname").unwrap_or_default(),
                state: a.status.map(|s| s.state).unwrap_or_default(),
            })
        })
        .collect())
}

fn parse_silences(body: &[u8]) -> Result<Vec<Silence>, String> {
    let all: Vec<RawSilence> = serde_json::from_slice(body)
        .map_err(|e| format!("not an Alertmanager list of silences: {e}"))?;
    Ok(all
        .into_iter()
        .filter(|s| s.status.state == "active")
        .map(|s| Silence {
            id: s.id,
            created_by: s.created_by,
            comment: s.comment,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            matchers: s
                .matchers
                .into_iter()
                .map(|m| Matcher {
                    name: m.name,
                    value: m.value,
                    op: match (m.is_equal.unwrap_or(true), m.is_regex) {
                        (true, false) => MatchOp::Equal,
                        (false, false) => MatchOp::NotEqual,
                        (true, true) => MatchOp::Regex,
                        (false, true) => MatchOp::NotRegex,
                    },
                })
                .collect(),
        })
        .collect())
}

/// A service with an alert that fires is `degraded`; one observation per
/// service, naming its alerts.
pub(super) fn observe(topo: &Topology, firing: &[Firing], out: &mut Observations) {
    let mut by: HashMap<NodeId, Vec<&Firing>> = HashMap::new();
    for f in firing {
        match service(topo, &f.id) {
            Some(id) => by.entry(id).or_default().push(f),
            None => out.ignored += 1,
        }
    }
    let mut ids: Vec<NodeId> = by.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let alerts = &by[&id];
        let shown: Vec<String> = alerts
            .iter()
            .take(3)
            .map(|f| {
                let name = if f.name.is_empty() {
                    "(unnamed)"
                } else {
                    &f.name
                };
                match f.state.as_str() {
                    "suppressed" => format!("{name} (silenced or inhibited)"),
                    _ => name.to_string(),
                }
            })
            .collect();
        let mut detail = format!(
            "{} firing: {}",
            if alerts.len() == 1 { "alert" } else { "alerts" },
            shown.join(", ")
        );
        if alerts.len() > shown.len() {
            detail += &format!(" and {} more", alerts.len() - shown.len());
        }
        out.observed.push(Observation {
            service: id,
            state: State::Degraded,
            source: Source::Alertmanager,
            detail,
            at: out.at,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silences_keep_the_active_ones_and_read_matchers_as_v2_says() {
        let body = br#"[
          {"id":"a","status":{"state":"active"},"comment":"routine reboot behaviour","createdBy":"oncall",
           "startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-01T04:00:00Z","updatedAt":"x",
           "matchers":[{"name":"service","value":".+","isRegex":true,"isEqual":true},
                       {"name":"env","value":"prod","isRegex":false},
                       {"name":"team","value":"db","isRegex":false,"isEqual":false},
                       {"name":"x","value":"y.*","isRegex":true,"isEqual":false}]},
          {"id":"b","status":{"state":"expired"},"comment":"","createdBy":"","startsAt":"","endsAt":"","matchers":[]},
          {"id":"c","status":{"state":"pending"},"comment":"","createdBy":"","startsAt":"","endsAt":"","matchers":[]}
        ]"#;
        let s = parse_silences(body).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].id.as_str(), s[0].created_by.as_str()),
            ("a", "oncall")
        );
        let ops: Vec<_> = s[0].matchers.iter().map(|m| m.op).collect();
        assert_eq!(
            ops,
            [
                MatchOp::Regex,
                MatchOp::Equal,
                MatchOp::NotEqual,
                MatchOp::NotRegex
            ]
        );
        assert_eq!(s[0].matchers[0].to_string(), "service=~\".+\"");
        assert!(parse_silences(b"{}").is_err());
    }

    #[test]
    fn alerts_name_their_service() {
        let body = br#"[
          {"labels":{"alertname":"Down","service":"a"},"status":{"state":"suppressed","silencedBy":["x"],"inhibitedBy":[]}},
          {"labels":{"alertname":"Slow","service":"a"},"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}},
          {"labels":{"alertname":"Other"},"status":{"state":"active"}},
          {"labels":{"alertname":"Gone","service":"zz"},"status":{"state":"active"}}
        ]"#;
        let f = parse_alerts(body, "service").unwrap();
        assert_eq!(f.len(), 3);
        let topo =
            crate::topology::load("t.toml", "[topology]\nname = \"t\"\n[services.a]\n").unwrap();
        let mut out = Observations::empty(std::time::SystemTime::UNIX_EPOCH);
        observe(&topo, &f, &mut out);
        assert_eq!(out.ignored, 1);
        assert_eq!(out.observed.len(), 1);
        assert_eq!(out.observed[0].state, State::Degraded);
        assert_eq!(
            out.observed[0].detail,
            "alerts firing: Down (silenced or inhibited), Slow"
        );
    }
}
