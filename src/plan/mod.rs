//! Change plans: what will be touched, when, what has been ticked off, and
//! who signed. Loaded from and saved to TOML.

use crate::diag::{Diagnostic, Diagnostics, Source, did_you_mean};
use crate::topology::{NodeId, Topology};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::value::Datetime;

/// What will be done to a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Reboot,
    Update,
    /// What-if: assume the service fails during the window.
    Down,
}

impl Action {
    /// The word used in files, flags and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Reboot => "reboot",
            Action::Update => "update",
            Action::Down => "down",
        }
    }

    /// Reboots and updates are planned work; `down` is only a what-if.
    pub fn is_planned(self) -> bool {
        !matches!(self, Action::Down)
    }
}

/// One change of a plan, by service id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub service: String,
    pub action: Action,
    /// Where the change was written, for error messages; `None` when it came
    /// from the command line or the TUI.
    pub span: Option<Range<usize>>,
}

/// A sign-off for the approval record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signoff {
    pub who: String,
    pub role: Option<String>,
    pub at: Option<Datetime>,
}

/// A change plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub title: String,
    /// The topology file as written in the plan (relative to the plan file).
    pub topology: Option<String>,
    pub start: Option<Datetime>,
    pub minutes: Option<u32>,
    pub changes: Vec<Change>,
    /// Ticked checklist item ids, in the order they were ticked.
    pub done: Vec<String>,
    pub signoffs: Vec<Signoff>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    plan: Option<RawHeader>,
    #[serde(default)]
    change: Vec<RawChange>,
    checklist: Option<RawChecklist>,
    #[serde(default)]
    signoff: Vec<Signoff>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    title: Option<String>,
    topology: Option<String>,
    start: Option<Spanned<Datetime>>,
    minutes: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    service: Spanned<String>,
    action: Action,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecklist {
    #[serde(default)]
    done: Vec<String>,
}

/// The serialised form, field order as in DESIGN.md.
#[derive(Serialize)]
struct OutPlan<'p> {
    plan: OutHeader<'p>,
    change: Vec<OutChange<'p>>,
    checklist: OutChecklist<'p>,
    #[serde(skip_serializing_if = "<[Signoff]>::is_empty")]
    signoff: &'p [Signoff],
}

#[derive(Serialize)]
struct OutHeader<'p> {
    title: &'p str,
    #[serde(skip_serializing_if = "Option::is_none")]
    topology: Option<&'p str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<&'p Datetime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minutes: Option<u32>,
}

#[derive(Serialize)]
struct OutChange<'p> {
    service: &'p str,
    action: Action,
}

#[derive(Serialize)]
struct OutChecklist<'p> {
    done: &'p [String],
}

impl Plan {
    /// Parses a plan; `name` is what diagnostics call the file.
    ///
    /// # Errors
    /// Located diagnostics for bad TOML, unknown keys or bad values.
    pub fn parse(name: &str, text: &str) -> Result<Plan, Diagnostics> {
        let src = Source::new(name, text);
        let raw: RawPlan = toml::from_str(text).map_err(|e| {
            crate::diag::from_toml(
                &src,
                &e,
                "a plan has [plan] (title, topology, start, minutes), [[change]] (service, action = reboot|update|down), [checklist] done = [...] and [[signoff]]",
            )
        })?;
        let header = raw.plan.unwrap_or(RawHeader {
            title: None,
            topology: None,
            start: None,
            minutes: None,
        });
        if let Some(s) = &header.start
            && (s.get_ref().date.is_none() || s.get_ref().time.is_none())
        {
            return Err(
                Diagnostic::at(&src, s.span(), "`start` must be a date and time")
                    .with_help("e.g. start = 2023-06-08T22:00:00+03:00")
                    .into(),
            );
        }
        let minutes = match &header.minutes {
            None => None,
            Some(m) => match *m.get_ref() {
                v if v <= 0 => {
                    return Err(
                        Diagnostic::at(&src, m.span(), "`minutes` must be more than 0")
                            .with_help("the length of the change window in minutes")
                            .into(),
                    );
                }
                v if v > i64::from(MAX_MINUTES) => {
                    return Err(Diagnostic::at(
                        &src,
                        m.span(),
                        format!(
                            "`minutes` is {v}: a change window is at most 7 days ({MAX_MINUTES} minutes)"
                        ),
                    )
                    .with_help("split a longer change into several plans, one per window")
                    .into());
                }
                v => Some(v as u32),
            },
        };
        if let (Some(s), Some(m)) = (&header.start, minutes)
            && let Err(why) = check_window(s.get_ref(), m)
        {
            let span = header.minutes.as_ref().map_or(s.span(), Spanned::span);
            return Err(Diagnostic::at(&src, span, why)
                .with_help("give a start and length that end by the year 9999")
                .into());
        }
        // Ticks keep their first place; a set, since a plan may hold
        // hundreds of thousands of them.
        let mut seen = std::collections::HashSet::new();
        let done: Vec<String> = raw
            .checklist
            .map(|c| c.done)
            .unwrap_or_default()
            .into_iter()
            .filter(|d| seen.insert(d.clone()))
            .collect();
        Ok(Plan {
            title: header.title.unwrap_or_default(),
            topology: header.topology,
            start: header.start.map(Spanned::into_inner),
            minutes,
            changes: raw
                .change
                .into_iter()
                .map(|c| Change {
                    span: Some(c.service.span()),
                    service: c.service.into_inner(),
                    action: c.action,
                })
                .collect(),
            done,
            signoffs: raw.signoff,
        })
    }

