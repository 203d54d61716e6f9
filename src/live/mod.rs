//! Live state: what the estate says about itself right now (DESIGN.md, "Live
//! state"), read from service probes, Prometheus and Alertmanager.
//!
//! Blocking and self-contained: no async runtime, no terminal. One call,
//! [`observe`], asks every source once and returns [`Observations`]; a
//! source that fails is an entry in [`Observations::errors`] and sets
//! [`Observations::partial`], never a panic and never a wait past the
//! timeout. What the observations mean for the walk is the analysis'
//! business, not this module's.

mod alertmanager;
mod http;
mod matcher;
mod probe;
mod prometheus;

pub use matcher::{audit, silence_mutes};
pub use probe::MAX_PARALLEL;

use crate::topology::{LiveTable, NodeId, State, Topology};
use std::time::{Duration, SystemTime};

/// The base URL of a server (`http://` or `https://`), checked as the
/// topology's `[live]` URLs are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url(String);

impl Url {
    /// Checks `s`.
    ///
    /// # Errors
    /// Why `s` is not an http(s) URL with a host.
    pub fn parse(s: &str) -> Result<Url, String> {
        crate::topology::check_http_url(s)
            .map(|()| Url(s.to_string()))
            .map_err(|why| format!("invalid URL `{s}`: {why}"))
    }

    /// The URL as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `path` (starting with `/`) under this base, one slash between them.
    fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0.trim_end_matches('/'))
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where to look: the topology's `[live]` table with the command line's
/// overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    pub prometheus: Option<Url>,
    pub alertmanager: Option<Url>,
    /// The series and alert label that carries a service id.
    pub label: String,
    /// Bound of each probe and each query.
    pub timeout: Duration,
}

/// Command-line values that replace the topology's `[live]` ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub prometheus: Option<Url>,
    pub alertmanager: Option<Url>,
    pub timeout: Option<Duration>,
}

impl Sources {
    /// The sources of `table` (the defaults when the topology has none),
    /// each replaced by its override when there is one.
    pub fn new(table: Option<&LiveTable>, over: Overrides) -> Sources {
        let default = LiveTable::default();
        let t = table.unwrap_or(&default);
        // The loader has checked the table's URLs.
        let url = |s: &Option<String>| s.as_deref().and_then(|s| Url::parse(s).ok());
        Sources {
            prometheus: over.prometheus.or_else(|| url(&t.prometheus)),
            alertmanager: over.alertmanager.or_else(|| url(&t.alertmanager)),
            label: t.label.clone(),
            timeout: over
                .timeout
                .unwrap_or(Duration::from_millis(u64::from(t.timeout_ms))),
        }
    }

    /// The sources of a topology, without overrides.
    pub fn of(topo: &Topology) -> Sources {
        Sources::new(topo.live.as_ref(), Overrides::default())
    }
}

/// Which source made an observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Probe,
    Prometheus,
    Alertmanager,
}

impl Source {
    /// The word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Probe => "probe",
            Source::Prometheus => "prometheus",
            Source::Alertmanager => "alertmanager",
        }
    }
}

/// What one source said about one service.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub service: NodeId,
    pub state: State,
    pub source: Source,
    /// Why, in a few words: "HTTP 503", "connection refused", "up 1 of 2
    /// series", "alert DiskFull firing".
    pub detail: String,
    /// When it was observed (the start of the refresh).
    pub at: SystemTime,
}

/// How an Alertmanager matcher compares a label's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~`, a Go RE2 regex anchored at both ends
    Regex,
    /// `!~`
    NotRegex,
}

impl MatchOp {
    /// The operator as Alertmanager writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

/// One matcher of a silence: `name op "value"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{:?}", self.name, self.op.as_str(), self.value)
    }
}

/// An active Alertmanager silence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Silence {
    pub id: String,
    pub created_by: String,
    pub comment: String,
    pub matchers: Vec<Matcher>,
    /// RFC 3339, as Alertmanager gives it.
    pub starts_at: String,
    pub ends_at: String,
}

