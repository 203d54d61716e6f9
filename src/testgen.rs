//! Synthetic topologies for benchmarks and scale tests: layered estates
//! (entry points, then web, app and data tiers, plus shared operations
//! services) with redundancy groups, zones and both dependency kinds,
//! deterministic from a seed.
//!
//! Used by `examples/gen.rs` (`cargo run --release --example gen -- 100000`)
//! and the criterion benches. Not part of the stable API.
//!
//! The shape:
//!
//! * about 1 in 200 services is an entry point; their `users` shares are
//!   whole millionths that sum to exactly 1;
//! * the rest is split web 20%, app 40%, data 30%, operations 10%;
//! * within a tier, about 4 services in 5 sit in a group of 2 to 5 members
//!   (active-active with a quorum `min_up`, or active-passive pairs, a few
//!   with a manual failover), members spread over zones (a few all in one);
//! * each service `requires` one or two groups or lone services of the tier
//!   below, near its own position (stacks are local, as in real estates),
//!   and `wants` one or two operations groups: 3 to 4 dependencies each;
//! * a few services are already down or degraded, unmonitored, or have a
//!   boot table with volumes that do not mount by themselves.

use std::fmt::Write as _;

/// A small deterministic PRNG (splitmix64), so the output depends only on
/// the seed, not on a crate's version.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6a09_e667_f3bc_c908)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next_u64() % 100 < pct
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// The tiers of the estate, from the users inwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    Entry,
    Web,
    App,
    Data,
    Ops,
}

impl Tier {
    fn prefix(self) -> &'static str {
        match self {
            Tier::Entry => "site",
            Tier::Web => "web",
            Tier::App => "app",
            Tier::Data => "db",
            Tier::Ops => "ops",
        }
    }

    fn group_prefix(self) -> &'static str {
        match self {
            Tier::Entry => "site-pool",
            Tier::Web => "web-pool",
            Tier::App => "app-pool",
            Tier::Data => "db-pool",
            Tier::Ops => "ops-pool",
        }
    }

    fn kinds(self) -> &'static [&'static str] {
        match self {
            Tier::Entry => &["website", "api-gateway"],
            Tier::Web => &["load-balancer", "web", "proxy"],
            Tier::App => &["app", "worker", "api"],
            Tier::Data => &["database", "cache", "queue", "storage"],
            Tier::Ops => &["monitoring", "dns", "logging", "bastion"],
        }
    }
}

/// A node that can be depended on: a group, or a service in no group.
#[derive(Debug, Clone, Copy)]
enum Target {
    Service(usize),
    Group(usize),
}

struct Svc {
    tier: Tier,
    /// Index within its tier (for the id).
    n: usize,
    team: usize,
    zone: usize,
    kind: &'static str,
    /// Position of this service's group (or itself) among its tier's units.
    unit: usize,
    requires: Vec<Target>,
    wants: Vec<Target>,
    users: Option<u32>,
}

struct Grp {
    tier: Tier,
    n: usize,
    members: Vec<usize>,
}

/// A generated estate: the topology text and a plan to try on it.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The topology file.
    pub toml: String,
    /// Ten services (fewer for tiny estates) a realistic maintenance plan
    /// would reboot: spread over the tiers, mostly members of groups.
    pub changes: Vec<String>,
    /// Every service id, in file order.
    pub service_ids: Vec<String>,
}

/// How many units of the tier below a service chooses its needs from.
const SPREAD: usize = 24;

const ZONES: [&str; 6] = ["eu-1a", "eu-1b", "eu-1c", "us-1a", "us-1b", "us-1c"];
const DATES: [&str; 8] = [
    "2022-11-02",
    "2023-01-17",
    "2023-03-01",
    "2023-04-11",
    "2023-05-02",
    "2023-05-20",
    "2024-02-29",
    "2024-09-30",
];

fn id(tier: Tier, n: usize) -> String {
    format!("{}-{n}", tier.prefix())
}

fn group_id(tier: Tier, n: usize) -> String {
    format!("{}-{n}", tier.group_prefix())
}

