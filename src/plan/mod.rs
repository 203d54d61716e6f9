//! Change plans: what will be touched, when, what has been ticked off, and
//! who signed. Loaded from and saved to TOML.

pub mod selector;
mod waves;

pub use waves::with_waves;

use crate::analysis::Level;
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

/// One change of a plan: a service id, or a selector (`KEY=VALUE,...`,
/// see [`selector`]) naming every service it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// A service id, or a selector: it is a selector when it holds `=`
    /// (ids cannot).
    pub service: String,
    pub action: Action,
    /// Where the change was written, for error messages; `None` when it came
    /// from the command line or the TUI.
    pub span: Option<Range<usize>>,
    /// The wave it goes in (`wave = N`, N >= 1), when the plan has waves.
    pub wave: Option<u32>,
}

/// A sign-off for the approval record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signoff {
    pub who: String,
    pub role: Option<String>,
    pub at: Option<Datetime>,
}

impl Change {
    /// True when the change names services by a selector.
    pub fn is_selector(&self) -> bool {
        self.service.contains('=')
    }
}

/// A named person accepts the plan's risk up to a level (`[[accept]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accept {
    pub risk: Level,
    pub who: String,
    pub why: String,
    pub at: Option<Datetime>,
}

impl Accept {
    /// Counts towards readiness: it names who and why.
    pub fn is_complete(&self) -> bool {
        !self.who.trim().is_empty() && !self.why.trim().is_empty()
    }
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
    /// Acceptances of the plan's risk, in file order.
    pub accepts: Vec<Accept>,
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
    #[serde(default)]
    accept: Vec<RawAccept>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccept {
    risk: Spanned<String>,
    who: Spanned<String>,
    why: Spanned<String>,
    at: Option<Datetime>,
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
    service: Option<Spanned<String>>,
    select: Option<Spanned<String>>,
    action: Action,
    wave: Option<Spanned<i64>>,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    accept: Vec<OutAccept<'p>>,
    #[serde(skip_serializing_if = "<[Signoff]>::is_empty")]
    signoff: &'p [Signoff],
}

#[derive(Serialize)]
struct OutAccept<'p> {
    risk: &'static str,
    who: &'p str,
    why: &'p str,
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<&'p Datetime>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'p str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    select: Option<&'p str>,
    action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    wave: Option<u32>,
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
                "a plan has [plan] (title, topology, start, minutes), [[change]] (service or select, action = reboot|update|down, wave = N), [[accept]] (risk, who, why), [checklist] done = [...] and [[signoff]]",
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
        let mut changes = Vec::with_capacity(raw.change.len());
        for c in raw.change {
            let named = match (c.service, c.select) {
                (Some(s), None) => {
                    if s.get_ref().contains('=') {
                        return Err(Diagnostic::at(&src, s.span(), "`service` holds a selector")
                            .with_help("write it as select = \"KEY=VALUE\" instead")
                            .into());
                    }
                    s
                }
                (None, Some(sel)) => {
                    if let Err(why) = selector::parse(sel.get_ref()) {
                        return Err(Diagnostic::at(
                            &src,
                            sel.span(),
                            format!("invalid selector: {why}"),
                        )
                        .with_help(selector::HELP)
                        .into());
                    }
                    sel
                }
                (Some(s), Some(_)) => {
                    return Err(Diagnostic::at(
                        &src,
                        s.span(),
                        "a change has both `service` and `select`",
                    )
                    .with_help("keep one: a [[change]] names one service, or a selector")
                    .into());
                }
                (None, None) => {
                    return Err(Diagnostic::whole_file(
                        name,
                        "a [[change]] has neither `service` nor `select`",
                    )
                    .with_help("add service = \"ID\" or select = \"KEY=VALUE\"")
                    .into());
                }
            };
            let wave = match c.wave {
                None => None,
                Some(w) => match u32::try_from(*w.get_ref()) {
                    Ok(v) if v >= 1 => Some(v),
                    _ => {
                        return Err(Diagnostic::at(
                            &src,
                            w.span(),
                            "`wave` must be a whole number, 1 or more",
                        )
                        .with_help("wave = 1 goes first; `blastradius waves -o PLAN` writes them")
                        .into());
                    }
                },
            };
            changes.push(Change {
                span: Some(named.span()),
                service: named.into_inner(),
                action: c.action,
                wave,
            });
        }
        let mut accepts = Vec::with_capacity(raw.accept.len());
        for a in raw.accept {
            let Some(risk) = Level::parse(a.risk.get_ref()) else {
                return Err(Diagnostic::at(
                    &src,
                    a.risk.span(),
                    format!("unknown risk level `{}`", a.risk.get_ref()),
                )
                .with_help("write low, medium, high or critical: the level accepted")
                .into());
            };
            for (field, v) in [("who", &a.who), ("why", &a.why)] {
                if v.get_ref().trim().is_empty() {
                    return Err(Diagnostic::at(
                        &src,
                        v.span(),
                        format!("an acceptance needs `{field}`"),
                    )
                    .with_help("name the person who accepts the risk and the reason they accept it")
                    .into());
                }
            }
            accepts.push(Accept {
                risk,
                who: a.who.into_inner(),
                why: a.why.into_inner(),
                at: a.at,
            });
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
            changes,
            done,
            signoffs: raw.signoff,
            accepts,
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
                    service: (!c.is_selector()).then_some(c.service.as_str()),
                    select: c.is_selector().then_some(c.service.as_str()),
                    action: c.action,
                    wave: c.wave,
                })
                .collect(),
            checklist: OutChecklist { done: &self.done },
            accept: self
                .accepts
                .iter()
                .map(|a| OutAccept {
                    risk: a.risk.as_str(),
                    who: &a.who,
                    why: &a.why,
                    at: a.at.as_ref(),
                })
                .collect(),
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
                wave: None,
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