    /// Reads and parses a plan file.
    ///
    /// # Errors
    /// Located diagnostics, or a whole-file one when it cannot be read.
    pub fn load(path: &Path) -> Result<(Plan, String), Diagnostics> {
        let text = crate::fsutil::read_text_file(path)?;
        let plan = Plan::parse(&path.display().to_string(), &text)?;
        Ok((plan, text))
    }

    /// The plan as TOML, in the order DESIGN.md shows.
    pub fn to_toml(&self) -> String {
        let out = OutPlan {
            plan: OutHeader {
                title: &self.title,
                topology: self.topology.as_deref(),
                start: self.start.as_ref(),
                minutes: self.minutes,
            },
            change: self
                .changes
                .iter()
                .map(|c| OutChange {
                    service: &c.service,
                    action: c.action,
                })
                .collect(),
            checklist: OutChecklist { done: &self.done },
            signoff: &self.signoffs,
        };
        toml::to_string(&out).expect("a plan always serialises")
    }

    /// Writes the plan atomically: a crash mid-write leaves the old file.
    ///
    /// # Errors
    /// The I/O error, with the path.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        crate::fsutil::write_atomic(path, self.to_toml().as_bytes())
    }

    /// The topology path named by a plan loaded from `plan_path`, resolved
    /// relative to the plan file's folder.
    pub fn topology_path(&self, plan_path: &Path) -> Option<PathBuf> {
        let t = self.topology.as_deref()?;
        let base = plan_path.parent().unwrap_or(Path::new(""));
        Some(base.join(t))
    }

    /// The date failover test ages are measured from: the window's start.
    pub fn start_date(&self) -> Option<crate::topology::Date> {
        self.start.and_then(|s| s.date).map(Into::into)
    }

    /// Sets the action of `service`, replacing any earlier change to it;
    /// `None` removes it from the plan.
    pub fn set_change(&mut self, service: &str, action: Option<Action>) {
        let existing = self.changes.iter().position(|c| c.service == service);
        match (existing, action) {
            (Some(i), Some(a)) => self.changes[i].action = a,
            (Some(i), None) => {
                self.changes.remove(i);
            }
            (None, Some(a)) => self.changes.push(Change {
                service: service.to_string(),
                action: a,
                span: None,
            }),
            (None, None) => {}
        }
    }
}

/// The longest change window: 7 days (DESIGN.md "Files and limits").
pub const MAX_MINUTES: u32 = 7 * 24 * 60;

/// Minutes from 1970-01-01T00:00Z to 9999-12-31T23:59Z: the last minute a
/// window may end in (RFC 3339 has four-digit years; Alertmanager and most
/// tools cannot read a later time).
fn last_minute() -> i64 {
    let last = crate::topology::Date {
        year: 9999,
        month: 12,
        day: 31,
    };
    last.days_since_epoch() * 24 * 60 + 23 * 60 + 59
}

