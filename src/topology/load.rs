//! Raw file -> validated [`Topology`]: every reference resolved, every value
//! in range, and every problem reported with its place in the file.

mod fast;
mod ids;

use super::raw::{Entries, Entry, RawFile, RawGroup, RawLive, RawService, ServiceEntry, Str};
use super::{Boot, Date, Group, LiveTable, NodeId, Service, Topology, Volume};
use crate::diag::{Diagnostic, Diagnostics, Source, did_you_mean};
use ids::IdTable;
use std::borrow::Cow;
use std::collections::HashMap;
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
    crate::text::phase("load: read");
    let raw: RawFile = fast::parse_file(text).map_err(|e| {
        crate::diag::from_toml(&src, &e, "`blastradius example` prints a complete topology; `blastradius schema` its JSON Schema")
    })?;
    let Some(header) = raw.topology else {
        return Err(Diagnostic::at(&src, 0..0, "there is no [topology] table")
            .with_help(HEADER_HELP)
            .into());
    };
    let mut c = Checker::new(&src);
    let header_span = header.span();
    let header = header.into_inner();
    let topo_name = match header.name {
        Some(n) => n.into_inner().into_owned(),
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
    let RawFile {
        services: Entries(mut raw_services),
        groups: Entries(mut raw_groups),
        live: raw_live,
        ..
    } = raw;
    crate::text::phase("load: parsed");
    let live = raw_live.map(|l| c.live(&l.into_inner()));
    // Topology order is id order (`toml` gives tables sorted, and so do the
    // split pieces once merged); made certain here, since lookups by id
    // search the sorted services and groups.
    sort_by_id(&mut raw_services);
    sort_by_id(&mut raw_groups);
    // The id index, then the checks of groups and of services on every
    // core. Each run of entries keeps its errors in order and the runs are
    // joined in order, services' errors before groups', as they always
    // were; groups are checked first only because a service's check looks
    // at their members.
    let (index, colliding) = c.index(&raw_services, &raw_groups);
    crate::text::phase("load: indexed");
    let (groups, group_errors) = per_core(
        &raw_groups,
        &src,
        |_, (_, g)| {
            for m in g.get_ref().members.get_ref() {
                index.prefetch(m.get_ref());
            }
        },
        |c, _, (id, g), ()| c.group(&index, raw_services.len(), id.get_ref(), g.get_ref()),
    );
    // Each group's members sorted, so that "does this service require a
    // group it is in" is a binary search, not a scan of a million members
    // for each of a million services.
    let sorted_members: Vec<Vec<NodeId>> = groups
        .iter()
        .map(|g| {
            let mut m = g.members.clone();
            m.sort_unstable();
            m
        })
        .collect();
    let names = Names {
        index: &index,
        colliding: &colliding,
        sorted_members: &sorted_members,
        services: raw_services.len(),
    };
    // Each service is read from its text one ahead of its check, and the
    // slots of the ids it names fetched meanwhile (the text of the one
    // after it, too).
    let (services, errors) = per_core(
        &raw_services,
        &src,
        |at, (_, svc)| {
            if let Some((_, ServiceEntry::Text(t))) =
                raw_services.get(at + 1).map(|(k, e)| (k, e.get_ref()))
            {
                ids::prefetch(text[t.start..].as_ptr());
            }
            let read = match svc.get_ref() {
                ServiceEntry::Parsed(_) => None,
                ServiceEntry::Text(table) => Some(fast::service(text, table.clone())),
            };
            if let Some(svc) = &read {
                for r in svc.requires.iter().chain(svc.wants.iter()) {
                    index.prefetch(r.id);
                }
                if let Some(h) = &svc.host {
                    index.prefetch(h.get_ref());
                }
            }
            read
        },
        |c, at, (id, svc), read| {
            let svc = match (svc.get_ref(), &read) {
                (ServiceEntry::Parsed(svc), _) => &**svc,
                (ServiceEntry::Text(_), Some(read)) => read,
                (ServiceEntry::Text(_), None) => unreachable!("a table's text is read ahead"),
            };
            c.service(&names, at, id.get_ref(), svc)
        },
    );
    c.errors.extend(errors);
    c.errors.extend(group_errors);
    crate::text::phase("load: checked");
    if c.errors.is_empty()
        && let Some(cycle) = host_cycle(&services)
    {
        let first = &raw_services[cycle[0]];
        let mut names: Vec<&str> = cycle.iter().map(|&i| services[i].id.as_str()).collect();
        names.push(names[0]);
        c.error(
            first.1.span(),
            format!("the services run on each other: {}", names.join(" -> ")),
            "`host` names the machine a service runs on, so hosts cannot form a cycle: remove one `host`",
        );
    }
    if !c.errors.is_empty() {
        return Err(Diagnostics(c.errors));
    }
    // The index borrows the raw ids: it goes first.
    drop(index);
    drop(colliding);
    // Freed before the topology is assembled, which then reuses the memory.
    drop((raw_services, raw_groups));
    let mut topo = Topology::assemble(
        (topo_name, header.description.map(Cow::into_owned), max_age),
        services,
        groups,
    );
    topo.live = live;
    crate::text::phase("load: assembled");
    Ok(topo)
}