/// A change resolved against a topology: the service, its action, and
/// the selector that named it (`None` when it was named by id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub service: NodeId,
    pub action: Action,
    pub selector: Option<String>,
    /// A reboot or update named this service, even if its action (an id's,
    /// which wins) is a what-if `down`: its boot facts still matter
    /// (DESIGN.md, "planned").
    pub planned: bool,
    /// The wave of the change that named it, when the plan has waves.
    pub wave: Option<u32>,
}

impl From<(NodeId, Action)> for Named {
    fn from((service, action): (NodeId, Action)) -> Named {
        Named {
            service,
            action,
            selector: None,
            planned: action.is_planned(),
            wave: None,
        }
    }
}

/// Services a reboot or update names although their action is a what-if
/// `down` (an id's `down` over a selector's reboot): planned all the same.
pub fn also_planned(named: &[Named]) -> Vec<NodeId> {
    named
        .iter()
        .filter(|n| n.planned && !n.action.is_planned())
        .map(|n| n.service)
        .collect()
}

/// The (service, action) pairs of resolved changes, as the walk takes them.
pub fn pairs(named: &[Named]) -> Vec<(NodeId, Action)> {
    named.iter().map(|n| (n.service, n.action)).collect()
}

/// A plan with waves has a wave on every change: a change without one
/// would be in no wave, and go unassessed. The command line refuses such a
/// plan; the TUI (whose new marks have no wave yet) does not call this.
///
/// # Errors
/// One located error per change without a wave, when another has one.
pub fn missing_waves(
    changes: &[Change],
    source: Option<&Source<'_>>,
    origin: &str,
) -> Result<(), Diagnostics> {
    if changes.iter().all(|c| c.wave.is_none()) {
        return Ok(());
    }
    let errors: Vec<Diagnostic> = changes
        .iter()
        .filter(|c| c.wave.is_none())
        .map(|c| {
            let (msg, help) = (
                format!(
                    "`{}` {} has no wave, while the plan's other changes have one",
                    c.service,
                    if c.span.is_some() {
                        "in the plan".to_string()
                    } else {
                        format!("in --{}", c.action.as_str())
                    }
                ),
                "add wave = N to it (`blastradius waves TOPOLOGY --plan PLAN -o PLAN` writes them all)",
            );
            match (source, &c.span) {
                (Some(src), Some(span)) => Diagnostic::at(src, span.clone(), msg),
                _ => Diagnostic::whole_file(origin, msg),
            }
            .with_help(help)
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(errors))
    }
}

/// "wave 2", or "no wave".
fn wave_word(w: Option<u32>) -> String {
    w.map_or("no wave".to_string(), |w| format!("wave {w}"))
}