/// Generates an estate of `services` services (at least one) from `seed`.
pub fn generate(services: usize, seed: u64) -> Generated {
    let total = services.max(1);
    let mut r = Rng::new(seed);
    let entries = (total / 200).max(1);
    let rest = total - entries;
    let web = rest / 5;
    let app = rest * 2 / 5;
    let ops = rest / 10;
    let data = rest - web - app - ops;
    let teams = (total / 40).max(1);

    let mut svcs: Vec<Svc> = Vec::with_capacity(total);
    let mut grps: Vec<Grp> = Vec::new();
    // Per tier: the units (groups and lone services) in order.
    let mut units: Vec<(Tier, Vec<Target>)> = Vec::new();
    for (tier, count) in [
        (Tier::Entry, entries),
        (Tier::Web, web),
        (Tier::App, app),
        (Tier::Data, data),
        (Tier::Ops, ops),
    ] {
        let mut tier_units = Vec::new();
        let mut made = 0;
        while made < count {
            let left = count - made;
            let size = if tier != Tier::Entry && left >= 2 && r.chance(80) {
                r.range(2, 5.min(left))
            } else {
                1
            };
            let team = r.below(teams);
            let kind = r.pick(tier.kinds());
            let base_zone = r.below(ZONES.len());
            let same_zone = r.chance(8);
            let unit = tier_units.len();
            let first = svcs.len();
            for j in 0..size {
                svcs.push(Svc {
                    tier,
                    n: made + j,
                    team,
                    zone: if same_zone {
                        base_zone
                    } else {
                        (base_zone + j) % ZONES.len()
                    },
                    kind,
                    unit,
                    requires: Vec::new(),
                    wants: Vec::new(),
                    users: None,
                });
            }
            if size > 1 {
                tier_units.push(Target::Group(grps.len()));
                grps.push(Grp {
                    tier,
                    n: 0,
                    members: (first..first + size).collect(),
                });
            } else {
                tier_units.push(Target::Service(first));
            }
            made += size;
        }
        units.push((tier, tier_units));
    }
    // Groups are numbered within their tier.
    let mut per_tier = [0usize; 5];
    for g in &mut grps {
        let t = g.tier as usize;
        g.n = per_tier[t];
        per_tier[t] += 1;
    }

    let units_of = |t: Tier| -> &Vec<Target> {
        &units
            .iter()
            .find(|(tier, _)| *tier == t)
            .expect("every tier is listed")
            .1
    };
    let below = |t: Tier| match t {
        Tier::Entry => Tier::Web,
        Tier::Web => Tier::App,
        Tier::App => Tier::Data,
        Tier::Data | Tier::Ops => Tier::Ops,
    };
    let tier_len = |t: Tier| units_of(t).len();
    for s in &mut svcs {
        let (tier, unit) = (s.tier, s.unit);
        let down = below(tier);
        let targets = units_of(down);
        let ops_units = units_of(Tier::Ops);
        let mut requires = Vec::new();
        if tier == Tier::Ops {
            // Operations services lean on a core (the first quarter of the
            // tier: DNS, storage) that needs nothing itself: two levels, so
            // nobody needs its own group and no chain grows with the estate.
            let core = targets.len() / 4;
            if unit >= core && core > 0 && r.chance(50) {
                requires.push(targets[r.below(core)]);
            }
        } else if !targets.is_empty() {
            // Near the same relative position in the tier below.
            let centre = unit * targets.len() / tier_len(tier).max(1);
            let lo = centre.saturating_sub(SPREAD / 2).min(targets.len() - 1);
            let hi = (lo + SPREAD).min(targets.len());
            for _ in 0..r.pick(&[1, 2, 2, 3]) {
                requires.push(targets[lo + r.below(hi - lo)]);
            }
        }
        let mut wants = Vec::new();
        if tier != Tier::Ops && !ops_units.is_empty() {
            for _ in 0..r.range(1, 2) {
                wants.push(ops_units[r.below(ops_units.len())]);
            }
        }
        dedup(&mut requires);
        dedup(&mut wants);
        s.requires = requires;
        s.wants = wants;
    }

    // Users: whole millionths summing to exactly one million.
    let entry_ids: Vec<usize> = (0..svcs.len())
        .filter(|&i| svcs[i].tier == Tier::Entry)
        .collect();
    let weights: Vec<u64> = entry_ids.iter().map(|_| 1 + r.below(100) as u64).collect();
    let sum: u64 = weights.iter().sum();
    let mut given = 0u32;
    for (k, &i) in entry_ids.iter().enumerate() {
        let share = if k + 1 == entry_ids.len() {
            1_000_000u32.saturating_sub(given).max(1)
        } else {
            // At least one millionth each; fine below two million services.
            ((weights[k] * 1_000_000 / sum) as u32).max(1)
        };
        given += share;
        svcs[i].users = Some(share);
    }

    let mut out = String::with_capacity(total * 170);
    let _ = writeln!(
        out,
        "# Generated by `cargo run --example gen -- {total} --seed {seed}`: a synthetic layered estate.\n\n\
         [topology]\nname = \"synthetic-{total}\"\n\
         description = \"Entry points, web, app and data tiers, operations; seed {seed}\"\n\
         failover_test_max_age_days = 365\n"
    );
    // Groups follow the last member of each, as people write them.
    let mut group_after: Vec<Option<usize>> = vec![None; svcs.len()];
    for (g, grp) in grps.iter().enumerate() {
        group_after[*grp.members.last().expect("groups have members")] = Some(g);
    }
    for (i, s) in svcs.iter().enumerate() {
        write_service(&mut out, &mut r, s, &svcs, &grps);
        if let Some(g) = group_after[i] {
            write_group(&mut out, &mut r, &grps[g], &svcs);
        }
    }

    // The plan: ten reboots spread over the tiers, like a patch round.
    let mut changes = Vec::new();
    let want = 10.min(svcs.len());
    let mut tries = 0;
    while changes.len() < want && tries < 10_000 {
        tries += 1;
        let i = r.below(svcs.len());
        let s = &svcs[i];
        let name = id(s.tier, s.n);
        if !changes.contains(&name) {
            changes.push(name);
        }
    }
    Generated {
        toml: out,
        changes,
        service_ids: svcs.iter().map(|s| id(s.tier, s.n)).collect(),
    }
}

