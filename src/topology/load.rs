//! Raw file -> validated [`Topology`]: every reference resolved, every value
//! in range, and every problem reported with its place in the file.

use super::raw::{Entries, RawFile, RawGroup, RawService};
use super::{Boot, Date, Group, NodeId, Service, Topology, Volume};
use crate::diag::{Diagnostic, Diagnostics, Source, did_you_mean};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use toml::Spanned;

/// Errors from loading a topology: one or more located diagnostics.
pub type LoadError = Diagnostics;

/// Loads and validates a topology file.
///
/// # Errors
/// Every problem found, each located in the file.
pub fn load_file(path: &Path) -> Result<Topology, LoadError> {
    let text = crate::fsutil::read_text_file(path)?;
    load(&path.display().to_string(), &text)
}

/// Parses and validates a topology from text; `name` is what diagnostics
/// call the file.
///
/// # Errors
/// Every problem found, each located in the text.
pub fn load(name: &str, text: &str) -> Result<Topology, LoadError> {
    let src = Source::new(name, text);
    if text.trim().is_empty() {
        return Err(Diagnostic::whole_file(name, "the file is empty")
            .with_help(HEADER_HELP)
            .into());
    }
    let raw: RawFile = toml::from_str(text).map_err(|e| toml_error(&src, &e))?;
    let Some(header) = raw.topology else {
        return Err(Diagnostic::at(&src, 0..0, "there is no [topology] table")
            .with_help(HEADER_HELP)
            .into());
    };
    let mut c = Checker {
        src: &src,
        errors: Vec::new(),
    };
    let header_span = header.span();
    let header = header.into_inner();
    let topo_name = match header.name {
        Some(n) => n.into_inner(),
        None => {
            c.error(
                header_span,
                "[topology] has no `name`",
                "add a line such as name = \"web-stack\"",
            );
            String::new()
        }
    };
    let max_age = match header.failover_test_max_age_days {
        None => 90,
        Some(v) => match u32::try_from(*v.get_ref()) {
            Ok(d) if d <= 36_500 => d,
            _ => {
                c.error(
                    v.span(),
                    "failover_test_max_age_days must be a number of days from 0 to 36500",
                    "the default is 90",
                );
                90
            }
        },
    };
    let index = c.index(&raw.services, &raw.groups);
    let mut own_groups: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (gid, g) in &raw.groups.0 {
        for m in g.get_ref().members.get_ref() {
            own_groups
                .entry(m.get_ref().as_str())
                .or_default()
                .insert(gid.get_ref().as_str());
        }
    }
    let services: Vec<Service> = raw
        .services
        .0
        .into_iter()
        .map(|(id, svc)| {
            let own = own_groups.get(id.get_ref().as_str());
            c.service(&index, own, id, svc)
        })
        .collect();
    let groups: Vec<Group> = raw
        .groups
        .0
        .into_iter()
        .map(|(id, g)| c.group(&index, services.len(), id, g))
        .collect();
    if c.errors.is_empty() {
        Ok(Topology::assemble(
            (topo_name, header.description, max_age),
            services,
            groups,
        ))
    } else {
        Err(Diagnostics(c.errors))
    }
}

const HEADER_HELP: &str = "a topology starts with:\n\n    [topology]\n    name = \"web-stack\"\n\n    [services.web]\n    requires = [\"db\"]\n\n  see topologies/web-stack.toml for a complete example";

