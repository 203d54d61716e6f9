//! Differential test of the walk, the findings and the risk level.
//!
//! Thousands of pseudo-random topologies and plans are generated, written out
//! as topology TOML, loaded and assessed by the crate, and compared with a
//! deliberately naive re-implementation of DESIGN.md ("Semantics of the
//! walk", "Findings", "Risk level") that lives only in this file:
//!
//! * statuses: every rule applied to every node, over and over, from the start
//!   statuses until nothing changes;
//! * users down / degraded;
//! * findings, as a multiset of (kind, first subject, severity);
//! * the risk level;
//! * cause chains: a real path of non-ok nodes, each step explaining the
//!   status before it, ending at a starting cause, as short as the shortest
//!   explaining chain found by an exhaustive relaxation.
//!
//! The oracle is written from the design document, not from `src/`. A failure
//! prints the seed, the topology text, the changes and both answers.

use blastradius::analysis::{Assessment, Status, assess};
use blastradius::plan::{Action, Change, resolve};
use blastradius::topology::{Date, NodeId, Topology, load};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How many generated topologies each test checks by default; set
/// `BLASTRADIUS_DIFF_CASES` for a longer hunt.
const CASES: u64 = 3000;

fn cases() -> u64 {
    std::env::var("BLASTRADIUS_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES)
}

/// The plan start every case is assessed against.
const REFERENCE: (i32, u32, u32) = (2023, 6, 8);

// ---------------------------------------------------------------------------
// A tiny deterministic PRNG (splitmix64).

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5eed_b1a5_7ad1_0500)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// `k` distinct elements of `pool`, in random order.
    fn sample(&mut self, pool: &[usize], k: usize) -> Vec<usize> {
        let mut pool = pool.to_vec();
        let mut out = Vec::with_capacity(k);
        for _ in 0..k.min(pool.len()) {
            let i = self.below(pool.len());
            out.push(pool.swap_remove(i));
        }
        out
    }
}

// ---------------------------------------------------------------------------
// The generated topology, in our own structs. Nodes are numbered like the
// design's one id space: services `0..n`, then groups `n..n + groups`.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum GenState {
    Up,
    Degraded,
    Down,
}

impl GenState {
    fn word(self) -> &'static str {
        match self {
            GenState::Up => "up",
            GenState::Degraded => "degraded",
            GenState::Down => "down",
        }
    }
}

#[derive(Debug)]
struct GenService {
    id: String,
    /// `None`: the key is absent (up).
    state: Option<GenState>,
    criticality: Option<&'static str>,
    users: Option<f64>,
    zone: Option<&'static str>,
    monitored: Option<bool>,
    recovery: Option<bool>,
    requires: Vec<usize>,
    wants: Vec<usize>,
    /// `None`: no `[boot]` table at all.
    boot: Option<GenBoot>,
}

#[derive(Debug)]
struct GenBoot {
    autostart: Option<bool>,
    minutes: Option<u32>,
    /// Path and `automount` (`None`: key absent).
    volumes: Vec<(String, Option<bool>)>,
}

#[derive(Debug)]
struct GenGroup {
    id: String,
    /// Service indices, in file order (`members[0]` is the active one).
    members: Vec<usize>,
    /// `None`: key absent (active-active).
    active_passive: Option<bool>,
    /// `None`: key absent (1).
    min_up: Option<usize>,
    /// `None`: key absent (automatic).
    manual: Option<bool>,
    last_tested: Option<(i32, u32, u32)>,
}

#[derive(Debug)]
struct Case {
    seed: u64,
    /// `None`: key absent (90).
    max_age: Option<u32>,
    services: Vec<GenService>,
    groups: Vec<GenGroup>,
    changes: Vec<(usize, Action)>,
}

impl Case {
    fn n(&self) -> usize {
        self.services.len()
    }

    fn total(&self) -> usize {
        self.services.len() + self.groups.len()
    }

    fn id(&self, node: usize) -> &str {
        if node < self.n() {
            &self.services[node].id
        } else {
            &self.groups[node - self.n()].id
        }
    }

    fn action(&self, service: usize) -> Option<Action> {
        self.changes
            .iter()
            .find(|(s, _)| *s == service)
            .map(|&(_, a)| a)
    }

    fn state(&self, service: usize) -> GenState {
        self.services[service].state.unwrap_or(GenState::Up)
    }

    fn group(&self, node: usize) -> &GenGroup {
        &self.groups[node - self.n()]
    }

    fn min_up(&self, node: usize) -> usize {
        self.group(node).min_up.unwrap_or(1)
    }

    fn manual_active_passive(&self, node: usize) -> bool {
        let g = self.group(node);
        g.active_passive == Some(true) && g.manual == Some(true)
    }

    fn changes_text(&self) -> String {
        if self.changes.is_empty() {
            return "(empty plan)".to_string();
        }
        self.changes
            .iter()
            .map(|&(s, a)| format!("{} {}", action_word(a), self.services[s].id))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Reboot => "reboot",
        Action::Update => "update",
        Action::Down => "down",
    }
}