/// Sorts entries by id, unless they already are (they come sorted).
fn sort_by_id<T>(entries: &mut [Entry<'_, T>]) {
    let by_id = |a: &Entry<'_, T>, b: &Entry<'_, T>| a.0.get_ref().cmp(b.0.get_ref());
    if !entries.is_sorted_by(|a, b| by_id(a, b).is_le()) {
        entries.sort_by(by_id);
    }
}

/// Entries per run below which one core does the work: threads cost more
/// than they save on small files.
const PER_CORE_MIN: usize = 2048;

/// `f` on every item (with its index and a checker per core), on
/// consecutive runs of `items`, one run per core: the results in order, and
/// the errors of the runs joined in order.
///
/// The results are written in place into one vector: a million services
/// built in parts and then joined were, for a moment, held twice.
///
/// Each item is first made ready by `ready`, one item ahead of `f`: what
/// `ready` starts fetching (the slots of the ids an item names) arrives
/// while `f` works on the item before.
fn per_core<'a, T: Sync, P, R: Send>(
    items: &'a [T],
    src: &Source<'_>,
    ready: impl Fn(usize, &'a T) -> P + Sync,
    f: impl Fn(&mut Checker<'_, '_>, usize, &'a T, P) -> R + Sync,
) -> (Vec<R>, Vec<Diagnostic>) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let runs = cores.min(items.len() / PER_CORE_MIN).max(1);
    let size = items.len().div_ceil(runs).max(1);
    let mut out: Vec<R> = Vec::with_capacity(items.len());
    let slots = &mut out.spare_capacity_mut()[..items.len()];
    let (f, ready) = (&f, &ready);
    let run = |first: usize, run: &'a [T], slots: &mut [std::mem::MaybeUninit<R>]| {
        let mut c = Checker::new(src);
        let mut next = run.first().map(|item| ready(first, item));
        for (k, (item, slot)) in run.iter().zip(slots.iter_mut()).enumerate() {
            let this = next.take().expect("made ready one item ahead");
            next = run.get(k + 1).map(|item| ready(first + k + 1, item));
            slot.write(f(&mut c, first + k, item, this));
        }
        c.errors
    };
    let errors: Vec<Diagnostic> = if runs == 1 {
        run(0, items, slots)
    } else {
        std::thread::scope(|s| {
            let mut parts = items.chunks(size).zip(slots.chunks_mut(size)).enumerate();
            let (_, (first_run, first_slots)) = parts.next().expect("at least one run");
            let rest: Vec<_> = parts
                .map(|(i, (items, slots))| s.spawn(move || run(i * size, items, slots)))
                .collect();
            let mut errors = run(0, first_run, first_slots);
            for h in rest {
                errors.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            }
            errors
        })
    };
    // SAFETY: the runs cover `0..items.len()` and each wrote every slot of
    // its run (a panic in any of them unwinds past this line, leaking what
    // was written, never exposing what was not).
    unsafe { out.set_len(items.len()) };
    (out, errors)
}