/// Checks that a window of `minutes` from `start` ends by
/// 9999-12-31T23:59:59Z, in UTC and in the start's own offset (a local time
/// without an offset is read as UTC, as the silences read it).
///
/// # Errors
/// A sentence saying when the window would end.
pub fn check_window(start: &Datetime, minutes: u32) -> Result<(), String> {
    let (Some(date), Some(time)) = (start.date, start.time) else {
        return Ok(());
    };
    let offset = match start.offset {
        Some(toml::value::Offset::Custom { minutes }) => i64::from(minutes),
        _ => 0,
    };
    let day = crate::topology::Date::from(date).days_since_epoch();
    // Minutes since the epoch of the last minute of the window, on the
    // start's own clock; seconds are within that minute.
    let local_end =
        day * 24 * 60 + i64::from(time.hour) * 60 + i64::from(time.minute) + i64::from(minutes);
    let utc_end = local_end - offset;
    // Ending in minute 23:59 of the last day ends by 23:59:59 whatever the
    // seconds; a minute later is past it.
    if local_end.max(utc_end) > last_minute() {
        Err(format!(
            "the window from {start} for {minutes} minutes ends after 9999-12-31T23:59:59Z, the last time a plan can name"
        ))
    } else {
        Ok(())
    }
}

/// Resolves changes against a topology.
///
/// `source` is the plan text the changes came from, so errors can point at
/// them; changes without a span are reported as coming from `origin` (e.g.
/// "command line").
///
/// # Errors
/// A change naming an unknown service, a group, or a service changed twice.
pub fn resolve(
    topo: &Topology,
    changes: &[Change],
    source: Option<&Source<'_>>,
    origin: &str,
) -> Result<Vec<(NodeId, Action)>, Diagnostics> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut out: Vec<(NodeId, Action)> = Vec::with_capacity(changes.len());
    // The action already given to each service: a map, since a plan may
    // change sixty thousand of them.
    let mut given: std::collections::HashMap<NodeId, Action> = Default::default();
    // "did you mean" per unknown name, searched once each, and only for the
    // errors that are shown.
    let mut suggested: std::collections::HashMap<&str, String> = Default::default();
    for c in changes {
        let full = errors.len() >= crate::diag::MAX_SHOWN;
        let locate = |msg: String| match (source, &c.span) {
            (Some(src), Some(span)) if !full => Diagnostic::at(src, span.clone(), msg),
            (Some(src), Some(_)) => Diagnostic::whole_file(src.name, msg),
            _ => Diagnostic::whole_file(origin, msg),
        };
        match topo.lookup(&c.service) {
            None => errors.push(
                locate(format!(
                    "unknown service `{}` {}",
                    c.service,
                    if c.span.is_some() {
                        "in the plan".to_string()
                    } else {
                        format!("in --{}", c.action.as_str())
                    }
                ))
                .with_help(if full {
                    String::new()
                } else {
                    suggested
                        .entry(c.service.as_str())
                        .or_insert_with(|| {
                            did_you_mean(
                                &c.service,
                                topo.services().iter().map(|s| s.id.as_str()),
                                "name a service of the topology (`blastradius validate` lists problems; the TUI lists services)",
                            )
                        })
                        .clone()
                }),
            ),
            Some(id) if topo.as_group(id).is_some() => {
                let members: Vec<&str> = topo
                    .as_group(id)
                    .map(|g| g.members.iter().take(10).map(|&m| topo.id(m)).collect())
                    .unwrap_or_default();
                let more = topo
                    .as_group(id)
                    .map_or(0, |g| g.members.len().saturating_sub(members.len()));
                errors.push(
                    locate(format!("`{}` is a group; a plan changes services", c.service))
                        .with_help(format!(
                            "name its members instead: {}{}",
                            members.join(", "),
                            if more > 0 {
                                format!(" and {more} more")
                            } else {
                                String::new()
                            }
                        )),
                );
            }
            Some(id) => {
                if let Some(prev) = given.get(&id) {
                    errors.push(
                        locate(format!(
                            "service `{}` is changed twice ({} and {})",
                            c.service,
                            prev.as_str(),
                            c.action.as_str()
                        ))
                        .with_help("give each service one action"),
                    );
                } else {
                    given.insert(id, c.action);
                    out.push((id, c.action));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Diagnostics(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"
[plan]
title = "Kernel update"
topology = "web-stack.toml"
start = 2023-06-08T22:00:00+03:00
minutes = 240

[[change]]
service = "lb-primary"
action = "reboot"

[[change]]
service = "db-primary"
action = "down"

[checklist]
done = ["a", "b"]

[[signoff]]
who = "R. Ops"
role = "change owner"
at = 2023-06-08T18:00:00+03:00
"#;

    #[test]
    fn saved_plan_loads_back_equal() {
        let p = Plan::parse("p.toml", PLAN).unwrap();
        assert_eq!(p.changes.len(), 2);
        assert_eq!(p.changes[1].action, Action::Down);
        assert_eq!(p.start_date().unwrap().to_string(), "2023-06-08");
        let again = Plan::parse("p.toml", &p.to_toml()).unwrap();
        let strip = |p: &Plan| {
            let mut p = p.clone();
            p.changes.iter_mut().for_each(|c| c.span = None);
            p
        };
        assert_eq!(strip(&again), strip(&p));
    }

    #[test]
    fn set_change_replaces_and_removes() {
        let mut p = Plan::default();
        p.set_change("a", Some(Action::Reboot));
        p.set_change("a", Some(Action::Update));
        assert_eq!(p.changes.len(), 1);
        assert_eq!(p.changes[0].action, Action::Update);
        p.set_change("a", None);
        assert!(p.changes.is_empty());
    }

    #[test]
    fn two_hundred_thousand_ticks_are_read_in_linear_time() {
        let mut text = String::from("[checklist]\ndone = [");
        for i in 0..200_000 {
            text.push_str(&format!("\"item-{i}\", "));
        }
        text.push_str("\"item-7\"]\n");
        let p = Plan::parse("p.toml", &text).unwrap();
        assert_eq!(p.done.len(), 200_000, "the repeat is dropped");
        assert_eq!(p.done[7], "item-7");
    }

    #[test]
    fn a_window_is_at_most_seven_days() {
        let with = |m: &str| Plan::parse("p.toml", &format!("[plan]\nminutes = {m}\n"));
        assert_eq!(with("10080").unwrap().minutes, Some(MAX_MINUTES));
        for m in ["10081", "4294967295", "4294967296"] {
            let err = with(m).unwrap_err();
            assert!(
                err.0[0].message.contains("at most 7 days (10080 minutes)"),
                "{m}: {err}"
            );
            assert_eq!((err.0[0].line, err.0[0].column), (2, 11));
        }
        assert!(with("0").unwrap_err().0[0].message.contains("more than 0"));
        assert!(with("-5").unwrap_err().0[0].message.contains("more than 0"));
    }

    #[test]
    fn a_window_ending_after_the_year_9999_is_refused() {
        let with = |start: &str, m: u32| {
            Plan::parse(
                "p.toml",
                &format!("[plan]\nstart = {start}\nminutes = {m}\n"),
            )
        };
        let err = with("9999-12-31T23:00:00Z", 120).unwrap_err();
        assert!(
            err.0[0].message.contains("ends after 9999-12-31T23:59:59Z"),
            "{err}"
        );
        assert!(with("9999-12-31T23:00:00Z", 59).is_ok());
        assert!(with("9999-12-31T22:59:30Z", 60).is_ok());
        assert!(
            with("9999-12-31T23:00:00Z", 60).is_err(),
            "ends at 10000-01-01T00:00"
        );
        // In UTC, 20:00-05:00 is already 01:00 of the year 10000.
        assert!(with("9999-12-31T20:00:00-05:00", 10).is_err());
        // Local times without an offset are read as UTC.
        assert!(with("9999-12-31T23:00:00", 120).is_err());
        assert!(with("2023-06-08T22:00:00+03:00", MAX_MINUTES).is_ok());
    }

    #[test]
    fn resolving_sixty_thousand_changes_is_linear() {
        let mut text = String::from("[topology]\nname = \"t\"\n");
        for i in 0..60_000 {
            text.push_str(&format!("[services.m{i}]\n"));
        }
        let topo = crate::topology::load("t.toml", &text).unwrap();
        let mut changes: Vec<Change> = (0..60_000)
            .map(|i| Change {
                service: format!("m{i}"),
                action: Action::Reboot,
                span: None,
            })
            .collect();
        assert_eq!(
            resolve(&topo, &changes, None, "test").unwrap().len(),
            60_000
        );
        changes.push(changes[5].clone());
        let err = resolve(&topo, &changes, None, "test").unwrap_err();
        assert!(err.0[0].message.contains("`m5` is changed twice"), "{err}");
    }

    #[test]
    fn unknown_action_is_located() {
        let err = Plan::parse(
            "p.toml",
            "[[change]]\nservice = \"a\"\naction = \"rebot\"\n",
        )
        .unwrap_err();
        assert_eq!(err.0[0].line, 3);
    }
}