/// Service ids use every allowed character class; group ids never collide
/// with them (different prefixes).
const SERVICE_PREFIXES: [&str; 6] = ["s", "svc.", "db_", "lb-", "Cache.", "app-eu_"];
const GROUP_PREFIXES: [&str; 4] = ["g", "pool.", "G_", "pair-"];
const USERS: [f64; 7] = [0.05, 0.1, 0.125, 0.25, 0.3, 0.5, 1.0];
const CRITICALITIES: [&str; 4] = ["low", "medium", "high", "critical"];
/// Relative to 2023-06-08: the same day, 7 days, 90 days, 91 days, 165 days,
/// old, a leap day, and a date after the reference.
const TEST_DATES: [(i32, u32, u32); 8] = [
    (2023, 6, 8),
    (2023, 6, 1),
    (2023, 3, 10),
    (2023, 3, 9),
    (2022, 12, 25),
    (2021, 2, 28),
    (2020, 2, 29),
    (2023, 7, 1),
];
const MAX_AGES: [u32; 6] = [0, 7, 30, 90, 91, 365];

fn generate(seed: u64) -> Case {
    let mut r = Rng::new(seed);
    // A calm case has few known failures and sparse dependencies, so that
    // spares survive and at-risk, no-spare and low or medium risk are common.
    let calm = r.chance(45);
    let n = 2 + r.below(11);
    let group_count = r.below(5);
    let max_age = if r.chance(50) {
        None
    } else {
        Some(r.pick(&MAX_AGES))
    };

    let service_ids: Vec<String> = (0..n)
        .map(|i| format!("{}{i}", r.pick(&SERVICE_PREFIXES)))
        .collect();
    let all_services: Vec<usize> = (0..n).collect();

    let mut groups = Vec::with_capacity(group_count);
    for gi in 0..group_count {
        let size = if calm && n >= 2 {
            2 + r.below(n.min(4) - 1)
        } else {
            1 + r.below(n.min(4))
        };
        let members = r.sample(&all_services, size);
        let min_up = if calm && r.chance(60) {
            None
        } else if r.chance(45) {
            Some(1 + r.below(size))
        } else if r.chance(20) {
            Some(1)
        } else {
            None
        };
        let active_passive = match r.below(4) {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        };
        let manual = match r.below(3) {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        };
        let last_tested = if r.chance(30) {
            None
        } else {
            Some(r.pick(&TEST_DATES))
        };
        groups.push(GenGroup {
            id: format!("{}{gi}", r.pick(&GROUP_PREFIXES)),
            members,
            active_passive,
            min_up,
            manual,
            last_tested,
        });
    }

    let mut services = Vec::with_capacity(n);
    for (i, id) in service_ids.into_iter().enumerate() {
        let own_groups: Vec<usize> = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.members.contains(&i))
            .map(|(gi, _)| n + gi)
            .collect();
        // requires: never itself, never one of its own groups.
        let require_pool: Vec<usize> = (0..n + group_count)
            .filter(|&t| t != i && !own_groups.contains(&t))
            .collect();
        let group_targets: Vec<usize> = require_pool.iter().copied().filter(|&t| t >= n).collect();
        let mut requires = Vec::new();
        if !group_targets.is_empty() && r.chance(45) {
            requires.push(r.pick(&group_targets));
        }
        let extra = if calm {
            r.pick(&[0, 0, 0, 1])
        } else {
            r.pick(&[0, 0, 1, 1, 2, 3])
        };
        for t in r.sample(&require_pool, extra) {
            if !requires.contains(&t) {
                requires.push(t);
            }
        }
        // wants: anything but itself (its own groups included).
        let want_pool: Vec<usize> = (0..n + group_count).filter(|&t| t != i).collect();
        let want_count = if calm {
            r.pick(&[0, 0, 0, 0, 1])
        } else {
            r.pick(&[0, 0, 0, 1, 1, 2])
        };
        let mut wants = r.sample(&want_pool, want_count);
        // The loader accepts a target listed twice; the walk must not care.
        if r.chance(4)
            && let Some(&t) = requires.first()
        {
            requires.push(t);
        }
        if r.chance(4)
            && let Some(&t) = wants.first()
        {
            wants.push(t);
        }

        let roll = if calm { r.below(80) } else { r.below(20) };
        let state = match roll {
            0..=10 | 20.. => None,
            11 | 12 => Some(GenState::Up),
            13..=16 => Some(GenState::Degraded),
            _ => Some(GenState::Down),
        };
        let boot = if r.chance(50) {
            let volume_count = r.pick(&[0, 1, 1, 2]);
            let volumes = (0..volume_count)
                .map(|v| {
                    let automount = match r.below(3) {
                        0 => None,
                        1 => Some(true),
                        _ => Some(false),
                    };
                    (format!("/data/{i}/{v}"), automount)
                })
                .collect();
            Some(GenBoot {
                autostart: match r.below(3) {
                    0 => None,
                    1 => Some(true),
                    _ => Some(false),
                },
                minutes: if r.chance(50) {
                    Some(r.below(30) as u32)
                } else {
                    None
                },
                volumes,
            })
        } else {
            None
        };
        services.push(GenService {
            id,
            state,
            criticality: if r.chance(40) {
                None
            } else {
                Some(r.pick(&CRITICALITIES))
            },
            users: if r.chance(35) {
                Some(r.pick(&USERS))
            } else {
                None
            },
            zone: match r.below(10) {
                0..=2 => None,
                3..=6 => Some("az-a"),
                _ => Some("az-b"),
            },
            monitored: match r.below(if calm { 12 } else { 4 }) {
                0 | 1 => None,
                2 => Some(false),
                _ => Some(true),
            },
            recovery: match r.below(if calm { 12 } else { 5 }) {
                0..=2 => None,
                3 => Some(true),
                _ => Some(false),
            },
            requires,
            wants,
            boot,
        });
    }

    let changes = if r.chance(15) {
        Vec::new()
    } else {
        let k = 1 + r.below(n.min(if calm { 2 } else { 4 }));
        r.sample(&all_services, k)
            .into_iter()
            .map(|s| {
                let a = match r.below(20) {
                    0..=8 => Action::Reboot,
                    9..=13 => Action::Update,
                    _ => Action::Down,
                };
                (s, a)
            })
            .collect()
    };

    Case {
        seed,
        max_age,
        services,
        groups,
        changes,
    }
}

