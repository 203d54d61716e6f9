//! Prometheus: the instant query `up`, read by the service label.

use super::{Observation, Observations, Source, Url, http};
use crate::topology::{NodeId, State, Topology};
use serde::Deserialize;
use std::collections::HashMap;
use std::time::Duration;

/// One `up` series that carries the service label.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct UpSeries {
    pub id: String,
    pub instance: String,
    pub up: bool,
}

#[derive(Deserialize)]
struct Answer {
    status: String,
    data: Option<Data>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Vec<Series>,
}

#[derive(Deserialize)]
struct Series {
    metric: HashMap<String, String>,
    /// `[unix time, "value"]`.
    value: (serde_json::Value, String),
}

/// Asks `GET /api/v1/query?query=up` and keeps the series carrying `label`.
///
/// # Errors
/// No answer, an HTTP error, or an answer that is not a Prometheus vector.
pub(super) fn query_up(
    agent: &ureq::Agent,
    base: &Url,
    label: &str,
    timeout: Duration,
) -> Result<Vec<UpSeries>, String> {
    let body = http::get_ok(agent, &base.join("/api/v1/query?query=up"), timeout)?;
    parse(&body, label)
}

/// Reads an instant query's answer.
fn parse(body: &[u8], label: &str) -> Result<Vec<UpSeries>, String> {
    let a: Answer =
        serde_json::from_slice(body).map_err(|e| format!("not a Prometheus query answer: {e}"))?;
    if a.status != "success" {
        return Err(format!(
            "the query failed: {}",
            a.error.unwrap_or_else(|| a.status.clone())
        ));
    }
    let data = a.data.ok_or("the answer has no data")?;
    if data.result_type != "vector" {
        return Err(format!("expected a vector, got a {}", data.result_type));
    }
    Ok(data
        .result
        .into_iter()
        .filter_map(|mut s| {
            let id = s.metric.remove(label)?;
            let up = s.value.1.trim().parse::<f64>().is_ok_and(|v| v == 1.0);
            Some(UpSeries {
                id,
                instance: s.metric.remove("instance").unwrap_or_default(),
                up,
            })
        })
        .collect())
}

/// Per service: all series at 0 is `down`, some `degraded`, none `up`.
pub(super) fn observe(topo: &Topology, series: &[UpSeries], out: &mut Observations) {
    #[derive(Default)]
    struct Count<'s> {
        up: usize,
        all: usize,
        down: Vec<&'s str>,
    }
    let mut by: HashMap<NodeId, Count<'_>> = HashMap::new();
    for s in series {
        let Some(id) = service(topo, &s.id) else {
            out.ignored += 1;
            continue;
        };
        let c = by.entry(id).or_default();
        c.all += 1;
        if s.up {
            c.up += 1;
        } else if c.down.len() < 3 {
            c.down.push(&s.instance);
        }
    }
    let mut ids: Vec<NodeId> = by.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let c = &by[&id];
        let state = if c.up == c.all {
            State::Up
        } else if c.up == 0 {
            State::Down
        } else {
            State::Degraded
        };
        let mut detail = format!("up: {} of {} series at 1", c.up, c.all);
        if !c.down.is_empty() {
            let more = c.all - c.up - c.down.len();
            detail += &format!(", down: {}", c.down.join(", "));
            if more > 0 {
                detail += &format!(" and {more} more");
            }
        }
        out.observed.push(Observation {
            service: id,
            state,
            source: Source::Prometheus,
            detail,
            at: out.at,
        });
    }
}

/// The service called `id`; a group or an unknown id is `None`.
pub(super) fn service(topo: &Topology, id: &str) -> Option<NodeId> {
    topo.lookup(id)
        .filter(|n| n.index() < topo.services().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        let body = br#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"up","instance":"a:1","service":"web"},"value":[1.5,"1"]},
            {"metric":{"__name__":"up","instance":"b:1","service":"web"},"value":[1.5,"0"]},
            {"metric":{"__name__":"up","instance":"c:1"},"value":[1.5,"0"]}]}}"#;
        let s = parse(body, "service").unwrap();
        assert_eq!(s.len(), 2);
        assert!(s[0].up && !s[1].up);
        assert_eq!(s[1].instance, "b:1");
        assert!(
            parse(b"<html>", "service")
                .unwrap_err()
                .contains("not a Prometheus")
        );
        let e = parse(
            br#"{"status":"error","errorType":"bad_data","error":"parse error"}"#,
            "s",
        );
        assert!(e.unwrap_err().contains("parse error"));
        let m = parse(
            br#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
            "s",
        );
        assert!(m.unwrap_err().contains("matrix"));
    }

    #[test]
    fn all_some_none() {
        let topo = crate::topology::load(
            "t.toml",
            "[topology]\nname = \"t\"\n[services.a]\n[services.b]\n[services.c]\n[groups.g]\nmembers = [\"a\"]\n",
        )
        .unwrap();
        let s = |id: &str, up| UpSeries {
            id: id.into(),
            instance: format!("{id}:{up}"),
            up,
        };
        let series = [
            s("a", true),
            s("a", true),
            s("b", true),
            s("b", false),
            s("c", false),
            s("g", false),
            s("zz", true),
        ];
        let mut out = Observations::empty(std::time::SystemTime::UNIX_EPOCH);
        observe(&topo, &series, &mut out);
        let states: Vec<_> = out.observed.iter().map(|o| o.state).collect();
        assert_eq!(states, [State::Up, State::Degraded, State::Down]);
        assert_eq!(out.ignored, 2);
        assert_eq!(
            out.observed[1].detail,
            "up: 1 of 2 series at 1, down: b:false"
        );
    }
}