/// Everything one refresh observed.
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    /// When the refresh started.
    pub at: SystemTime,
    /// The sources asked, by name ("probe", "prometheus", "alertmanager").
    pub sources: Vec<String>,
    /// True when a source could not be read (see `errors`).
    pub partial: bool,
    /// One line per source that failed: which, where, and why.
    pub errors: Vec<String>,
    /// In topology order of services, then by source.
    pub observed: Vec<Observation>,
    /// Alertmanager's active silences, in its order.
    pub silences: Vec<Silence>,
    /// Series and alerts whose label names no service of the topology.
    pub ignored: usize,
}

impl Observations {
    /// Nothing observed yet, as of `at`.
    pub fn empty(at: SystemTime) -> Observations {
        Observations {
            at,
            sources: Vec::new(),
            partial: false,
            errors: Vec::new(),
            observed: Vec::new(),
            silences: Vec::new(),
            ignored: 0,
        }
    }

    /// The worst state observed for `id`, if any source observed it.
    ///
    /// # Complexity
    /// O(log observations): they are sorted by service.
    pub fn state_of(&self, id: NodeId) -> Option<State> {
        let from = self.observed.partition_point(|o| o.service < id);
        self.observed[from..]
            .iter()
            .take_while(|o| o.service == id)
            .map(|o| o.state)
            .max_by_key(|&s| rank(s))
    }

    /// The observations of `id`.
    pub fn of(&self, id: NodeId) -> &[Observation] {
        let from = self.observed.partition_point(|o| o.service < id);
        let to = from + self.observed[from..].partition_point(|o| o.service <= id);
        &self.observed[from..to]
    }

    /// Records that `source` failed.
    fn fail(&mut self, source: Source, url: Option<&Url>, why: impl std::fmt::Display) {
        self.partial = true;
        self.errors.push(match url {
            Some(u) => format!("{} {u}: {why}", source.as_str()),
            None => format!("{}: {why}", source.as_str()),
        });
    }
}

/// The answer of a reader thread; one that panicked (it should not) is a
/// failed source, not a failed refresh.
fn join<T>(h: std::thread::ScopedJoinHandle<'_, Result<T, String>>) -> Result<T, String> {
    h.join()
        .unwrap_or_else(|_| Err("the reader stopped unexpectedly".to_string()))
}

/// `up < degraded < down`.
fn rank(s: State) -> u8 {
    match s {
        State::Up => 0,
        State::Degraded => 1,
        State::Down => 2,
    }
}

