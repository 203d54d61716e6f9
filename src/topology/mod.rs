//! The topology: services, what each needs, and which can stand in for each
//! other.
//!
//! A [`Topology`] is only ever built by [`load`](load::load) from a file that
//! passed validation, so it cannot hold a dangling reference: every
//! [`NodeId`] it hands out names a real service or group.

mod lint;
mod load;
mod raw;
mod schema;

pub use lint::{Warning, lint, lint_at};
pub use load::{LoadError, load, load_file};
pub(crate) use load::{check_http_url, valid_label_key};
pub use schema::{json_schema, json_schema_text};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::HashMap;

/// A handle to a service or a group of one topology (they share one id space).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    /// Position in [`Topology::nodes`]-ordered arrays.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What is known about a service now, before the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    #[default]
    Up,
    Degraded,
    Down,
}

/// How much a service matters to the business.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    serde::Deserialize,
    serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

impl Criticality {
    /// The word used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Low => "low",
            Criticality::Medium => "medium",
            Criticality::High => "high",
            Criticality::Critical => "critical",
        }
    }
}

/// How a redundancy group serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// `members[0]` serves; the others stand by.
    ActivePassive,
    /// Every member serves.
    #[default]
    ActiveActive,
}

/// Whether a standby takes over by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Failover {
    #[default]
    Automatic,
    Manual,
}

/// A calendar date (the TOML local date of `last_tested` and plan windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Days since 1970-01-01 (proleptic Gregorian), for date arithmetic.
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Today's date in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Date::from_days_since_epoch(secs.div_euclid(86_400))
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let dt: toml::value::Datetime = s.parse().ok()?;
        match (dt.date, dt.time) {
            (Some(d), None) => Some(Date::from(d)),
            _ => None,
        }
    }
}

impl From<toml::value::Date> for Date {
    fn from(d: toml::value::Date) -> Self {
        Date {
            year: i32::from(d.year),
            month: u32::from(d.month),
            day: u32::from(d.day),
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A data volume a service needs at boot.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    pub path: String,
    pub automount: bool,
}

/// How a service comes back after a reboot.
#[derive(Debug, Clone, PartialEq)]
pub struct Boot {
    pub autostart: bool,
    pub minutes: Option<u32>,
    pub volumes: Vec<Volume>,
}

impl Default for Boot {
    fn default() -> Self {
        Boot {
            autostart: true,
            minutes: None,
            volumes: Vec::new(),
        }
    }
}

/// One service of the topology.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub kind: Option<String>,
    pub team: Option<String>,
    pub oncall: Option<String>,
    pub criticality: Criticality,
    /// Share of users entering here; `Some` makes this an entry point.
    pub users: Option<f64>,
    pub state: State,
    pub zone: Option<String>,
    /// `None` when the file does not say.
    pub monitored: Option<bool>,
    pub recovery: bool,
    /// Hard dependencies, in file order.
    pub requires: Vec<NodeId>,
    /// Soft dependencies, in file order.
    pub wants: Vec<NodeId>,
    pub probe: Option<String>,
    pub runbook: Option<String>,
    /// The service this one runs on (a VM's hypervisor, a pod's node): a
    /// reboot of the host reboots it, and it is down while the host is.
    pub host: Option<NodeId>,
    /// `key = "value"` pairs for selectors, sorted by key.
    pub labels: Vec<(String, String)>,
    pub boot: Boot,
}

impl Service {
    /// The value of label `key`, if the service has it.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.labels[i].1.as_str())
    }

    /// The owner shown on checklist items: the team, else the on-call, else
    /// a placeholder that says the owner is unknown.
    pub fn owner(&self) -> &str {
        self.team
            .as_deref()
            .or(self.oncall.as_deref())
            .unwrap_or("unowned")
    }
}

/// A redundancy group: members that can stand in for each other.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: String,
    pub members: Vec<NodeId>,
    pub mode: Mode,
    pub min_up: usize,
    pub failover: Failover,
    pub last_tested: Option<Date>,
}

/// A service or a group.
#[derive(Debug, Clone, Copy)]
pub enum Node<'t> {
    Service(&'t Service),
    Group(&'t Group),
}

/// The kind of an edge of the dependency graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// From a service to what it needs hard.
    Requires,
    /// From a service to what it would like.
    Wants,
    /// From a group to one of its members.
    Member,
    /// From a service to the service it runs on: a `requires` in the walk.
    Host,
}