/// How names in `requires`, `wants` and `members` resolve.
struct Names<'r> {
    index: &'r IdTable<'r>,
    /// Groups whose id is also a service's (an error already reported):
    /// not in the index, but still groups a service may be a member of.
    colliding: &'r IdMap<'r>,
    /// Each group's members, sorted by node.
    sorted_members: &'r [Vec<NodeId>],
    services: usize,
}

impl Names<'_> {
    /// True when `name` is a group and `member` is one of its members.
    ///
    /// # Complexity
    /// O(log members).
    fn group_has(&self, name: &str, member: NodeId) -> bool {
        let id = match self.index.get(name) {
            Some(n) if n.index() >= self.services => n,
            Some(_) => match self.colliding.get(name) {
                Some(&n) => n,
                None => return false,
            },
            None => return false,
        };
        self.sorted_members
            .get(id.index() - self.services)
            .is_some_and(|m| m.binary_search(&member).is_ok())
    }
}

/// FxHash with a final mix, for the id index: ids are short and come from
/// the operator's own file, so a fast hash serves better here than
/// SipHash's defence against crafted keys (every reference of a 100,000
/// service file, about 400,000 of them, is looked up).
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        // splitmix64's finaliser: every bit of the table index depends on
        // every byte.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

type IdBuild = std::hash::BuildHasherDefault<IdHasher>;
type IdMap<'r> = HashMap<&'r str, NodeId, IdBuild>;

const HEADER_HELP: &str = "a topology starts with:\n\n    [topology]\n    name = \"web-stack\"\n\n    [services.web]\n    requires = [\"db\"]\n\n  `blastradius example` prints a complete one";

/// True when `key` is a valid label key: `[a-zA-Z0-9._/-]+`.
pub(crate) fn valid_label_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'))
}

/// The first cycle of `host`s, as the services on it in host order.
///
/// # Complexity
/// O(services): each service is coloured once, without recursion.
fn host_cycle(services: &[Service]) -> Option<Vec<usize>> {
    // 0: not seen, 1: on the chain being followed, 2: done.
    let mut mark = vec![0u8; services.len()];
    let mut chain = Vec::new();
    for i in 0..services.len() {
        let mut at = i;
        while mark[at] == 0 {
            mark[at] = 1;
            chain.push(at);
            match services[at].host {
                Some(h) => at = h.index(),
                None => break,
            }
        }
        if mark[at] == 1 && services[at].host.is_some() {
            let from = chain.iter().position(|&c| c == at).expect("on the chain");
            return Some(chain[from..].to_vec());
        }
        for c in chain.drain(..) {
            mark[c] = 2;
        }
    }
    None
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
    /// "did you mean" per unknown name already met: ten thousand references
    /// to one misspelt id cost one search.
    suggested: HashMap<String, String>,
}

impl<'s, 'a> Checker<'s, 'a> {
    fn new(src: &'s Source<'a>) -> Self {
        Checker {
            src,
            errors: Vec::new(),
            suggested: HashMap::new(),
        }
    }

    /// True once this checker holds as many errors as are shown: the rest
    /// are only counted, so they are neither located nor given help.
    fn full(&self) -> bool {
        self.errors.len() >= crate::diag::MAX_SHOWN
    }

    fn error(
        &mut self,
        span: std::ops::Range<usize>,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = if self.full() {
            Diagnostic::whole_file(self.src.name, msg)
        } else {
            Diagnostic::at(self.src, span, msg).with_help(help)
        };
        self.errors.push(d);
    }