/// Turns toml's own error into our diagnostic, adding a suggestion when the
/// problem is a misspelt key or value.
fn toml_error(src: &Source<'_>, e: &toml::de::Error) -> Diagnostics {
    let message = e.message().trim().to_string();
    let first = message.lines().next().unwrap_or("invalid TOML").to_string();
    let help = suggestion_for_unknown(&message);
    let d = match e.span() {
        Some(span) => Diagnostic::at(src, span, first),
        None => Diagnostic::whole_file(src.name, first),
    };
    match help {
        Some(h) => d.with_help(h),
        None => d.with_help("see topologies/web-stack.toml for the format"),
    }
    .into()
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" and "unknown
/// variant" messages: the nearest expected word.
fn suggestion_for_unknown(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (wanted, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    Some(did_you_mean(
        wanted,
        candidates.iter().copied(),
        &format!("expected one of: {}", candidates.join(", ")),
    ))
}

/// True when `id` is a valid service or group id: `[a-zA-Z0-9._-]+`.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

struct Checker<'s, 'a> {
    src: &'s Source<'a>,
    errors: Vec<Diagnostic>,
}

impl Checker<'_, '_> {
    fn error(
        &mut self,
        span: std::ops::Range<usize>,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.errors
            .push(Diagnostic::at(self.src, span, msg).with_help(help));
    }

    /// The id -> node map; services get the first ids, groups the next.
    fn index(
        &mut self,
        services: &Entries<RawService>,
        groups: &Entries<RawGroup>,
    ) -> HashMap<String, NodeId> {
        let mut index = HashMap::with_capacity(services.0.len() + groups.0.len());
        for (i, (id, _)) in services.0.iter().enumerate() {
            self.check_id(id, "service");
            index.insert(id.get_ref().clone(), NodeId(i as u32));
        }
        for (i, (id, _)) in groups.0.iter().enumerate() {
            self.check_id(id, "group");
            if index.contains_key(id.get_ref()) {
                self.error(
                    id.span(),
                    format!("group `{}` has the same id as a service", id.get_ref()),
                    "services and groups share one id space: rename the group, e.g. `{id}-pool`"
                        .replace("{id}", id.get_ref()),
                );
                continue;
            }
            index.insert(id.get_ref().clone(), NodeId((services.0.len() + i) as u32));
        }
        index
    }

    fn check_id(&mut self, id: &Spanned<String>, what: &str) {
        if !valid_id(id.get_ref()) {
            self.error(
                id.span(),
                format!("invalid {what} id `{}`", id.get_ref()),
                "ids may use only letters, digits, `.`, `_` and `-`; put a display name in `name`",
            );
        }
    }

    fn resolve(
        &mut self,
        index: &HashMap<String, NodeId>,
        field: &str,
        r: &Spanned<String>,
    ) -> Option<NodeId> {
        let found = index.get(r.get_ref()).copied();
        if found.is_none() {
            let help = did_you_mean(
                r.get_ref(),
                index.keys().map(String::as_str),
                "name a service or group defined in this file",
            );
            self.error(
                r.span(),
                format!("unknown service or group `{}` in `{field}`", r.get_ref()),
                help,
            );
        }
        found
    }

    fn service(
        &mut self,
        index: &HashMap<String, NodeId>,
        own_groups: Option<&HashSet<&str>>,
        id: Spanned<String>,
        svc: Spanned<RawService>,
    ) -> Service {
        let svc = svc.into_inner();
        let id = id.into_inner();
        let mut requires = Vec::with_capacity(svc.requires.len());
        for r in &svc.requires {
            if *r.get_ref() == id {
                self.error(
                    r.span(),
                    format!("service `{id}` requires itself"),
                    "remove it from `requires`",
                );
            } else if own_groups.is_some_and(|g| g.contains(r.get_ref().as_str())) {
                self.error(
                    r.span(),
                    format!(
                        "service `{id}` requires `{}`, a group it is a member of",
                        r.get_ref()
                    ),
                    "a member cannot need its own group to be up; remove it from `requires`",
                );
            } else if let Some(n) = self.resolve(index, "requires", r) {
                requires.push(n);
            }
        }
        let wants = svc
            .wants
            .iter()
            .filter_map(|r| self.resolve(index, "wants", r))
            .collect();
        let users = svc.users.and_then(|u| {
            let v = *u.get_ref();
            if v > 0.0 && v <= 1.0 {
                Some(v)
            } else {
                self.error(
                    u.span(),
                    format!("`users` is {v}, outside (0, 1]"),
                    "`users` is the share of all users entering here, e.g. 0.3 for 30%; omit it for a service that is not an entry point",
                );
                None
            }
        });
        if let Some(p) = &svc.probe
            && let Err(why) = check_probe(p.get_ref())
        {
            self.error(
                p.span(),
                format!("invalid probe `{}`: {why}", p.get_ref()),
                "write tcp://host:port or an http:// or https:// URL",
            );
        }
        let boot = match svc.boot {
            None => Boot::default(),
            Some(b) => Boot {
                autostart: b.autostart.unwrap_or(true),
                minutes: b.minutes.and_then(|m| match u32::try_from(*m.get_ref()) {
                    Ok(v) => Some(v),
                    Err(_) => {
                        self.error(
                            m.span(),
                            "boot `minutes` must be zero or more",
                            "the expected minutes until the service is back",
                        );
                        None
                    }
                }),
                volumes: b
                    .volumes
                    .into_iter()
                    .map(|v| Volume {
                        path: v.path.into_inner(),
                        automount: v.automount.unwrap_or(true),
                    })
                    .collect(),
            },
        };
        Service {
            name: svc.name.unwrap_or_else(|| id.clone()),
            id,
            kind: svc.kind,
            team: svc.team,
            oncall: svc.oncall,
            criticality: svc.criticality.unwrap_or_default(),
            users,
            state: svc.state.unwrap_or_default(),
            zone: svc.zone,
            monitored: svc.monitored,
            recovery: svc.recovery.unwrap_or(false),
            requires,
            wants,
            probe: svc.probe.map(Spanned::into_inner),
            runbook: svc.runbook,
            boot,
        }
    }

    fn group(
        &mut self,
        index: &HashMap<String, NodeId>,
        service_count: usize,
        id: Spanned<String>,
        g: Spanned<RawGroup>,
    ) -> Group {
        let g = g.into_inner();
        let id = id.into_inner();
        let members_span = g.members.span();
        let mut members: Vec<NodeId> = Vec::new();
        for m in g.members.get_ref() {
            let Some(n) = self.resolve(index, "members", m) else {
                continue;
            };
            if n.index() >= service_count {
                self.error(
                    m.span(),
                    format!(
                        "`{}` is a group; group members must be services",
                        m.get_ref()
                    ),
                    "list the services of that group here instead",
                );
            } else if members.contains(&n) {
                self.error(
                    m.span(),
                    format!("`{}` is listed twice in `members`", m.get_ref()),
                    "list each member once",
                );
            } else {
                members.push(n);
            }
        }
        let listed = g.members.get_ref().len();
        if listed == 0 {
            self.error(
                members_span.clone(),
                format!("group `{id}` has no members"),
                "list the services that can stand in for each other",
            );
        }
        let min_up = match g.min_up {
            None => 1,
            Some(v) => {
                let n = *v.get_ref();
                if n >= 1 && n as usize <= listed.max(1) {
                    n as usize
                } else {
                    self.error(
                        v.span(),
                        format!("`min_up` is {n}, outside 1..={listed} (the number of members)"),
                        "min_up is how many members must be up for the group to serve",
                    );
                    1
                }
            }
        };
        let last_tested = g.last_tested.and_then(|v| {
            let span = v.span();
            match v.into_inner() {
                toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                    dt.date.map(Date::from)
                }
                other => {
                    let shown = match &other {
                        toml::Value::String(s) => format!("the string \"{s}\""),
                        toml::Value::Datetime(_) => "a date with a time".to_string(),
                        o => format!("a {}", o.type_str()),
                    };
                    self.error(
                        span,
                        format!("`last_tested` must be a TOML date, not {shown}"),
                        "write a bare date without quotes, e.g. last_tested = 2023-03-01",
                    );
                    None
                }
            }
        });
        Group {
            id,
            members,
            mode: g.mode.unwrap_or_default(),
            min_up,
            failover: g.failover.unwrap_or_default(),
            last_tested,
        }
    }
}

/// Checks a live-probe address: `tcp://host:port` or an http(s) URL.
fn check_probe(p: &str) -> Result<(), &'static str> {
    if let Some(rest) = p.strip_prefix("tcp://") {
        let (host, port) = rest.rsplit_once(':').ok_or("a tcp probe needs a port")?;
        if host.is_empty() || host.contains('/') {
            return Err("a tcp probe needs a host");
        }
        match port.parse::<u16>() {
            Ok(p) if p > 0 => Ok(()),
            _ => Err("the port must be a number from 1 to 65535"),
        }
    } else if let Some(rest) = p
        .strip_prefix("http://")
        .or_else(|| p.strip_prefix("https://"))
    {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || host.contains(char::is_whitespace) {
            Err("the URL needs a host")
        } else {
            Ok(())
        }
    } else {
        Err("unknown scheme")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes() {
        assert!(check_probe("tcp://10.0.0.5:443").is_ok());
        assert!(check_probe("https://lb.example/health").is_ok());
        assert!(check_probe("tcp://10.0.0.5").is_err());
        assert!(check_probe("tcp://:80").is_err());
        assert!(check_probe("tcp://h:0").is_err());
        assert!(check_probe("ftp://h").is_err());
        assert!(check_probe("http://").is_err());
    }

    #[test]
    fn ids() {
        assert!(valid_id("db-primary.eu_1"));
        assert!(!valid_id("db primary"));
        assert!(!valid_id(""));
        assert!(!valid_id("dé"));
    }

    #[test]
    fn suggests_misspelt_field() {
        let h =
            suggestion_for_unknown("unknown field `requries`, expected one of `requires`, `wants`");
        assert_eq!(h.as_deref(), Some("did you mean `requires`?"));
    }
}