/// The `[live]` table: where `--live` reads the estate's current state.
/// Validated: the URLs are http(s), the label a Prometheus label name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTable {
    /// Base URL of a Prometheus server (`/api/v1/query` is appended).
    pub prometheus: Option<String>,
    /// Base URL of an Alertmanager (`/api/v2/...` is appended).
    pub alertmanager: Option<String>,
    /// The series and alert label that carries a service id.
    pub label: String,
    /// Bound of each probe and query, in milliseconds (1..=600000).
    pub timeout_ms: u32,
}

impl LiveTable {
    /// The label used when the file does not say.
    pub const DEFAULT_LABEL: &str = "service";
    /// The timeout used when the file does not say.
    pub const DEFAULT_TIMEOUT_MS: u32 = 2000;
}

impl Default for LiveTable {
    fn default() -> Self {
        LiveTable {
            prometheus: None,
            alertmanager: None,
            label: Self::DEFAULT_LABEL.to_string(),
            timeout_ms: Self::DEFAULT_TIMEOUT_MS,
        }
    }
}

/// A validated topology.
#[derive(Debug, Clone)]
pub struct Topology {
    pub name: String,
    pub description: Option<String>,
    pub failover_test_max_age_days: u32,
    /// The `[live]` table, when the file has one.
    pub live: Option<LiveTable>,
    /// Sorted by id, as are `groups`: lookups search them.
    services: Vec<Service>,
    groups: Vec<Group>,
    /// Node `i` of the graph is `NodeId(i)`: services first, then groups.
    /// Edges run from the needing side to the needed side.
    graph: DiGraph<(), Edge, u32>,
    /// For each service, the groups it belongs to.
    memberships: Vec<Vec<NodeId>>,
    /// Who depends on each node, all in one array (the graph's incoming
    /// edges): node `i`'s are `dependents[dependents_at[i]..dependents_at[i + 1]]`,
    /// in node order. The walk reads these on every step; one flat array
    /// keeps them together in memory, where the graph's edge lists are
    /// scattered.
    dependents: Vec<(NodeId, Edge)>,
    dependents_at: Vec<u32>,
    /// For each service, the number of its owner (see [`Service::owner`])
    /// among the distinct owners, numbered in order of first appearance.
    owner_numbers: Vec<u32>,
    owner_count: usize,
    /// Services with `users`, in topology order.
    entry_points: Vec<NodeId>,
    /// Services with a `host`, each after its host: the order in which a
    /// change flows from hosts to their guests.
    hosted: Vec<NodeId>,
    /// Per service, [`UNMONITORED`] and [`RECOVERY`]: what the findings of
    /// every reassessment read of each service that ends down, without a
    /// cache miss into its table.
    flags: Vec<u8>,
}

/// A service's `monitored = false`.
pub const UNMONITORED: u8 = 1;
/// A service's `recovery = true`.
pub const RECOVERY: u8 = 2;

impl Topology {
    /// Services, sorted by id (the order the TOML reader gives).
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// Groups, sorted by id.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// Number of services and groups together.
    pub fn node_count(&self) -> usize {
        self.services.len() + self.groups.len()
    }