/// Asks every source once: a probe of each service that has one, then
/// Prometheus and Alertmanager when `sources` names them (the servers are
/// asked while the probes run).
///
/// Never waits much longer than `sources.timeout` per round of 64 probes,
/// nor past it for a server query.
///
/// # Complexity
/// O(services + series + alerts + silences) beside the network; at most
/// [`MAX_PARALLEL`] probes at a time.
pub fn observe(topo: &Topology, sources: &Sources, now: SystemTime) -> Observations {
    let mut out = Observations::empty(now);
    let agent = http::agent(sources.timeout);
    let probes: Vec<(NodeId, &str)> = topo
        .services()
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((topo.service_id(i), s.probe.as_deref()?)))
        .collect();
    if !probes.is_empty() {
        out.sources.push(Source::Probe.as_str().to_string());
    }
    if sources.prometheus.is_some() {
        out.sources.push(Source::Prometheus.as_str().to_string());
    }
    if sources.alertmanager.is_some() {
        out.sources.push(Source::Alertmanager.as_str().to_string());
    }
    let t = sources.timeout;
    let label = sources.label.as_str();
    // The servers are asked on threads of their own while the probes run,
    // so the whole refresh waits for the slowest, not for the sum.
    let (probed, prom, alerts, silences) = std::thread::scope(|s| {
        let prom = sources
            .prometheus
            .as_ref()
            .map(|url| s.spawn(|| prometheus::query_up(&agent, url, label, t)));
        let alerts = sources
            .alertmanager
            .as_ref()
            .map(|url| s.spawn(|| alertmanager::alerts(&agent, url, label, t)));
        let silences = sources
            .alertmanager
            .as_ref()
            .map(|url| s.spawn(|| alertmanager::silences(&agent, url, t)));
        let probed = probe::run_all(&agent, &probes, t);
        (probed, prom.map(join), alerts.map(join), silences.map(join))
    });
    for ((service, _), (state, detail)) in probes.iter().zip(probed) {
        out.observed.push(Observation {
            service: *service,
            state,
            source: Source::Probe,
            detail,
            at: now,
        });
    }
    let prom_url = sources.prometheus.as_ref();
    match prom {
        None => {}
        Some(Ok(series)) => prometheus::observe(topo, &series, &mut out),
        Some(Err(why)) => out.fail(Source::Prometheus, prom_url, why),
    }
    let am_url = sources.alertmanager.as_ref();
    match alerts {
        None => {}
        Some(Ok(firing)) => alertmanager::observe(topo, &firing, &mut out),
        Some(Err(why)) => out.fail(Source::Alertmanager, am_url, format!("alerts: {why}")),
    }
    match silences {
        None => {}
        Some(Ok(active)) => out.silences = active,
        Some(Err(why)) => out.fail(Source::Alertmanager, am_url, format!("silences: {why}")),
    }
    // Stable: per service, probe before Prometheus before Alertmanager.
    out.observed.sort_by_key(|o| o.service);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_win_over_the_table() {
        let t = LiveTable {
            prometheus: Some("http://p:9090".into()),
            alertmanager: Some("http://am:9093".into()),
            label: "app".into(),
            timeout_ms: 500,
        };
        let s = Sources::new(Some(&t), Overrides::default());
        assert_eq!(s.prometheus.as_ref().unwrap().as_str(), "http://p:9090");
        assert_eq!(
            (s.label.as_str(), s.timeout),
            ("app", Duration::from_millis(500))
        );
        let s = Sources::new(
            Some(&t),
            Overrides {
                prometheus: Some(Url::parse("https://q/").unwrap()),
                alertmanager: None,
                timeout: Some(Duration::from_secs(3)),
            },
        );
        assert_eq!(
            s.prometheus.unwrap().join("/api/v1/query"),
            "https://q/api/v1/query"
        );
        assert_eq!(s.alertmanager.unwrap().as_str(), "http://am:9093");
        assert_eq!(s.timeout, Duration::from_secs(3));
        let d = Sources::new(None, Overrides::default());
        assert_eq!((d.prometheus, d.alertmanager), (None, None));
        assert_eq!(
            (d.label.as_str(), d.timeout),
            ("service", Duration::from_secs(2))
        );
        assert!(Url::parse("ftp://x").is_err());
        assert!(Url::parse("http://").is_err());
    }

    #[test]
    fn the_worst_observation_wins() {
        let topo = crate::topology::load(
            "t.toml",
            "[topology]\nname = \"t\"\n[services.a]\n[services.b]\n[services.c]\n",
        )
        .unwrap();
        let [a, b, c] = ["a", "b", "c"].map(|s| topo.lookup(s).unwrap());
        let at = SystemTime::UNIX_EPOCH;
        let o = |service, state, source| Observation {
            service,
            state,
            source,
            detail: String::new(),
            at,
        };
        let mut obs = Observations::empty(at);
        obs.observed = vec![
            o(a, State::Up, Source::Probe),
            o(a, State::Down, Source::Prometheus),
            o(a, State::Degraded, Source::Alertmanager),
            o(c, State::Up, Source::Probe),
        ];
        assert_eq!(obs.state_of(a), Some(State::Down));
        assert_eq!(obs.state_of(b), None);
        assert_eq!(obs.state_of(c), Some(State::Up));
        assert_eq!(obs.of(a).len(), 3);
        assert!(obs.of(b).is_empty());
    }
}