fn dedup(v: &mut Vec<Target>) {
    let mut seen = Vec::with_capacity(v.len());
    v.retain(|t| {
        let key = match *t {
            Target::Service(i) => (0, i),
            Target::Group(g) => (1, g),
        };
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}

fn target_id(t: Target, svcs: &[Svc], grps: &[Grp]) -> String {
    match t {
        Target::Service(i) => id(svcs[i].tier, svcs[i].n),
        Target::Group(g) => group_id(grps[g].tier, grps[g].n),
    }
}

fn list(out: &mut String, key: &str, ts: &[Target], svcs: &[Svc], grps: &[Grp]) {
    if ts.is_empty() {
        return;
    }
    let ids: Vec<String> = ts
        .iter()
        .map(|&t| format!("\"{}\"", target_id(t, svcs, grps)))
        .collect();
    let _ = writeln!(out, "{key} = [{}]", ids.join(", "));
}

fn write_service(out: &mut String, r: &mut Rng, s: &Svc, svcs: &[Svc], grps: &[Grp]) {
    let sid = id(s.tier, s.n);
    let _ = writeln!(out, "[services.{sid}]");
    if s.tier == Tier::Entry || r.chance(10) {
        let _ = writeln!(out, "name = \"{} {} {}\"", s.kind, s.tier.prefix(), s.n);
    }
    let _ = writeln!(out, "kind = \"{}\"", s.kind);
    let _ = writeln!(out, "team = \"team-{}\"", s.team);
    if r.chance(30) {
        let _ = writeln!(out, "oncall = \"team-{}-pager\"", s.team);
    }
    let criticality = match s.tier {
        Tier::Entry => Some("critical"),
        Tier::Data => match r.below(10) {
            0..=2 => Some("critical"),
            3..=5 => Some("high"),
            _ => None,
        },
        _ => match r.below(10) {
            0 => Some("low"),
            1 | 2 => Some("high"),
            _ => None,
        },
    };
    if let Some(c) = criticality {
        let _ = writeln!(out, "criticality = \"{c}\"");
    }
    if let Some(u) = s.users {
        let _ = writeln!(out, "users = {}", share(u));
    }
    match r.below(100) {
        0 => {
            let _ = writeln!(out, "state = \"down\"");
        }
        1 | 2 => {
            let _ = writeln!(out, "state = \"degraded\"");
        }
        _ => {}
    }
    let _ = writeln!(out, "zone = \"{}\"", ZONES[s.zone]);
    match r.below(20) {
        0 => {
            let _ = writeln!(out, "monitored = false");
        }
        1..=10 => {}
        _ => {
            let _ = writeln!(out, "monitored = true");
        }
    }
    if s.tier == Tier::Ops && s.kind == "bastion" {
        let _ = writeln!(out, "recovery = true");
    }
    list(out, "requires", &s.requires, svcs, grps);
    list(out, "wants", &s.wants, svcs, grps);
    if s.tier == Tier::Entry {
        let _ = writeln!(out, "probe = \"https://{sid}.example.com/health\"");
    } else if r.chance(15) {
        let _ = writeln!(
            out,
            "probe = \"tcp://10.{}.{}.{}:{}\"",
            r.below(256),
            r.below(256),
            1 + r.below(254),
            r.pick(&[443, 5432, 6379, 8080, 9090])
        );
    }
    if r.chance(5) {
        let _ = writeln!(
            out,
            "runbook = \"https://wiki.example/runbooks/{}\"",
            s.kind
        );
    }
    let boot = s.tier == Tier::Data && r.chance(30) || r.chance(3);
    if boot {
        let _ = writeln!(out, "\n[services.{sid}.boot]");
        if r.chance(10) {
            let _ = writeln!(out, "autostart = false");
        }
        let _ = writeln!(out, "minutes = {}", r.range(1, 30));
        if s.tier == Tier::Data {
            let automount = !r.chance(5);
            let _ = writeln!(
                out,
                "volumes = [{{ path = \"/var/lib/{}\", automount = {automount} }}]",
                s.kind
            );
        }
    }
    out.push('\n');
}

fn write_group(out: &mut String, r: &mut Rng, g: &Grp, svcs: &[Svc]) {
    let members: Vec<String> = g
        .members
        .iter()
        .map(|&m| format!("\"{}\"", id(svcs[m].tier, svcs[m].n)))
        .collect();
    let _ = writeln!(out, "[groups.{}]", group_id(g.tier, g.n));
    let _ = writeln!(out, "members = [{}]", members.join(", "));
    let n = g.members.len();
    if n == 2 && (g.tier == Tier::Data || r.chance(30)) {
        let _ = writeln!(out, "mode = \"active-passive\"");
        if r.chance(15) {
            let _ = writeln!(out, "failover = \"manual\"");
        }
    } else if n >= 3 {
        // A quorum: a majority, sometimes all but one.
        let min_up = if r.chance(70) { n / 2 + 1 } else { n - 1 };
        if min_up > 1 {
            let _ = writeln!(out, "min_up = {min_up}");
        }
    }
    if r.chance(75) {
        let _ = writeln!(out, "last_tested = {}", r.pick(&DATES));
    }
    out.push('\n');
}

/// Millionths as a decimal: 125000 -> "0.125".
fn share(millionths: u32) -> String {
    if millionths >= 1_000_000 {
        return "1.0".into();
    }
    let s = format!("0.{millionths:06}");
    s.trim_end_matches('0').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_valid() {
        let a = generate(2000, 7);
        let b = generate(2000, 7);
        assert_eq!(a.toml, b.toml);
        assert_ne!(a.toml, generate(2000, 8).toml);
        let topo = crate::topology::load("gen.toml", &a.toml).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(topo.services().len(), 2000);
        let users: f64 = topo.services().iter().filter_map(|s| s.users).sum();
        assert!((users - 1.0).abs() < 1e-9, "{users}");
        assert_eq!(a.changes.len(), 10);
        for c in &a.changes {
            assert!(topo.lookup(c).is_some(), "{c}");
        }
    }

    #[test]
    fn tiny_estates_load() {
        for n in [1, 2, 3, 5, 9, 17, 40] {
            let g = generate(n, 1);
            let topo = crate::topology::load("gen.toml", &g.toml).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(topo.services().len(), n);
        }
    }
}