    /// Every node id: services first, then groups.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.node_count() as u32).map(NodeId)
    }

    /// The id of the `i`-th service.
    pub fn service_id(&self, i: usize) -> NodeId {
        NodeId(i as u32)
    }

    /// The id of the `i`-th group.
    pub fn group_id(&self, i: usize) -> NodeId {
        NodeId((self.services.len() + i) as u32)
    }

    /// Looks up a service or group by its id string.
    ///
    /// # Complexity
    /// O(log n): a binary search of the services, then of the groups.
    pub fn lookup(&self, id: &str) -> Option<NodeId> {
        match self.services.binary_search_by(|s| s.id.as_str().cmp(id)) {
            Ok(i) => Some(self.service_id(i)),
            Err(_) => self
                .groups
                .binary_search_by(|g| g.id.as_str().cmp(id))
                .ok()
                .map(|i| self.group_id(i)),
        }
    }

    /// The service or group behind a handle.
    pub fn node(&self, id: NodeId) -> Node<'_> {
        match self.as_service(id) {
            Some(s) => Node::Service(s),
            None => Node::Group(&self.groups[id.index() - self.services.len()]),
        }
    }

    /// The service behind a handle, if it is one.
    pub fn as_service(&self, id: NodeId) -> Option<&Service> {
        self.services.get(id.index())
    }

    /// The group behind a handle, if it is one.
    pub fn as_group(&self, id: NodeId) -> Option<&Group> {
        id.index()
            .checked_sub(self.services.len())
            .and_then(|i| self.groups.get(i))
    }

    /// The id string of a service or group.
    pub fn id(&self, id: NodeId) -> &str {
        match self.node(id) {
            Node::Service(s) => &s.id,
            Node::Group(g) => &g.id,
        }
    }

    /// Groups a service belongs to, sorted by group id.
    pub fn groups_of(&self, service: NodeId) -> &[NodeId] {
        self.memberships
            .get(service.index())
            .map_or(&[], |v| v.as_slice())
    }

    /// The [`UNMONITORED`] and [`RECOVERY`] flags of the `i`-th service.
    pub fn service_flags(&self, i: usize) -> u8 {
        self.flags[i]
    }

    /// Entry points (services with `users`), in topology order. Cheaper
    /// than scanning every service for them: at 100,000 services, one pass
    /// over the services reads tens of megabytes.
    pub fn entry_points(&self) -> &[NodeId] {
        &self.entry_points
    }

    /// Services that run on another (`host`), each listed after its own
    /// host: walking this list once carries a host's change to its guests,
    /// however deep the chain of hosts.
    pub fn hosted(&self) -> &[NodeId] {
        &self.hosted
    }

    /// The services that run directly on `host`.
    pub fn guests(&self, host: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.dependents(host)
            .filter(|&(_, e)| e == Edge::Host)
            .map(|(g, _)| g)
    }

    /// The number of a service's owner among the topology's distinct owners
    /// (`0..owner_count()`, in order of first appearance): services with the
    /// same owner share it. Lets callers group by team without hashing
    /// names.
    pub fn owner_number(&self, service: NodeId) -> usize {
        self.owner_numbers[service.index()] as usize
    }

    /// How many distinct owners the services have.
    pub fn owner_count(&self) -> usize {
        self.owner_count
    }

    /// Who depends on `id`: services that require or want it, and groups it
    /// is a member of, with the kind of each edge.
    ///
    /// # Complexity
    /// O(in-degree of `id`).
    pub fn dependents(&self, id: NodeId) -> impl Iterator<Item = (NodeId, Edge)> + '_ {
        let i = id.index();
        let range = self.dependents_at[i] as usize..self.dependents_at[i + 1] as usize;
        self.dependents[range].iter().copied()
    }

    /// The topology with each service's `state` replaced by `state(id)`
    /// where that gives one: the estate as observed (DESIGN.md "Live
    /// state": observed states stand in for `state` in every rule).
    pub fn with_states(&self, state: impl Fn(NodeId) -> Option<State>) -> Topology {
        let mut t = self.clone();
        for (i, s) in t.services.iter_mut().enumerate() {
            if let Some(st) = state(NodeId(i as u32)) {
                s.state = st;
            }
        }
        t
    }

    /// Every id string, services then groups (for suggestions).
    pub fn all_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.services
            .iter()
            .map(|s| s.id.as_str())
            .chain(self.groups.iter().map(|g| g.id.as_str()))
    }

    /// The dependency graph itself, for the lint pass and graph exports.
    pub(crate) fn graph(&self) -> &DiGraph<(), Edge, u32> {
        &self.graph
    }

    /// Builds the derived structures from checked parts. Only the loader
    /// calls this, after it has resolved every reference.
    fn assemble(
        header: (String, Option<String>, u32),
        services: Vec<Service>,
        groups: Vec<Group>,
    ) -> Topology {
        let n = services.len() + groups.len();
        debug_assert!(
            services.is_sorted_by(|a, b| a.id < b.id),
            "services sorted by id"
        );
        debug_assert!(
            groups.is_sorted_by(|a, b| a.id < b.id),
            "groups sorted by id"
        );
        // The graph on this core; owners, entry points and the hosts'
        // order on the other.
        let (
            graph,
            memberships,
            (dependents, dependents_at),
            (owner_numbers, owner_count, entry_points, hosted, flags),
        ) = std::thread::scope(|scope| {
            let side = scope.spawn(|| {
                let mut owners: HashMap<&str, u32> = HashMap::new();
                let owner_numbers: Vec<u32> = services
                    .iter()
                    .map(|s| {
                        let next = owners.len() as u32;
                        *owners.entry(s.owner()).or_insert(next)
                    })
                    .collect();
                let flags: Vec<u8> = services
                    .iter()
                    .map(|s| {
                        (u8::from(s.monitored == Some(false)) * UNMONITORED)
                            | (u8::from(s.recovery) * RECOVERY)
                    })
                    .collect();
                let entry_points: Vec<NodeId> = (0..services.len())
                    .filter(|&i| services[i].users.is_some())
                    .map(|i| NodeId(i as u32))
                    .collect();
                (
                    owner_numbers,
                    owners.len(),
                    entry_points,
                    hosted_order(&services),
                    flags,
                )
            });
            let mut graph = DiGraph::with_capacity(n, n * 3);
            for _ in 0..n {
                graph.add_node(());
            }
            let mut memberships = vec![Vec::new(); services.len()];
            for (i, s) in services.iter().enumerate() {
                for &t in &s.requires {
                    graph.add_edge(NodeIndex::new(i), NodeIndex::new(t.index()), Edge::Requires);
                }
                for &t in &s.wants {
                    graph.add_edge(NodeIndex::new(i), NodeIndex::new(t.index()), Edge::Wants);
                }
                if let Some(h) = s.host {
                    graph.add_edge(NodeIndex::new(i), NodeIndex::new(h.index()), Edge::Host);
                }
            }
            for (i, g) in groups.iter().enumerate() {
                let gid = services.len() + i;
                for &m in &g.members {
                    graph.add_edge(NodeIndex::new(gid), NodeIndex::new(m.index()), Edge::Member);
                    memberships[m.index()].push(NodeId(gid as u32));
                }
            }
            let incoming = incoming(&graph);
            let side = side.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (graph, memberships, incoming, side)
        });
        let (name, description, failover_test_max_age_days) = header;
        Topology {
            name,
            description,
            failover_test_max_age_days,
            live: None,
            services,
            groups,
            graph,
            memberships,
            dependents,
            dependents_at,
            owner_numbers,
            owner_count,
            entry_points,
            hosted,
            flags,
        }
    }
}

