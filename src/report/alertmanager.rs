//! The alert plan as Alertmanager silences: one silence per service that may
//! be silenced, matching that service only, for the plan's window. The
//! output is a JSON array, the shape `amtool silence import` reads; each
//! silence names what must stay loud in its comment.

use crate::plan::Plan;
use crate::review::Review;
use serde_json::json;
use toml::value::{Datetime, Offset};

/// Why silences cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertmanagerError {
    #[error(
        "the plan has no window: Alertmanager silences need `start` and `minutes` under [plan]"
    )]
    NoWindow,
    /// Not a Prometheus label name, so no matcher on it could be right.
    #[error(
        "`{0}` is not a label name: Prometheus label names are letters, digits and `_`, not starting with a digit or `__`"
    )]
    BadLabel(String),
}

/// True for a Prometheus label name an operator may match on:
/// `[a-zA-Z_][a-zA-Z0-9_]*`, not empty, and not starting with `__` (names
/// Prometheus keeps for itself).
pub fn valid_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.starts_with("__")
}

/// Keep-loud names written into each silence's comment at most: the
/// comment goes on every silence, and a plan with tens of thousands of
/// both made the output grow with their product.
const MAX_LOUD_NAMES: usize = 25;

/// The end of a window: `start` plus `minutes`, in the same offset.
pub fn window_end(start: &Datetime, minutes: u32) -> Option<Datetime> {
    let date = start.date?;
    let time = start.time?;
    let total = i64::from(time.hour) * 60 + i64::from(time.minute) + i64::from(minutes);
    let days = total.div_euclid(24 * 60);
    let rest = total.rem_euclid(24 * 60);
    let d = crate::topology::Date::from(date);
    let end = crate::topology::Date::from_days_since_epoch(d.days_since_epoch() + days);
    let mut out = *start;
    out.date = Some(toml::value::Date {
        year: u16::try_from(end.year).ok()?,
        month: end.month as u8,
        day: end.day as u8,
    });
    let mut t = time;
    t.hour = (rest / 60) as u8;
    t.minute = (rest % 60) as u8;
    out.time = Some(t);
    Some(out)
}

/// RFC 3339 as Alertmanager wants it: a local datetime without an offset
/// is taken as UTC.
fn rfc3339(dt: &Datetime) -> String {
    let mut dt = *dt;
    if dt.offset.is_none() {
        dt.offset = Some(Offset::Z);
    }
    dt.to_string()
}

/// The silences, or why there are none.
///
/// # Errors
/// [`AlertmanagerError::NoWindow`] when the plan has no start or length.
pub fn alertmanager(plan: &Plan, r: &Review, label: &str) -> Result<String, AlertmanagerError> {
    if !valid_label_name(label) {
        return Err(AlertmanagerError::BadLabel(
            crate::text::inert(label).into_owned(),
        ));
    }
    let (Some(start), Some(minutes)) = (&plan.start, plan.minutes) else {
        return Err(AlertmanagerError::NoWindow);
    };
    let end = window_end(start, minutes).ok_or(AlertmanagerError::NoWindow)?;
    let keep = &r.alerts.keep_loud;
    let loud = if keep.is_empty() {
        "nothing else".to_string()
    } else if keep.len() > MAX_LOUD_NAMES {
        format!(
            "{} and {} more (the plan's alert plan lists them all)",
            keep[..MAX_LOUD_NAMES].join(", "),
            keep.len() - MAX_LOUD_NAMES
        )
    } else {
        keep.join(", ")
    };
    let title = if plan.title.is_empty() {
        "planned change".to_string()
    } else {
        plan.title.clone()
    };
    let silences: Vec<_> = r
        .alerts
        .silence
        .iter()
        // A matcher with an empty value would match every series without
        // the label: never written (ids are never empty; this keeps it so).
        .filter(|service| !service.is_empty())
        .map(|service| {
            json!({
                "matchers": [{"name": label, "value": service, "isRegex": false, "isEqual": true}],
                "startsAt": rfc3339(start),
                "endsAt": rfc3339(&end),
                "createdBy": "blastradius",
                "comment": format!("{title}: {service} only, for the window. Keep loud: {loud}"),
            })
        })
        .collect();
    let mut s = super::jsonfmt::to_string_pretty(&silences);
    s.push('\n');
    Ok(s)
}

/// With live state: for each service the silences would mute, the alerts
/// that fire for it right now (what Alertmanager users ask before
/// importing silences: alertmanager#190). Empty without live state or
/// when nothing fires.
pub fn would_silence_now(topo: &crate::topology::Topology, r: &Review) -> Vec<String> {
    let Some(live) = &r.live else {
        return Vec::new();
    };
    r.alerts
        .silence
        .iter()
        .filter_map(|service| {
            let id = topo.lookup(service)?;
            let firing: Vec<&str> = live
                .of(id)
                .iter()
                .filter(|o| o.source == crate::live::Source::Alertmanager)
                .map(|o| o.detail.as_str())
                .collect();
            (!firing.is_empty()).then(|| format!("{service}: {}", firing.join("; ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_label_must_be_a_prometheus_label_name() {
        for good in ["service", "job", "_x", "svc_id2"] {
            assert!(valid_label_name(good), "{good}");
        }
        for bad in ["", "__name__", "2x", "service=~\".*\"", "a-b", "a b", "é"] {
            assert!(!valid_label_name(bad), "{bad}");
        }
    }

    #[test]
    fn window_end_carries_over_midnight_and_keeps_the_offset() {
        let s: Datetime = "2023-06-08T22:30:00+03:00".parse().unwrap();
        assert_eq!(
            window_end(&s, 240).unwrap().to_string(),
            "2023-06-09T02:30:00+03:00"
        );
        let s: Datetime = "2023-12-31T23:00:00Z".parse().unwrap();
        assert_eq!(
            window_end(&s, 90).unwrap().to_string(),
            "2024-01-01T00:30:00Z"
        );
    }
}
