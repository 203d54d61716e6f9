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
        let minutes = match header.minutes {
            None => None,
            Some(m) => match u32::try_from(*m.get_ref()) {
                Ok(v) if v > 0 => Some(v),
                _ => {
                    return Err(
                        Diagnostic::at(&src, m.span(), "`minutes` must be more than 0")
                            .with_help("the length of the change window in minutes")
                            .into(),
                    );
                }
            },
        };
        let mut done: Vec<String> = Vec::new();
        for d in raw.checklist.map(|c| c.done).unwrap_or_default() {
            if !done.contains(&d) {
                done.push(d);
            }
        }
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
        let text = crate::fsutil::read_text_file_within(path, crate::fsutil::Limit::PLAN)?;
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
    let mut errors = Vec::new();
    let mut out: Vec<(NodeId, Action)> = Vec::with_capacity(changes.len());
    for c in changes {
        let locate = |msg: String| match (source, &c.span) {
            (Some(src), Some(span)) => Diagnostic::at(src, span.clone(), msg),
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
                .with_help(
                    did_you_mean(
                        &c.service,
                        topo.services().iter().map(|s| s.id.as_str()),
                        "name a service of the topology (`blastradius validate` lists problems; the TUI lists services)",
                    ),
                ),
            ),
            Some(id) if topo.as_group(id).is_some() => {
                let members: Vec<&str> = topo
                    .as_group(id)
                    .map(|g| g.members.iter().map(|&m| topo.id(m)).collect())
                    .unwrap_or_default();
                errors.push(
                    locate(format!("`{}` is a group; a plan changes services", c.service))
                        .with_help(format!("name its members instead: {}", members.join(", "))),
                );
            }
            Some(id) => {
                if let Some(prev) = out.iter().find(|(n, _)| *n == id) {
                    errors.push(
                        locate(format!(
                            "service `{}` is changed twice ({} and {})",
                            c.service,
                            prev.1.as_str(),
                            c.action.as_str()
                        ))
                        .with_help("give each service one action"),
                    );
                } else {
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
    fn unknown_action_is_located() {
        let err = Plan::parse(
            "p.toml",
            "[[change]]\nservice = \"a\"\naction = \"rebot\"\n",
        )
        .unwrap_err();
        assert_eq!(err.0[0].line, 3);
    }
}