/// Services with a host, each after its own host. The loader has refused
/// cycles of hosts, so every chain ends.
///
/// # Complexity
/// O(services): each service's depth is found once, without recursion
/// (a chain of hosts may be as long as the file).
fn hosted_order(services: &[Service]) -> Vec<NodeId> {
    const UNKNOWN: u32 = u32::MAX;
    let mut depth = vec![UNKNOWN; services.len()];
    let mut path = Vec::new();
    for i in 0..services.len() {
        let mut at = i;
        while depth[at] == UNKNOWN {
            match services[at].host {
                None => {
                    depth[at] = 0;
                }
                Some(h) => {
                    path.push(at);
                    at = h.index();
                }
            }
        }
        let mut d = depth[at];
        while let Some(p) = path.pop() {
            d += 1;
            depth[p] = d;
        }
    }
    let mut out: Vec<NodeId> = (0..services.len())
        .filter(|&i| services[i].host.is_some())
        .map(|i| NodeId(i as u32))
        .collect();
    out.sort_by_key(|n| depth[n.index()]);
    out
}

/// Every node's incoming edges, grouped by node in one array, each group in
/// the order of its sources: `(edges, start of each node's group)`, with one
/// start more than there are nodes.
fn incoming(graph: &DiGraph<(), Edge, u32>) -> (Vec<(NodeId, Edge)>, Vec<u32>) {
    let n = graph.node_count();
    let mut at = vec![0u32; n + 1];
    for e in graph.edge_references() {
        at[e.target().index() + 1] += 1;
    }
    for i in 0..n {
        at[i + 1] += at[i];
    }
    let mut edges = vec![(NodeId(0), Edge::Requires); graph.edge_count()];
    let mut fill = at.clone();
    let mut sources: Vec<_> = graph.edge_references().collect();
    sources.sort_by_key(|e| e.source().index());
    for e in sources {
        let t = e.target().index();
        edges[fill[t] as usize] = (NodeId(e.source().index() as u32), *e.weight());
        fill[t] += 1;
    }
    (edges, at)
}

#[cfg(test)]
mod tests {
    use super::{Date, Edge, load};