/// Writes the case as a topology file, by hand.
fn to_toml(case: &Case) -> String {
    let list = |xs: &[usize]| {
        xs.iter()
            .map(|&x| format!("\"{}\"", case.id(x)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut t = String::new();
    writeln!(t, "[topology]\nname = \"gen-{}\"", case.seed).unwrap();
    if let Some(d) = case.max_age {
        writeln!(t, "failover_test_max_age_days = {d}").unwrap();
    }
    for s in &case.services {
        writeln!(t, "\n[services.\"{}\"]", s.id).unwrap();
        if let Some(st) = s.state {
            writeln!(t, "state = \"{}\"", st.word()).unwrap();
        }
        if let Some(c) = s.criticality {
            writeln!(t, "criticality = \"{c}\"").unwrap();
        }
        if let Some(u) = s.users {
            writeln!(t, "users = {u:?}").unwrap();
        }
        if let Some(z) = s.zone {
            writeln!(t, "zone = \"{z}\"").unwrap();
        }
        if let Some(m) = s.monitored {
            writeln!(t, "monitored = {m}").unwrap();
        }
        if let Some(rc) = s.recovery {
            writeln!(t, "recovery = {rc}").unwrap();
        }
        if !s.requires.is_empty() {
            writeln!(t, "requires = [{}]", list(&s.requires)).unwrap();
        }
        if !s.wants.is_empty() {
            writeln!(t, "wants = [{}]", list(&s.wants)).unwrap();
        }
        if let Some(b) = &s.boot {
            writeln!(t, "\n[services.\"{}\".boot]", s.id).unwrap();
            if let Some(a) = b.autostart {
                writeln!(t, "autostart = {a}").unwrap();
            }
            if let Some(m) = b.minutes {
                writeln!(t, "minutes = {m}").unwrap();
            }
            if !b.volumes.is_empty() {
                let vols: Vec<String> = b
                    .volumes
                    .iter()
                    .map(|(p, a)| match a {
                        Some(a) => format!("{{ path = \"{p}\", automount = {a} }}"),
                        None => format!("{{ path = \"{p}\" }}"),
                    })
                    .collect();
                writeln!(t, "volumes = [{}]", vols.join(", ")).unwrap();
            }
        }
    }
    for g in &case.groups {
        writeln!(t, "\n[groups.\"{}\"]", g.id).unwrap();
        writeln!(t, "members = [{}]", list(&g.members)).unwrap();
        if let Some(ap) = g.active_passive {
            let mode = if ap {
                "active-passive"
            } else {
                "active-active"
            };
            writeln!(t, "mode = \"{mode}\"").unwrap();
        }
        if let Some(m) = g.min_up {
            writeln!(t, "min_up = {m}").unwrap();
        }
        if let Some(manual) = g.manual {
            let f = if manual { "manual" } else { "automatic" };
            writeln!(t, "failover = \"{f}\"").unwrap();
        }
        if let Some((y, m, d)) = g.last_tested {
            writeln!(t, "last_tested = {y:04}-{m:02}-{d:02}").unwrap();
        }
    }
    t
}

// ---------------------------------------------------------------------------
// The oracle: DESIGN.md, read literally and implemented naively.

const OK: u8 = 0;
const AT_RISK: u8 = 1;
const DEGRADED: u8 = 2;
const DOWN: u8 = 3;
const STATUS_WORDS: [&str; 4] = ["ok", "at-risk", "degraded", "down"];

/// A finding as compared: kind, first subject (the main service or group),
/// severity.
type FindingKey = (String, String, String);

struct Oracle {
    status: Vec<u8>,
    /// Per group (indexed by group number): members not down.
    up: Vec<usize>,
    users_down: f64,
    users_degraded: f64,
    /// Sorted.
    findings: Vec<FindingKey>,
    risk: &'static str,
    /// Per node: length of the shortest explaining chain (node included),
    /// `None` for ok nodes.
    shortest_chain: Vec<Option<usize>>,
}

/// "Start: every changed service (any action) is down; a service with
/// state = down is down; state = degraded is at least degraded."
fn start_status(case: &Case, v: usize) -> u8 {
    if v >= case.n() {
        return OK;
    }
    if case.action(v).is_some() {
        return DOWN;
    }
    match case.state(v) {
        GenState::Down => DOWN,
        GenState::Degraded => DEGRADED,
        GenState::Up => OK,
    }
}

/// One application of the rule of node `v` to the current statuses.
fn rule(case: &Case, st: &[u8], v: usize) -> u8 {
    if v < case.n() {
        let start = start_status(case, v);
        if case.action(v).is_some() {
            // Only services "not changed" follow the dependency rules.
            return start;
        }
        let s = &case.services[v];
        let mut out = start;
        if s.requires.iter().any(|&t| st[t] == DOWN) {
            out = out.max(DOWN);
        }
        if s.requires.iter().any(|&t| st[t] == DEGRADED)
            || s.wants.iter().any(|&t| st[t] == DOWN || st[t] == DEGRADED)
        {
            out = out.max(DEGRADED);
        }
        if s.requires.iter().any(|&t| st[t] == AT_RISK) {
            out = out.max(AT_RISK);
        }
        out
    } else {
        let g = case.group(v);
        let n = g.members.len();
        let min_up = case.min_up(v);
        let up = g.members.iter().filter(|&&m| st[m] != DOWN).count();
        let healthy = g
            .members
            .iter()
            .filter(|&&m| st[m] == OK || st[m] == AT_RISK)
            .count();
        if up < min_up || (case.manual_active_passive(v) && st[g.members[0]] == DOWN) {
            DOWN
        } else if healthy < min_up {
            DEGRADED
        } else if up == min_up && min_up < n {
            AT_RISK
        } else {
            OK
        }
    }
}

/// Whether the step `from -> to` explains `from`'s final status (the steps
/// a cause chain may take).
fn explains(case: &Case, st: &[u8], from: usize, to: usize) -> bool {
    let (f, t) = (st[from], st[to]);
    if from < case.n() {
        let s = &case.services[from];
        let req = s.requires.contains(&to);
        let want = s.wants.contains(&to);
        match f {
            DOWN => req && t == DOWN,
            DEGRADED => (req && t == DEGRADED) || (want && (t == DOWN || t == DEGRADED)),
            AT_RISK => req && t == AT_RISK,
            _ => false,
        }
    } else {
        let g = case.group(from);
        if !g.members.contains(&to) {
            return false;
        }
        let up = g.members.iter().filter(|&&m| st[m] != DOWN).count();
        match f {
            DOWN => {
                t == DOWN
                    && (up < case.min_up(from)
                        || (case.manual_active_passive(from) && to == g.members[0]))
            }
            DEGRADED => t == DOWN || t == DEGRADED,
            AT_RISK => t == DOWN,
            _ => false,
        }
    }
}

/// A chain may end here: a changed service, or a service whose `state` put
/// it where it ends.
fn is_starting_cause(case: &Case, st: &[u8], v: usize) -> bool {
    v < case.n()
        && (case.action(v).is_some()
            || (case.state(v) != GenState::Up && start_status(case, v) == st[v]))
}

/// Day number of a date, counted by hand from 1900-01-01.
fn day_number((y, m, d): (i32, u32, u32)) -> i64 {
    let leap = |y: i32| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut days = 0i64;
    for year in 1900..y {
        days += if leap(year) { 366 } else { 365 };
    }
    let feb = if leap(y) { 29 } else { 28 };
    let lengths = [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    for len in &lengths[..(m - 1) as usize] {
        days += len;
    }
    days + i64::from(d)
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "low" => 0,
        "medium" => 1,
        "high" => 2,
        "critical" => 3,
        other => panic!("unknown severity {other}"),
    }
}

const LEVEL_WORDS: [&str; 4] = ["low", "medium", "high", "critical"];

fn oracle(case: &Case) -> Oracle {
    let n = case.n();
    let total = case.total();
    let planned = |s: usize| matches!(case.action(s), Some(Action::Reboot | Action::Update));

    // Statuses: the naive global iteration to the least fixpoint.
    let mut st: Vec<u8> = (0..total).map(|v| start_status(case, v)).collect();
    loop {
        let mut changed = false;
        for v in 0..total {
            let new = rule(case, &st, v);
            assert!(
                new >= st[v],
                "oracle bug: status of {} fell (seed {})",
                case.id(v),
                case.seed
            );
            if new != st[v] {
                st[v] = new;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    let up: Vec<usize> = case
        .groups
        .iter()
        .map(|g| g.members.iter().filter(|&&m| st[m] != DOWN).count())
        .collect();

    let mut users_down = 0.0;
    let mut users_degraded = 0.0;
    for (i, s) in case.services.iter().enumerate() {
        if let Some(u) = s.users {
            match st[i] {
                DOWN => users_down += u,
                DEGRADED => users_degraded += u,
                _ => {}
            }
        }
    }

    // Findings, one row of the table at a time.
    let mut findings: Vec<FindingKey> = Vec::new();
    let mut add = |kind: &str, subject: usize, severity: &str| {
        findings.push((
            kind.to_string(),
            case.id(subject).to_string(),
            severity.to_string(),
        ));
    };
    let in_a_group = |s: usize| case.groups.iter().any(|g| g.members.contains(&s));
    for (s, svc) in case.services.iter().enumerate() {
        // spof: a changed service is in no group and some service requires
        // it directly.
        if case.action(s).is_some()
            && !in_a_group(s)
            && case.services.iter().any(|o| o.requires.contains(&s))
        {
            add("spof", s, "high");
        }
        // no-automount: a planned service has a volume with automount = false.
        if planned(s)
            && svc.boot.as_ref().is_some_and(|b| {
                b.volumes
                    .iter()
                    .any(|(_, automount)| *automount == Some(false))
            })
        {
            add("no-automount", s, "high");
        }
        // no-autostart: a planned service has boot.autostart = false.
        if planned(s)
            && svc
                .boot
                .as_ref()
                .is_some_and(|b| b.autostart == Some(false))
        {
            add("no-autostart", s, "high");
        }
        // unmonitored: ends down or degraded and has monitored = false.
        if (st[s] == DOWN || st[s] == DEGRADED) && svc.monitored == Some(false) {
            add("unmonitored", s, "high");
        }
        // recovery-path-lost: recovery = true and ends down.
        if svc.recovery == Some(true) && st[s] == DOWN {
            add("recovery-path-lost", s, "critical");
        }
    }
    let max_age = i64::from(case.max_age.unwrap_or(90));
    for (gi, g) in case.groups.iter().enumerate() {
        let v = n + gi;
        let members = g.members.len();
        let min_up = case.min_up(v);
        let changed: Vec<usize> = g
            .members
            .iter()
            .copied()
            .filter(|&m| case.action(m).is_some())
            .collect();
        // failover-unavailable: a changed member, another member already
        // down or degraded by state, and the group ends down or degraded.
        let failover_unavailable = (st[v] == DOWN || st[v] == DEGRADED)
            && changed.iter().any(|&c| {
                g.members
                    .iter()
                    .any(|&o| o != c && case.state(o) != GenState::Up)
            });
        if failover_unavailable {
            add("failover-unavailable", v, "critical");
        }
        // group-fully-changed: planned members number more than n - min_up.
        let planned_members = g.members.iter().filter(|&&m| planned(m)).count();
        let fully_changed = planned_members > members - min_up;
        if fully_changed {
            add("group-fully-changed", v, "critical");
        }
        // quorum-lost: fewer than min_up up, and neither finding above.
        if up[gi] < min_up && !failover_unavailable && !fully_changed {
            add("quorum-lost", v, "critical");
        }
        // no-spare: the group ends at-risk.
        if st[v] == AT_RISK {
            add("no-spare", v, "medium");
        }
        // manual-failover: active-passive, manual, members[0] ends down.
        if case.manual_active_passive(v) && st[g.members[0]] == DOWN {
            add("manual-failover", v, "high");
        }
        if !changed.is_empty() {
            // failover-untested: never tested, older than the policy age,
            // or "tested" after the reference date (not happened yet).
            let untested = match g.last_tested {
                None => true,
                Some(d) => {
                    let age = day_number(REFERENCE) - day_number(d);
                    age > max_age || age < 0
                }
            };
            if untested {
                add("failover-untested", v, "medium");
            }
            // common-failure-domain: two or more members up, all in one zone.
            let up_members: Vec<usize> = g
                .members
                .iter()
                .copied()
                .filter(|&m| st[m] != DOWN)
                .collect();
            let zones: Vec<Option<&str>> =
                up_members.iter().map(|&m| case.services[m].zone).collect();
            if up_members.len() >= 2 && zones[0].is_some() && zones.iter().all(|z| *z == zones[0]) {
                add("common-failure-domain", v, "medium");
            }
        }
    }
    findings.sort();

    // Risk level.
    let mut risk = findings
        .iter()
        .map(|f| severity_rank(&f.2))
        .max()
        .unwrap_or(0);
    if users_down > 0.0 {
        risk = risk.max(3);
    }
    let important_down = (0..n).any(|s| {
        case.action(s).is_none()
            && st[s] == DOWN
            && matches!(case.services[s].criticality, Some("high" | "critical"))
    });
    if users_degraded > 0.0 || important_down {
        risk = risk.max(2);
    }
    if st.contains(&AT_RISK) {
        risk = risk.max(1);
    }

    // Shortest explaining chains: relax until stable.
    let mut shortest: Vec<Option<usize>> = (0..total)
        .map(|v| (st[v] != OK && is_starting_cause(case, &st, v)).then_some(1))
        .collect();
    loop {
        let mut changed = false;
        for v in 0..total {
            if st[v] == OK || is_starting_cause(case, &st, v) {
                continue;
            }
            let best = (0..total)
                .filter(|&t| explains(case, &st, v, t))
                .filter_map(|t| shortest[t])
                .min()
                .map(|d| d + 1);
            if let Some(b) = best
                && shortest[v].is_none_or(|cur| b < cur)
            {
                shortest[v] = Some(b);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for v in 0..total {
        assert!(
            st[v] == OK || shortest[v].is_some(),
            "oracle bug: {} is {} with no explaining chain (seed {})",
            case.id(v),
            STATUS_WORDS[st[v] as usize],
            case.seed
        );
    }

    Oracle {
        status: st,
        up,
        users_down,
        users_degraded,
        findings,
        risk: LEVEL_WORDS[risk as usize],
        shortest_chain: shortest,
    }
}

// ---------------------------------------------------------------------------
// Running the crate and comparing.

struct Run {
    case: Case,
    text: String,
    topo: Topology,
    assessment: Assessment,
    oracle: Oracle,
    /// Our node number -> the crate's handle.
    handle: Vec<NodeId>,
}

fn run(seed: u64) -> Run {
    let case = generate(seed);
    let text = to_toml(&case);
    let topo = match load("gen.toml", &text) {
        Ok(t) => t,
        Err(e) => panic!("seed {seed}: generated topology does not load: {e}\n{text}"),
    };
    let handle: Vec<NodeId> = (0..case.total())
        .map(|v| {
            topo.lookup(case.id(v))
                .unwrap_or_else(|| panic!("seed {seed}: `{}` not found\n{text}", case.id(v)))
        })
        .collect();
    assert_eq!(topo.services().len(), case.n(), "seed {seed}\n{text}");
    assert_eq!(
        topo.groups().len(),
        case.groups.len(),
        "seed {seed}\n{text}"
    );
    let changes: Vec<Change> = case
        .changes
        .iter()
        .map(|&(s, action)| Change {
            service: case.services[s].id.clone(),
            action,
            span: None,
        })
        .collect();
    let resolved = match resolve(&topo, &changes, None, "test") {
        Ok(r) => r,
        Err(e) => panic!(
            "seed {seed}: changes {} do not resolve: {e}\n{text}",
            case.changes_text()
        ),
    };
    let (year, month, day) = REFERENCE;
    let assessment = assess(&topo, &resolved, Date { year, month, day });
    let oracle = oracle(&case);
    Run {
        case,
        text,
        topo,
        assessment,
        oracle,
        handle,
    }
}

fn crate_status_word(s: Status) -> &'static str {
    s.as_str()
}

fn crate_findings(r: &Run) -> Vec<FindingKey> {
    let mut out: Vec<FindingKey> = r
        .assessment
        .findings
        .iter()
        .map(|f| {
            let first = f
                .subjects
                .first()
                .map_or("(no subject)".to_string(), |&s| r.topo.id(s).to_string());
            (
                f.kind.as_str().to_string(),
                first,
                f.severity.as_str().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Everything needed to replay a failing case, and both answers.
fn explain(r: &Run, what: &str) -> String {
    let mut m = String::new();
    writeln!(m, "{what}").unwrap();
    writeln!(m, "seed: {}", r.case.seed).unwrap();
    writeln!(m, "changes: {}", r.case.changes_text()).unwrap();
    writeln!(m, "--- topology (gen.toml) ---\n{}---", r.text).unwrap();
    writeln!(m, "{:<14} {:<9} {:<9} chain", "node", "oracle", "crate").unwrap();
    for v in 0..r.case.total() {
        let h = r.handle[v];
        let chain: Vec<&str> = r
            .assessment
            .chain(h)
            .iter()
            .map(|&c| r.topo.id(c))
            .collect();
        writeln!(
            m,
            "{:<14} {:<9} {:<9} {} (oracle shortest: {:?})",
            r.case.id(v),
            STATUS_WORDS[r.oracle.status[v] as usize],
            crate_status_word(r.assessment.status(h)),
            chain.join(" <- "),
            r.oracle.shortest_chain[v]
        )
        .unwrap();
    }
    writeln!(
        m,
        "users down: oracle {} crate {}; degraded: oracle {} crate {}",
        r.oracle.users_down,
        r.assessment.users_down,
        r.oracle.users_degraded,
        r.assessment.users_degraded
    )
    .unwrap();
    writeln!(m, "findings (oracle): {:?}", r.oracle.findings).unwrap();
    writeln!(m, "findings (crate):  {:?}", crate_findings(r)).unwrap();
    writeln!(
        m,
        "risk: oracle {} crate {}",
        r.oracle.risk,
        r.assessment.risk.as_str()
    )
    .unwrap();
    m
}

fn check_statuses_and_users(r: &Run) -> Result<(), String> {
    for v in 0..r.case.total() {
        let ours = STATUS_WORDS[r.oracle.status[v] as usize];
        let theirs = crate_status_word(r.assessment.status(r.handle[v]));
        if ours != theirs {
            return Err(format!(
                "status of `{}`: oracle {ours}, crate {theirs}",
                r.case.id(v)
            ));
        }
    }
    for (gi, &ours) in r.oracle.up.iter().enumerate() {
        let theirs = r.assessment.up(&r.topo, r.handle[r.case.n() + gi]);
        if ours != theirs {
            return Err(format!(
                "members up of `{}`: oracle {ours}, crate {theirs}",
                r.case.groups[gi].id
            ));
        }
    }
    if (r.oracle.users_down - r.assessment.users_down).abs() > 1e-9 {
        return Err(format!(
            "users down: oracle {}, crate {}",
            r.oracle.users_down, r.assessment.users_down
        ));
    }
    if (r.oracle.users_degraded - r.assessment.users_degraded).abs() > 1e-9 {
        return Err(format!(
            "users degraded: oracle {}, crate {}",
            r.oracle.users_degraded, r.assessment.users_degraded
        ));
    }
    Ok(())
}

fn check_findings_and_risk(r: &Run) -> Result<(), String> {
    let theirs = crate_findings(r);
    if r.oracle.findings != theirs {
        let missing: Vec<&FindingKey> = r
            .oracle
            .findings
            .iter()
            .filter(|f| !theirs.contains(f))
            .collect();
        let extra: Vec<&FindingKey> = theirs
            .iter()
            .filter(|f| !r.oracle.findings.contains(f))
            .collect();
        return Err(format!(
            "findings differ: missing from the crate {missing:?}, extra in the crate {extra:?}"
        ));
    }
    // Each finding names real nodes, once each; a group's finding names the
    // group first and then only its members.
    for f in &r.assessment.findings {
        let mut seen = f.subjects.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != f.subjects.len() {
            return Err(format!(
                "finding {} names a subject twice: {:?}",
                f.kind.as_str(),
                f.subjects
            ));
        }
        if let Some(g) = r.topo.as_group(f.subjects[0])
            && let Some(o) = f.subjects[1..].iter().find(|s| !g.members.contains(s))
        {
            return Err(format!(
                "finding {} on group `{}` names `{}`, not a member",
                f.kind.as_str(),
                g.id,
                r.topo.id(*o)
            ));
        }
    }
    // "Findings, most severe first."
    if r.assessment
        .findings
        .windows(2)
        .any(|w| w[0].severity < w[1].severity)
    {
        return Err("findings are not ordered most severe first".to_string());
    }
    if r.oracle.risk != r.assessment.risk.as_str() {
        return Err(format!(
            "risk: oracle {}, crate {}",
            r.oracle.risk,
            r.assessment.risk.as_str()
        ));
    }
    Ok(())
}

/// Whether `from -> to` is an edge of the graph: a requires/wants edge of a
/// service, or a group-to-member membership.
fn is_edge(case: &Case, from: usize, to: usize) -> bool {
    if from < case.n() {
        let s = &case.services[from];
        s.requires.contains(&to) || s.wants.contains(&to)
    } else {
        case.group(from).members.contains(&to)
    }
}

fn check_chains(r: &Run) -> Result<(), String> {
    let case = &r.case;
    let st = &r.oracle.status;
    let ours_of = |h: NodeId| r.handle.iter().position(|&x| x == h);
    for v in 0..case.total() {
        let chain = r.assessment.chain(r.handle[v]);
        let ids: Vec<&str> = chain.iter().map(|&c| r.topo.id(c)).collect();
        let shown = ids.join(" <- ");
        if st[v] == OK {
            if !chain.is_empty() {
                return Err(format!("`{}` is ok but has a chain {shown}", case.id(v)));
            }
            continue;
        }
        let nodes: Vec<usize> = chain
            .iter()
            .map(|&h| ours_of(h).expect("a node of the topology"))
            .collect();
        if nodes.first() != Some(&v) {
            return Err(format!(
                "chain of `{}` does not start with it: {shown}",
                case.id(v)
            ));
        }
        for w in nodes.windows(2) {
            if !is_edge(case, w[0], w[1]) {
                return Err(format!(
                    "chain of `{}` ({shown}) steps from `{}` to `{}`, which is no requires/wants edge or membership",
                    case.id(v),
                    case.id(w[0]),
                    case.id(w[1])
                ));
            }
        }
        if let Some(&o) = nodes.iter().find(|&&x| st[x] == OK) {
            return Err(format!(
                "chain of `{}` ({shown}) passes through `{}`, which is ok",
                case.id(v),
                case.id(o)
            ));
        }
        for w in nodes.windows(2) {
            if !explains(case, st, w[0], w[1]) {
                return Err(format!(
                    "chain of `{}` ({shown}): `{}` ({}) is not {} because of `{}` ({})",
                    case.id(v),
                    case.id(w[0]),
                    STATUS_WORDS[st[w[0]] as usize],
                    STATUS_WORDS[st[w[0]] as usize],
                    case.id(w[1]),
                    STATUS_WORDS[st[w[1]] as usize],
                ));
            }
        }
        let last = *nodes.last().expect("non-empty");
        if !is_starting_cause(case, st, last) {
            return Err(format!(
                "chain of `{}` ({shown}) ends at `{}`, which is no starting cause",
                case.id(v),
                case.id(last)
            ));
        }
        let want = r.oracle.shortest_chain[v].expect("non-ok nodes have a chain");
        if nodes.len() != want {
            return Err(format!(
                "chain of `{}` ({shown}) has {} nodes; the shortest explaining chain has {want}",
                case.id(v),
                nodes.len()
            ));
        }
    }
    Ok(())
}

fn check_all(check: fn(&Run) -> Result<(), String>) {
    for seed in 0..cases() {
        let r = run(seed);
        if let Err(why) = check(&r) {
            panic!("{}", explain(&r, &why));
        }
    }
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn statuses_up_counts_and_users_match_the_naive_fixpoint() {
    check_all(check_statuses_and_users);
}

#[test]
fn findings_and_risk_level_match_the_design_table() {
    check_all(|r| {
        check_statuses_and_users(r)?;
        check_findings_and_risk(r)
    });
}

#[test]
fn cause_chains_are_shortest_explaining_paths_to_a_starting_cause() {
    check_all(|r| {
        check_statuses_and_users(r)?;
        check_chains(r)
    });
}

/// The comparison is only worth something if the generator produces every
/// situation the design talks about, often.
#[test]
fn generated_cases_exercise_every_feature_and_finding_kind() {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut note = |what: &str| *seen.entry(what.to_string()).or_default() += 1;
    for seed in 0..CASES {
        let case = generate(seed);
        let o = oracle(&case);
        let n = case.n();
        if case.changes.is_empty() {
            note("empty plan");
        }
        for &(_, a) in &case.changes {
            note(&format!("action {}", action_word(a)));
        }
        if has_cycle(&case) {
            note("dependency cycle");
        }
        for (i, s) in case.services.iter().enumerate() {
            note(&format!("service state {:?}", case.state(i)));
            note(&format!(
                "service ends {}",
                STATUS_WORDS[o.status[i] as usize]
            ));
            if s.requires.iter().any(|&t| t >= n) {
                note("requires a group");
            }
            if s.wants.iter().any(|&t| t >= n) {
                note("wants a group");
            }
            if !s.wants.is_empty() {
                note("wants a service or group");
            }
            if case
                .groups
                .iter()
                .filter(|g| g.members.contains(&i))
                .count()
                >= 2
            {
                note("service in several groups");
            }
            if s.users.is_some() {
                note("entry point");
            }
            if matches!(s.criticality, Some("high" | "critical")) {
                note("criticality high or critical");
            }
            if s.monitored == Some(false) {
                note("monitored = false");
            }
            if s.recovery == Some(true) {
                note("recovery = true");
            }
            if s.zone.is_some() {
                note("zone");
            }
            if let Some(b) = &s.boot {
                if b.autostart == Some(false) {
                    note("autostart = false");
                }
                if b.volumes.iter().any(|v| v.1 == Some(false)) {
                    note("automount = false");
                }
            }
            if case.state(i) == GenState::Degraded && o.status[i] == DOWN {
                note("degraded by state, ends down");
            }
        }
        for (gi, g) in case.groups.iter().enumerate() {
            let v = n + gi;
            note(&format!(
                "group ends {}",
                STATUS_WORDS[o.status[v] as usize]
            ));
            if case.min_up(v) > 1 {
                note("group with min_up > 1");
            }
            if case.manual_active_passive(v) {
                note("manual active-passive group");
            }
            match g.last_tested {
                None => note("never tested"),
                Some(d) if day_number(REFERENCE) - day_number(d) > 90 => note("tested long ago"),
                Some(_) => note("tested recently"),
            }
        }
        for f in &o.findings {
            note(&format!("finding {}", f.0));
        }
        note(&format!("risk {}", o.risk));
        if o.shortest_chain.iter().any(|c| c.is_some_and(|l| l >= 4)) {
            note("cause chain of 4 or more");
        }
    }
    let expected = [
        "empty plan",
        "action reboot",
        "action update",
        "action down",
        "dependency cycle",
        "service state Up",
        "service state Degraded",
        "service state Down",
        "service ends ok",
        "service ends at-risk",
        "service ends degraded",
        "service ends down",
        "requires a group",
        "wants a group",
        "wants a service or group",
        "service in several groups",
        "entry point",
        "criticality high or critical",
        "monitored = false",
        "recovery = true",
        "zone",
        "autostart = false",
        "automount = false",
        "degraded by state, ends down",
        "group ends ok",
        "group ends at-risk",
        "group ends degraded",
        "group ends down",
        "group with min_up > 1",
        "manual active-passive group",
        "never tested",
        "tested long ago",
        "tested recently",
        "finding spof",
        "finding failover-unavailable",
        "finding group-fully-changed",
        "finding quorum-lost",
        "finding no-spare",
        "finding manual-failover",
        "finding failover-untested",
        "finding no-automount",
        "finding no-autostart",
        "finding unmonitored",
        "finding recovery-path-lost",
        "finding common-failure-domain",
        "risk low",
        "risk medium",
        "risk high",
        "risk critical",
        "cause chain of 4 or more",
    ];
    let rare: Vec<String> = expected
        .iter()
        .filter(|e| seen.get(**e).copied().unwrap_or(0) < 30)
        .map(|e| format!("{e}: {}", seen.get(*e).copied().unwrap_or(0)))
        .collect();
    assert!(
        rare.is_empty(),
        "the generator rarely produces: {rare:?}\nall counts: {seen:#?}"
    );
}

/// Whether the requires/wants/membership graph has a cycle.
fn has_cycle(case: &Case) -> bool {
    let total = case.total();
    let edges = |v: usize| -> Vec<usize> { (0..total).filter(|&t| is_edge(case, v, t)).collect() };
    // 0 unvisited, 1 on the stack, 2 done.
    fn visit(v: usize, edges: &dyn Fn(usize) -> Vec<usize>, mark: &mut [u8]) -> bool {
        mark[v] = 1;
        for t in edges(v) {
            if mark[t] == 1 || (mark[t] == 0 && visit(t, edges, mark)) {
                return true;
            }
        }
        mark[v] = 2;
        false
    }
    let mut mark = vec![0u8; total];
    (0..total).any(|v| mark[v] == 0 && visit(v, &edges, &mut mark))
}