/// Resolves changes against a topology, selectors expanded: an explicit id
/// wins over a selector; the same action twice is one change; two
/// different actions for one service (two ids, or two selectors) are an
/// error naming both. Changes implied by hosts are not added here: the
/// walk adds them (see [`crate::analysis::assess`]).
///
/// `source` is the plan text the changes came from, so errors can point at
/// them; changes without a span are reported as coming from `origin` (e.g.
/// "command line").
///
/// # Errors
/// A change naming an unknown service, a group, a selector that matches
/// nothing or is malformed, or a service given two different actions.
///
/// # Complexity
/// O(changes · log n) for ids, plus O(n · pairs) per selector.
pub fn resolve(
    topo: &Topology,
    changes: &[Change],
    source: Option<&Source<'_>>,
    origin: &str,
) -> Result<Vec<Named>, Diagnostics> {
    let mut errors = Vec::new();
    // Per service: the index in `out` of its change, and whether an id
    // named it (an id wins over a selector).
    let mut at: std::collections::HashMap<NodeId, (usize, bool)> = std::collections::HashMap::new();
    let mut out: Vec<Named> = Vec::with_capacity(changes.len());
    // Past the errors shown no suggestion is worked out: a plan of 10,000
    // bad ids stays linear.
    let full = |errors: &Vec<Diagnostic>| errors.len() >= crate::diag::MAX_SHOWN;
    // Located through the file's line table: cheap for every error.
    let locate = |c: &Change, msg: String| match (source, &c.span) {
        (Some(src), Some(span)) => Diagnostic::at(src, span.clone(), msg),
        _ => Diagnostic::whole_file(origin, msg),
    };
    // "did you mean" per unknown name, searched once each.
    let mut suggested: std::collections::HashMap<&str, String> = Default::default();
    let flag = |c: &Change| {
        if c.span.is_some() {
            "in the plan".to_string()
        } else {
            format!("in --{}", c.action.as_str())
        }
    };
    // Ids first, so that an id wins whatever the order of the changes.
    for c in changes.iter().filter(|c| !c.is_selector()) {
        match topo.lookup(&c.service) {
            None => {
                let f = full(&errors);
                let help = if f {
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
                };
                errors.push(
                    locate(c, format!("unknown service `{}` {}", c.service, flag(c)))
                        .with_help(help),
                )
            }
            Some(id) if topo.as_group(id).is_some() => {
                let members: Vec<&str> = topo
                    .as_group(id)
                    .map(|g| g.members.iter().take(10).map(|&m| topo.id(m)).collect())
                    .unwrap_or_default();
                let more = topo
                    .as_group(id)
                    .map_or(0, |g| g.members.len().saturating_sub(members.len()));
                errors.push(
                    locate(
                        c,
                        format!("`{}` is a group; a plan changes services", c.service),
                    )
                    .with_help(format!(
                        "name its members instead: {}{}, or select them all with group={}",
                        members.join(", "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        },
                        c.service
                    )),
                );
            }
            Some(id) => match at.get(&id) {
                Some(&(i, _)) if out[i].action == c.action && out[i].wave != c.wave => errors.push(
                    locate(
                        c,
                        format!(
                            "service `{}` is put in two waves ({} and {})",
                            c.service,
                            wave_word(out[i].wave),
                            wave_word(c.wave)
                        ),
                    )
                    .with_help("give each service one wave"),
                ),
                Some(&(i, _)) if out[i].action == c.action => {}
                Some(&(i, _)) => errors.push(
                    locate(
                        c,
                        format!(
                            "service `{}` is changed twice ({} and {})",
                            c.service,
                            out[i].action.as_str(),
                            c.action.as_str()
                        ),
                    )
                    .with_help("give each service one action"),
                ),
                None => {
                    at.insert(id, (out.len(), true));
                    out.push(Named {
                        service: id,
                        action: c.action,
                        selector: None,
                        planned: c.action.is_planned(),
                        wave: c.wave,
                    });
                }
            },
        }
    }
    for c in changes.iter().filter(|c| c.is_selector()) {
        let sel = match selector::parse(&c.service) {
            Ok(sel) => sel,
            Err(why) => {
                errors.push(
                    locate(c, format!("invalid selector `{}`: {why}", c.service))
                        .with_help(selector::HELP),
                );
                continue;
            }
        };
        let matched = sel.matching(topo);
        if matched.is_empty() {
            errors.push(
                locate(
                    c,
                    format!("selector `{}` {} matches no service", c.service, flag(c)),
                )
                .with_help(sel.why_nothing(topo)),
            );
            continue;
        }
        for id in matched {
            match at.get(&id) {
                // An id wins over a selector; the selector's reboot or
                // update still reaches the service.
                Some(&(i, true)) => out[i].planned |= c.action.is_planned(),
                Some(&(i, false)) if out[i].action == c.action && out[i].wave != c.wave => {
                    errors.push(
                        locate(
                            c,
                            format!(
                                "service `{}` is put in two waves by selectors: {} by `{}` and {} by `{}`",
                                topo.id(id),
                                wave_word(out[i].wave),
                                out[i].selector.as_deref().unwrap_or(""),
                                wave_word(c.wave),
                                c.service
                            ),
                        )
                        .with_help(format!(
                            "narrow one selector, or name `{}` by its id with its wave",
                            topo.id(id)
                        )),
                    );
                    break;
                }
                Some(&(i, false)) if out[i].action == c.action => {}
                Some(&(i, false)) => {
                    errors.push(
                        locate(
                            c,
                            format!(
                                "service `{}` gets two actions from selectors: {} from `{}` and {} from `{}`",
                                topo.id(id),
                                out[i].action.as_str(),
                                out[i].selector.as_deref().unwrap_or(""),
                                c.action.as_str(),
                                c.service
                            ),
                        )
                        .with_help(format!(
                            "narrow one selector, or name `{}` by its id to settle its action",
                            topo.id(id)
                        )),
                    );
                    // One error per pair of selectors is enough.
                    break;
                }
                None => {
                    at.insert(id, (out.len(), false));
                    out.push(Named {
                        service: id,
                        action: c.action,
                        selector: Some(c.service.clone()),
                        planned: c.action.is_planned(),
                        wave: c.wave,
                    });
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
                wave: None,
            })
            .collect();
        assert_eq!(
            resolve(&topo, &changes, None, "test").unwrap().len(),
            60_000
        );
        // The same action twice is one change; another action an error.
        changes.push(changes[5].clone());
        assert_eq!(
            resolve(&topo, &changes, None, "test").unwrap().len(),
            60_000
        );
        let mut other = changes[5].clone();
        other.action = Action::Down;
        changes.push(other);
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

    const FLEET: &str = r#"
[topology]
name = "fleet"
[services.web-1]
kind = "app"
zone = "az-a"
labels = { os = "ubuntu-22.04", pool = "a" }
[services.web-2]
kind = "app"
zone = "az-b"
labels = { os = "ubuntu-22.04", pool = "b" }
[services.web-3]
kind = "app"
zone = "az-b"
labels = { os = "ubuntu-20.04" }
[services.db]
kind = "database"
zone = "az-b"
host = "web-3"
[groups.web]
members = ["web-1", "web-2", "web-3"]
"#;

    fn fleet() -> Topology {
        crate::topology::load("fleet.toml", FLEET).unwrap()
    }

    fn change(s: &str, action: Action) -> Change {
        Change {
            service: s.to_string(),
            action,
            span: None,
            wave: None,
        }
    }

    fn names(t: &Topology, r: &[Named]) -> Vec<(String, Action, Option<String>)> {
        let mut v: Vec<_> = r
            .iter()
            .map(|n| (t.id(n.service).to_string(), n.action, n.selector.clone()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_selector_names_every_service_it_matches() {
        let t = fleet();
        let r = resolve(
            &t,
            &[change("os=ubuntu-22.04", Action::Update)],
            None,
            "cli",
        )
        .unwrap();
        assert_eq!(
            names(&t, &r),
            [
                (
                    "web-1".into(),
                    Action::Update,
                    Some("os=ubuntu-22.04".into())
                ),
                (
                    "web-2".into(),
                    Action::Update,
                    Some("os=ubuntu-22.04".into())
                ),
            ]
        );
        // All pairs must match; built-in keys; wildcards.
        let r = resolve(
            &t,
            &[change("os=ubuntu-*,zone=az-b", Action::Reboot)],
            None,
            "cli",
        )
        .unwrap();
        let ids: Vec<_> = names(&t, &r).into_iter().map(|x| x.0).collect();
        assert_eq!(ids, ["web-2", "web-3"]);
        let r = resolve(
            &t,
            &[change("group=web,kind=app", Action::Reboot)],
            None,
            "cli",
        )
        .unwrap();
        assert_eq!(r.len(), 3);
        let r = resolve(&t, &[change("host=web-3", Action::Reboot)], None, "cli").unwrap();
        assert_eq!(names(&t, &r)[0].0, "db");
        let r = resolve(&t, &[change("id=web-*", Action::Reboot)], None, "cli").unwrap();
        assert_eq!(r.len(), 3);
        // A service without the field never matches, even `*`.
        let r = resolve(&t, &[change("pool=*", Action::Reboot)], None, "cli").unwrap();
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn an_explicit_id_wins_over_a_selector_and_the_same_action_twice_is_one_change() {
        let t = fleet();
        let r = resolve(
            &t,
            &[
                change("os=ubuntu-22.04", Action::Update),
                change("web-1", Action::Down),
                change("pool=*", Action::Update),
                change("web-2", Action::Update),
                change("web-2", Action::Update),
            ],
            None,
            "cli",
        )
        .unwrap();
        assert_eq!(
            names(&t, &r),
            [
                ("web-1".into(), Action::Down, None),
                ("web-2".into(), Action::Update, None),
            ]
        );
    }

    #[test]
    fn two_selectors_with_different_actions_on_one_service_are_an_error_naming_both() {
        let t = fleet();
        let err = resolve(
            &t,
            &[
                change("os=ubuntu-22.04", Action::Update),
                change("zone=az-b", Action::Reboot),
            ],
            None,
            "command line",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("web-2"), "{text}");
        assert!(
            text.contains("os=ubuntu-22.04") && text.contains("zone=az-b"),
            "{text}"
        );
    }

    #[test]
    fn a_selector_that_matches_nothing_is_an_input_error_with_the_values_that_exist() {
        let t = fleet();
        let err = resolve(
            &t,
            &[change("os=debian-12", Action::Update)],
            None,
            "command line",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("matches no service"), "{err}");
        assert!(err.contains("ubuntu-20.04, ubuntu-22.04"), "{err}");
        let err = resolve(&t, &[change("os=", Action::Update)], None, "command line")
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no value"), "{err}");
    }

    #[test]
    fn a_plan_with_selectors_and_acceptances_round_trips() {
        let text = r#"
[plan]
title = "Fleet update"

[[change]]
select = "os=ubuntu-22.04,zone=az-b"
action = "update"

[[change]]
service = "db"
action = "reboot"

[[accept]]
risk = "high"
who = "R. Ops"
why = "the EU site is drained to the US for the window"
at = 2023-06-08T18:00:00+03:00
"#;
        let p = Plan::parse("p.toml", text).unwrap();
        assert!(p.changes[0].is_selector());
        assert_eq!(p.accepts[0].risk, Level::High);
        assert!(p.accepts[0].is_complete());
        let again = Plan::parse("p.toml", &p.to_toml()).unwrap();
        let strip = |p: &Plan| {
            let mut p = p.clone();
            p.changes.iter_mut().for_each(|c| c.span = None);
            p
        };
        assert_eq!(strip(&again), strip(&p));
        assert!(
            p.to_toml()
                .contains("select = \"os=ubuntu-22.04,zone=az-b\"")
        );
    }

    #[test]
    fn an_acceptance_needs_a_level_who_and_why() {
        for (body, what) in [
            (
                "risk = \"huge\"\nwho = \"a\"\nwhy = \"b\"",
                "unknown risk level",
            ),
            ("risk = \"high\"\nwho = \" \"\nwhy = \"b\"", "needs `who`"),
            ("risk = \"high\"\nwho = \"a\"\nwhy = \"\"", "needs `why`"),
        ] {
            let err = Plan::parse("p.toml", &format!("[[accept]]\n{body}\n"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(what), "{what}: {err}");
            assert!(err.contains("p.toml:"), "located: {err}");
        }
        let err = Plan::parse(
            "p.toml",
            "[[change]]\nservice = \"a\"\nselect = \"os=x\"\naction = \"reboot\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("both `service` and `select`"), "{err}");
    }
}