    /// The id -> node map; services get the first ids, groups the next.
    fn index<'r>(
        &mut self,
        services: &'r [Entry<'_, ServiceEntry<'_>>],
        groups: &'r [Entry<'_, Box<RawGroup<'_>>>],
    ) -> (IdTable<'r>, IdMap<'r>) {
        let mut index = IdTable::with_capacity(services.len() + groups.len());
        let mut colliding = IdMap::default();
        // The ids lie all over the text and their slots all over the
        // table: each is fetched a few entries ahead, the id's text first
        // and then (once it is there to hash) its slot.
        let ids: Vec<&'r str> = services
            .iter()
            .map(|(id, _)| id.get_ref().as_ref())
            .chain(groups.iter().map(|(id, _)| id.get_ref().as_ref()))
            .collect();
        let ahead = |index: &IdTable<'r>, i: usize| {
            if let Some(id) = ids.get(i + 16) {
                ids::prefetch(id.as_ptr());
            }
            if let Some(id) = ids.get(i + 8) {
                index.prefetch(id);
            }
        };
        for (i, (id, _)) in services.iter().enumerate() {
            ahead(&index, i);
            self.check_id(id, "service");
            index.insert(id.get_ref().as_ref(), NodeId(i as u32));
        }
        for (i, (id, _)) in groups.iter().enumerate() {
            ahead(&index, services.len() + i);
            self.check_id(id, "group");
            if index.contains_key(id.get_ref().as_ref()) {
                self.error(
                    id.span(),
                    format!("group `{}` has the same id as a service", id.get_ref()),
                    "services and groups share one id space: rename the group, e.g. `{id}-pool`"
                        .replace("{id}", id.get_ref()),
                );
                colliding.insert(id.get_ref().as_ref(), NodeId((services.len() + i) as u32));
                continue;
            }
            index.insert(id.get_ref().as_ref(), NodeId((services.len() + i) as u32));
        }
        (index, colliding)
    }

    fn check_id(&mut self, id: &Spanned<Str<'_>>, what: &str) {
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
        index: &IdTable<'_>,
        field: &str,
        r: &Spanned<Str<'_>>,
    ) -> Option<NodeId> {
        self.resolve_at(index, field, r.get_ref(), r.span())
    }

    fn resolve_at(
        &mut self,
        index: &IdTable<'_>,
        field: &str,
        name: &str,
        span: std::ops::Range<usize>,
    ) -> Option<NodeId> {
        let found = index.get(name);
        if found.is_none() {
            let help = match self.suggested.get(name) {
                Some(h) => h.clone(),
                None if self.full() => String::new(),
                None => {
                    let h = did_you_mean(
                        name,
                        index.keys(),
                        "name a service or group defined in this file",
                    );
                    self.suggested.insert(name.to_string(), h.clone());
                    h
                }
            };
            self.error(
                span,
                format!("unknown service or group `{name}` in `{field}`"),
                help,
            );
        }
        found
    }

    /// Checks the service at position `at` and builds it.
    fn service(&mut self, names: &Names<'_>, at: usize, id: &str, svc: &RawService<'_>) -> Service {
        let index = names.index;
        let me = NodeId(at as u32);
        let mut requires = Vec::new();
        for r in svc.requires.iter() {
            if r.id == id {
                self.error(
                    r.span,
                    format!("service `{id}` requires itself"),
                    "remove it from `requires`",
                );
            } else if names.group_has(r.id, me) {
                self.error(
                    r.span,
                    format!(
                        "service `{id}` requires `{}`, a group it is a member of",
                        r.id
                    ),
                    "a member cannot need its own group to be up; remove it from `requires`",
                );
            } else if let Some(n) = self.resolve_at(index, "requires", r.id, r.span) {
                requires.push(n);
            }
        }
        let wants = svc
            .wants
            .iter()
            .filter_map(|r| self.resolve_at(index, "wants", r.id, r.span))
            .collect();
        let users = svc.users.as_ref().and_then(|u| {
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
        if let Some(b) = &svc.boot {
            // Each volume is one checklist item (`verify-volumes:ID:PATH`):
            // a path listed twice would make two items of one id, ticked
            // together, and two `automount` answers for one mount.
            let mut paths = std::collections::HashSet::new();
            for v in &b.volumes {
                if !paths.insert(v.path.get_ref().as_ref()) {
                    self.error(
                        v.path.span(),
                        format!("volume `{}` is listed twice for `{id}`", v.path.get_ref()),
                        "list each volume path once, with one `automount`",
                    );
                }
            }
        }
        let boot = match &svc.boot {
            None => Boot::default(),
            Some(b) => Boot {
                autostart: b.autostart.unwrap_or(true),
                minutes: b
                    .minutes
                    .as_ref()
                    .and_then(|m| match u32::try_from(*m.get_ref()) {
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
                    .iter()
                    .map(|v| Volume {
                        path: v.path.get_ref().to_string(),
                        automount: v.automount.unwrap_or(true),
                    })
                    .collect(),
            },
        };
        let host = svc.host.as_ref().and_then(|h| {
            if h.get_ref() == id {
                self.error(
                    h.span(),
                    format!("service `{id}` is its own host"),
                    "`host` names the machine this service runs on; remove it or name another service",
                );
                return None;
            }
            let n = self.resolve(index, "host", h)?;
            if n.index() >= names.services {
                self.error(
                    h.span(),
                    format!("`{}` is a group; a host must be a service", h.get_ref()),
                    "name the one machine this service runs on",
                );
                return None;
            }
            Some(n)
        });
        let mut labels: Vec<(String, String)> = Vec::new();
        if let Some(l) = &svc.labels {
            for (k, v) in &l.get_ref().0 {
                if !valid_label_key(k.get_ref()) {
                    let span = if k.span().is_empty() {
                        l.span()
                    } else {
                        k.span()
                    };
                    self.error(
                        span,
                        format!("invalid label key `{}`", k.get_ref()),
                        "label keys may use only letters, digits, `.`, `_`, `/` and `-` (quote a key with `.` or `/`)",
                    );
                    continue;
                }
                labels.push((k.get_ref().to_string(), v.get_ref().to_string()));
            }
            labels.sort();
        }
        let owned = |s: &Option<Str<'_>>| s.as_deref().map(str::to_string);
        Service {
            id: id.to_string(),
            name: svc.name.as_deref().unwrap_or(id).to_string(),
            kind: owned(&svc.kind),
            team: owned(&svc.team),
            oncall: owned(&svc.oncall),
            criticality: svc.criticality.unwrap_or_default(),
            users,
            state: svc.state.unwrap_or_default(),
            zone: owned(&svc.zone),
            monitored: svc.monitored,
            recovery: svc.recovery.unwrap_or(false),
            requires,
            wants,
            probe: svc.probe.as_ref().map(|p| p.get_ref().to_string()),
            runbook: owned(&svc.runbook),
            host,
            labels,
            boot,
        }
    }

    /// Checks the `[live]` table and builds it.
    fn live(&mut self, l: &RawLive<'_>) -> LiveTable {
        let mut url = |field: &str, v: &Option<Spanned<Str<'_>>>| {
            let v = v.as_ref()?;
            match check_http_url(v.get_ref()) {
                Ok(()) => Some(v.get_ref().to_string()),
                Err(why) => {
                    self.error(
                        v.span(),
                        format!("invalid `{field}` URL `{}`: {why}", v.get_ref()),
                        format!(
                            "write an http:// or https:// base URL, e.g. http://{field}:{}",
                            if field == "prometheus" { 9090 } else { 9093 }
                        ),
                    );
                    None
                }
            }
        };
        let prometheus = url("prometheus", &l.prometheus);
        let alertmanager = url("alertmanager", &l.alertmanager);
        let label = match &l.label {
            None => LiveTable::DEFAULT_LABEL.to_string(),
            Some(v) if valid_metric_label(v.get_ref()) => v.get_ref().to_string(),
            Some(v) => {
                self.error(
                    v.span(),
                    format!("invalid `label` `{}`", v.get_ref()),
                    "a Prometheus label name: a letter or `_`, then letters, digits or `_`, not starting with `__`; the default is \"service\"",
                );
                LiveTable::DEFAULT_LABEL.to_string()
            }
        };
        let timeout_ms = match &l.timeout_ms {
            None => LiveTable::DEFAULT_TIMEOUT_MS,
            Some(v) => match u32::try_from(*v.get_ref()) {
                Ok(ms) if (1..=600_000).contains(&ms) => ms,
                _ => {
                    self.error(
                        v.span(),
                        format!("`timeout_ms` is {}, outside 1..=600000", v.get_ref()),
                        "the bound of each probe and query in milliseconds; the default is 2000",
                    );
                    LiveTable::DEFAULT_TIMEOUT_MS
                }
            },
        };
        LiveTable {
            prometheus,
            alertmanager,
            label,
            timeout_ms,
        }
    }

    fn group(
        &mut self,
        index: &IdTable<'_>,
        service_count: usize,
        id: &str,
        g: &RawGroup<'_>,
    ) -> Group {
        let members_span = g.members.span();
        let mut members: Vec<NodeId> = Vec::new();
        // Members already listed: a set, since a group may have a million.
        let mut listed_once: std::collections::HashSet<NodeId, IdBuild> = Default::default();
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
            } else if !listed_once.insert(n) {
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
        let min_up = match &g.min_up {
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
        let last_tested = g.last_tested.as_ref().and_then(|v| match v.get_ref() {
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                dt.date.map(Date::from)
            }
            other => {
                let shown = match other {
                    toml::Value::String(s) => format!("the string \"{s}\""),
                    toml::Value::Datetime(_) => "a date with a time".to_string(),
                    o => format!("a {}", o.type_str()),
                };
                self.error(
                    v.span(),
                    format!("`last_tested` must be a TOML date, not {shown}"),
                    "write a bare date without quotes, e.g. last_tested = 2023-03-01",
                );
                None
            }
        });
        Group {
            id: id.to_string(),
            members,
            mode: g.mode.unwrap_or_default(),
            min_up,
            failover: g.failover.unwrap_or_default(),
            last_tested,
        }
    }
}

/// True when `name` is a Prometheus label name, `[a-zA-Z_][a-zA-Z0-9_]*`,
/// and not one of the `__` names Prometheus keeps for itself (as
/// `--alert-label` is checked).
pub(crate) fn valid_metric_label(name: &str) -> bool {
    if name.starts_with("__") {
        return false;
    }
    let mut b = name.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Checks an http(s) URL, as probes and `[live]` servers are written.
pub(crate) fn check_http_url(p: &str) -> Result<(), &'static str> {
    let Some(rest) = p
        .strip_prefix("http://")
        .or_else(|| p.strip_prefix("https://"))
    else {
        return Err("unknown scheme");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) {
        Err("the URL needs a host")
    } else {
        Ok(())
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
    } else {
        check_http_url(p)
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
    fn live_table() {
        let head = "[topology]\nname = \"t\"\n";
        let t = load("t.toml", &format!("{head}[live]\n")).unwrap();
        assert_eq!(t.live, Some(LiveTable::default()));
        assert_eq!(load("t.toml", head).unwrap().live, None);
        let t = load(
            "t.toml",
            &format!("{head}[live]\nprometheus = \"http://p:9090\"\nalertmanager = \"https://am.example/am/\"\nlabel = \"app_id\"\ntimeout_ms = 600000\n"),
        )
        .unwrap();
        let l = t.live.unwrap();
        assert_eq!(l.prometheus.as_deref(), Some("http://p:9090"));
        assert_eq!(l.alertmanager.as_deref(), Some("https://am.example/am/"));
        assert_eq!((l.label.as_str(), l.timeout_ms), ("app_id", 600_000));
        for (bad, says) in [
            ("prometheus = \"tcp://p:9090\"", "invalid `prometheus` URL"),
            ("alertmanager = \"http://\"", "invalid `alertmanager` URL"),
            ("prometheus = \"http://a b\"", "invalid `prometheus` URL"),
            ("label = \"1x\"", "invalid `label`"),
            ("label = \"a-b\"", "invalid `label`"),
            ("label = \"\"", "invalid `label`"),
            ("timeout_ms = 0", "outside 1..=600000"),
            ("timeout_ms = 600001", "outside 1..=600000"),
            ("timeout_ms = -5", "outside 1..=600000"),
            ("timeout = 5", "unknown field"),
        ] {
            let e = load("t.toml", &format!("{head}[live]\n{bad}\n")).unwrap_err();
            assert!(e.0[0].message.contains(says), "{bad}: {}", e.0[0].message);
        }
    }

    #[test]
    fn metric_labels() {
        assert!(valid_metric_label("service"));
        assert!(valid_metric_label("_x9"));
        assert!(!valid_metric_label("9x"));
        assert!(!valid_metric_label("a.b"));
        assert!(!valid_metric_label("__name__"));
        assert!(!valid_metric_label(""));
    }

    #[test]
    fn ten_thousand_references_to_one_misspelt_id_cost_one_search_and_fifty_errors() {
        // Under PER_CORE_MIN services: one run, on this thread, where the
        // distances are counted.
        let n = 2000;
        let mut text = String::from("[topology]\nname = \"t\"\n[services.database-primary]\n");
        for i in 0..n {
            text.push_str(&format!(
                "[services.svc-{i:011}]\nrequires = [\"database-primray\"]\n"
            ));
        }
        let before = crate::diag::DISTANCES.with(|c| c.get());
        let err = load("t.toml", &text).unwrap_err();
        let measured = crate::diag::DISTANCES.with(|c| c.get()) - before;
        assert_eq!(err.0.len(), n, "every error is counted");
        // The ids are all as long as the typo: one search over them, not one
        // per reference.
        assert!(measured <= n + 1, "{measured} edit distances");
        let shown = err.to_string();
        assert_eq!(
            shown.matches("did you mean `database-primary`?").count(),
            50
        );
        assert!(shown.contains("1950 more errors not shown"), "{shown}");
    }

    #[test]
    fn a_service_requiring_a_huge_group_it_belongs_to_is_found_by_search() {
        let n = 50_000;
        let mut text = String::from("[topology]\nname = \"t\"\n");
        for i in 0..n {
            text.push_str(&format!("[services.m{i}]\nrequires = [\"g\"]\n"));
        }
        text.push_str("[groups.g]\nmembers = [");
        for i in 0..n {
            text.push_str(&format!("\"m{i}\","));
        }
        text.push_str("\"m0\"]\n");
        let err = load("t.toml", &text).unwrap_err();
        // Each member requires its own group, and m0 is listed twice.
        assert_eq!(err.0.len(), n + 1);
        assert!(
            err.0
                .iter()
                .any(|d| d.message.contains("`m0` is listed twice"))
        );
    }

    #[test]
    fn a_volume_path_listed_twice_is_an_error() {
        let err = load(
            "t.toml",
            "[topology]\nname = \"t\"\n[services.db.boot]\nvolumes = [{ path = \"/d\" }, { path = \"/d\", automount = false }]\n",
        )
        .unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert!(
            err.0[0]
                .message
                .contains("volume `/d` is listed twice for `db`"),
            "{:?}",
            err.0[0]
        );
        assert_eq!(err.0[0].line, 4);
    }

    #[test]
    fn ids() {
        assert!(valid_id("db-primary.eu_1"));
        assert!(!valid_id("db primary"));
        assert!(!valid_id(""));
        assert!(!valid_id("dé"));
    }
}