    const ESTATE: &str = r#"
[topology]
name = "t"

[services.db]
team = "data"
[services.cache]
oncall = "pager-cache"
[services.web]
team = "front"
users = 0.7
requires = ["db", "pool"]
wants = ["cache"]
[services.api]
team = "data"
users = 0.3
requires = ["db"]
[services.a]
team = "front"
[services.b]

[groups.pool]
members = ["b", "a"]
"#;

    #[test]
    fn dependents_are_every_incoming_edge_in_node_order() {
        let t = load("t.toml", ESTATE).unwrap();
        let id = |s: &str| t.lookup(s).unwrap();
        let named = |of: &str| -> Vec<(String, Edge)> {
            t.dependents(id(of))
                .map(|(d, e)| (t.id(d).to_string(), e))
                .collect()
        };
        // Services are in id order: a, api, b, cache, db, web.
        assert_eq!(
            named("db"),
            [
                ("api".to_string(), Edge::Requires),
                ("web".to_string(), Edge::Requires)
            ]
        );
        assert_eq!(named("cache"), [("web".to_string(), Edge::Wants)]);
        assert_eq!(named("a"), [("pool".to_string(), Edge::Member)]);
        assert_eq!(named("pool"), [("web".to_string(), Edge::Requires)]);
        assert!(named("web").is_empty());
        // Every edge of the graph is someone's dependent, once.
        let total: usize = t.node_ids().map(|n| t.dependents(n).count()).sum();
        assert_eq!(total, t.graph().edge_count());
    }

    #[test]
    fn owner_numbers_group_services_by_owner() {
        let t = load("t.toml", ESTATE).unwrap();
        let num = |s: &str| t.owner_number(t.lookup(s).unwrap());
        // Owners: team, else on-call, else "unowned" (b).
        assert_eq!(t.owner_count(), 4);
        assert_eq!(num("a"), num("web"));
        assert_eq!(num("api"), num("db"));
        let distinct: std::collections::BTreeSet<usize> =
            ["a", "api", "b", "cache"].iter().map(|s| num(s)).collect();
        assert_eq!(distinct.len(), 4);
        assert!(distinct.iter().all(|&n| n < t.owner_count()));
    }

    #[test]
    fn lookup_finds_every_id_whatever_the_file_order() {
        // Written out of order, and long enough for the split loader.
        let mut text = String::from("[topology]\nname = \"t\"\n");
        let ids: Vec<String> = (0..12_000)
            .map(|i| format!("s{}", (i * 7919) % 12_000))
            .collect();
        for id in &ids {
            text.push_str(&format!("[services.{id}]\n"));
        }
        text.push_str("[groups.m-pool]\nmembers = [\"s1\", \"s2\"]\n");
        text.push_str("[groups.a-pool]\nmembers = [\"s3\", \"s4\"]\n");
        let t = load("t.toml", &text).unwrap();
        for id in ids.iter().map(String::as_str).chain(["m-pool", "a-pool"]) {
            let n = t.lookup(id).unwrap_or_else(|| panic!("{id} not found"));
            assert_eq!(t.id(n), id);
        }
        assert_eq!(t.lookup("s12000"), None);
        assert_eq!(t.lookup(""), None);
        assert_eq!(t.lookup("m-poo"), None);
        assert!(t.services().is_sorted_by(|a, b| a.id < b.id));
        assert!(t.groups().is_sorted_by(|a, b| a.id < b.id));
        let d = load("t.toml", ESTATE).unwrap();
        assert_eq!(d.lookup("pool").map(|n| d.id(n)), Some("pool"));
        assert!(d.as_group(d.lookup("pool").unwrap()).is_some());
    }

    #[test]
    fn entry_points_are_the_services_with_users() {
        let t = load("t.toml", ESTATE).unwrap();
        let names: Vec<&str> = t.entry_points().iter().map(|&e| t.id(e)).collect();
        assert_eq!(names, ["api", "web"]);
    }

    #[test]
    fn date_arithmetic_round_trips() {
        for days in [-1000, 0, 1, 19_000, 20_000, 60_000] {
            let d = Date::from_days_since_epoch(days);
            assert_eq!(d.days_since_epoch(), days, "{d}");
        }
        let a = Date::parse("2023-03-01").unwrap();
        let b = Date::parse("2023-06-08").unwrap();
        assert_eq!(b.days_since_epoch() - a.days_since_epoch(), 99);
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert!(Date::parse("2023-06-08T10:00:00").is_none());
    }
}
