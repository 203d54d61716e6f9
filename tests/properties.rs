//! Properties of the walk and of plans over generated inputs (proptest).

use blastradius::analysis::{Assessment, Status, assess};
use blastradius::plan::{Action, Change, Plan};
use blastradius::topology::{Date, Edge, NodeId, Topology, load};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Svc {
    state: u8,
    requires: Vec<usize>,
    wants: Vec<usize>,
    needs_group: Vec<usize>,
    /// Rendered only when it names an earlier service (no cycle of hosts).
    host: Option<usize>,
    /// criticality, zone, and bits: unmonitored, recovery, no autostart,
    /// a volume without automount.
    extra: (u8, u8, u8),
}

#[derive(Debug, Clone)]
struct Grp {
    members: Vec<usize>,
    min_up: usize,
    active_passive: bool,
    manual: bool,
    tested: bool,
}

#[derive(Debug, Clone)]
struct Spec {
    services: Vec<Svc>,
    groups: Vec<Grp>,
}

fn spec(max_services: usize) -> impl Strategy<Value = Spec> {
    (2..=max_services, 0usize..4).prop_flat_map(|(n, g)| {
        let svc = (
            prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
            prop::collection::vec(0..n, 0..3),
            prop::collection::vec(0..n, 0..2),
            prop::collection::vec(0..g.max(1), 0..2),
            prop::option::weighted(0.3, 0..n),
            (0u8..4, 0u8..3, 0u8..16),
        )
            .prop_map(|(state, requires, wants, needs_group, host, extra)| Svc {
                state,
                requires,
                wants,
                needs_group,
                host,
                extra,
            });
        let grp = (
            prop::collection::vec(0..n, 1..5),
            1usize..4,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(members, min_up, active_passive, manual, tested)| Grp {
                members,
                min_up,
                active_passive,
                manual,
                tested,
            });
        (
            prop::collection::vec(svc, n..=n),
            prop::collection::vec(grp, g..=g),
        )
            .prop_map(|(services, groups)| Spec { services, groups })
    })
}

/// Renders a spec as a valid topology: members deduplicated, `min_up`
/// clamped, no service requiring itself or its own group.
fn render(s: &Spec, with_deps: bool) -> String {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut out = String::from("[topology]\nname = \"prop\"\n\n");
    for g in &s.groups {
        let mut m = g.members.clone();
        m.dedup();
        let mut seen = Vec::new();
        m.retain(|x| {
            let new = !seen.contains(x);
            seen.push(*x);
            new
        });
        groups.push(m);
    }
    for (i, svc) in s.services.iter().enumerate() {
        out.push_str(&format!("[services.s{i}]\n"));
        out.push_str(match svc.state {
            1 => "state = \"degraded\"\n",
            2 => "state = \"down\"\n",
            _ => "",
        });
        if i % 3 == 0 {
            out.push_str("users = 0.1\n");
        }
        if !with_deps {
            continue;
        }
        let (crit, zone, bits) = svc.extra;
        out.push_str(&format!(
            "criticality = \"{}\"\nzone = \"z{zone}\"\n",
            ["low", "medium", "high", "critical"][crit as usize]
        ));
        if bits & 1 != 0 {
            out.push_str("monitored = false\n");
        }
        if bits & 2 != 0 {
            out.push_str("recovery = true\n");
        }
        if let Some(h) = svc.host.filter(|&h| h < i) {
            out.push_str(&format!("host = \"s{h}\"\n"));
        }
        let mut req: Vec<String> = svc
            .requires
            .iter()
            .filter(|&&t| t != i)
            .map(|t| format!("\"s{t}\""))
            .collect();
        for &g in &svc.needs_group {
            if g < groups.len() && !groups[g].contains(&i) {
                req.push(format!("\"g{g}\""));
            }
        }
        let wants: Vec<String> = svc.wants.iter().map(|t| format!("\"s{t}\"")).collect();
        out.push_str(&format!(
            "requires = [{}]\nwants = [{}]\n",
            req.join(", "),
            wants.join(", ")
        ));
        if bits & 12 != 0 {
            out.push_str(&format!(
                "boot = {{ autostart = {}, volumes = [{{ path = \"/d\", automount = {} }}] }}\n",
                bits & 4 == 0,
                bits & 8 == 0
            ));
        }
    }
    for (gi, (g, m)) in s.groups.iter().zip(&groups).enumerate() {
        let members: Vec<String> = m.iter().map(|x| format!("\"s{x}\"")).collect();
        out.push_str(&format!(
            "[groups.g{gi}]\nmembers = [{}]\nmin_up = {}\nmode = \"{}\"\nfailover = \"{}\"\n",
            members.join(", "),
            g.min_up.min(m.len()),
            if g.active_passive {
                "active-passive"
            } else {
                "active-active"
            },
            if g.manual { "manual" } else { "automatic" },
        ));
        if g.tested {
            out.push_str("last_tested = 2023-06-01\n");
        }
    }
    out
}

fn run(t: &Topology, changes: &[(usize, Action)]) -> Assessment {
    let mut resolved: Vec<(NodeId, Action)> = Vec::new();
    for &(i, a) in changes {
        let id = t.lookup(&format!("s{i}")).expect("generated id");
        if !resolved.iter().any(|(n, _)| *n == id) {
            resolved.push((id, a));
        }
    }
    assess(
        t,
        &resolved,
        Date {
            year: 2023,
            month: 6,
            day: 8,
        },
    )
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Reboot),
        Just(Action::Update),
        Just(Action::Down)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_change_never_lowers_any_status_or_users_down(
        s in spec(10),
        changes in prop::collection::vec((0usize..10, action()), 0..4),
        extra in (0usize..10, action()),
    ) {
        let text = render(&s, true);
        let t = load("p.toml", &text).unwrap();
        let n = t.services().len();
        let base: Vec<(usize, Action)> = changes.iter().map(|&(i, a)| (i % n, a)).collect();
        let mut more = base.clone();
        more.push((extra.0 % n, extra.1));
        let a = run(&t, &base);
        let b = run(&t, &more);
        for id in t.node_ids() {
            prop_assert!(b.status(id) >= a.status(id), "{} fell\n{text}", t.id(id));
        }
        prop_assert!(b.users.down >= a.users.down);
        prop_assert!(b.users.added_down >= a.users.added_down);
    }

    /// DESIGN.md: "adding a change never lowers the risk", on topologies
    /// with hosts, quorum and manual groups, standing failures and every
    /// finding's ingredients.
    #[test]
    fn adding_a_change_never_lowers_the_risk(
        s in spec(10),
        changes in prop::collection::vec((0usize..10, action()), 0..4),
        extra in (0usize..10, action()),
    ) {
        let text = render(&s, true);
        let t = load("p.toml", &text).unwrap();
        let n = t.services().len();
        let base: Vec<(usize, Action)> = changes.iter().map(|&(i, a)| (i % n, a)).collect();
        let mut more = base.clone();
        more.push((extra.0 % n, extra.1));
        let a = run(&t, &base);
        let b = run(&t, &more);
        prop_assert!(
            b.risk >= a.risk,
            "risk fell from {} ({:?}) to {} ({:?}) adding {:?} to {:?}\n{text}",
            a.risk.as_str(), a.risk_reasons, b.risk.as_str(), b.risk_reasons, extra, base
        );
        for id in t.node_ids() {
            prop_assert!(!a.hit(id) || b.hit(id), "{} no longer hit\n{text}", t.id(id));
        }
        // Every plan is measured against the same standing estate.
        prop_assert_eq!(a.risk_before, b.risk_before);
    }

    #[test]
    fn the_empty_plan_is_low_whatever_the_estate(s in spec(12)) {
        let text = render(&s, true);
        let t = load("p.toml", &text).unwrap();
        let a = run(&t, &[]);
        prop_assert_eq!(a.risk.as_str(), "low", "{:?}\n{}", a.risk_reasons, text);
        prop_assert!(a.findings.iter().all(|f| !f.new));
        prop_assert!(t.node_ids().all(|id| !a.hit(id) && a.before(id) == a.status(id)));
        prop_assert_eq!(a.users.added_down, 0.0);
        prop_assert_eq!(a.users.added_degraded, 0.0);
    }

    #[test]
    fn statuses_are_a_fixpoint(
        s in spec(12),
        changes in prop::collection::vec((0usize..12, action()), 0..5),
    ) {
        let text = render(&s, true);
        let t = load("p.toml", &text).unwrap();
        let n = t.services().len();
        let c: Vec<(usize, Action)> = changes.iter().map(|&(i, a)| (i % n, a)).collect();
        let a = run(&t, &c);
        prop_assert!(a.is_fixpoint(&t), "{text}");
    }

    #[test]
    fn every_cause_chain_is_a_real_path_to_a_starting_cause(
        s in spec(12),
        changes in prop::collection::vec((0usize..12, action()), 0..5),
    ) {
        let text = render(&s, true);
        let t = load("p.toml", &text).unwrap();
        let n = t.services().len();
        let c: Vec<(usize, Action)> = changes.iter().map(|&(i, a)| (i % n, a)).collect();
        let a = run(&t, &c);
        for id in t.node_ids() {
            let chain = a.chain(id);
            if a.status(id) == Status::Ok {
                prop_assert!(chain.is_empty());
                continue;
            }
            prop_assert_eq!(chain[0], id);
            for w in chain.windows(2) {
                // Each step is an edge from w[0] to w[1].
                let edge = t.dependents(w[1]).any(|(d, e)| d == w[0]
                    && matches!(e, Edge::Requires | Edge::Wants | Edge::Member | Edge::Host));
                prop_assert!(edge, "{} -> {} is no edge\n{text}", t.id(w[0]), t.id(w[1]));
                prop_assert!(a.status(w[1]) != Status::Ok);
            }
            let last = *chain.last().unwrap();
            prop_assert!(a.origin(&t, last).is_some(), "chain of {} ends at {}", t.id(id), t.id(last));
        }
    }

    #[test]
    fn without_dependencies_a_plan_impacts_only_its_own_services(
        s in spec(12),
        changes in prop::collection::vec((0usize..12, action()), 0..5),
    ) {
        let mut s = s;
        s.groups.clear();
        for svc in &mut s.services {
            svc.state = 0;
        }
        let text = render(&s, false);
        let t = load("p.toml", &text).unwrap();
        let n = t.services().len();
        let c: Vec<(usize, Action)> = changes.iter().map(|&(i, a)| (i % n, a)).collect();
        let a = run(&t, &c);
        for id in t.node_ids() {
            let changed = a.action(id).is_some();
            prop_assert_eq!(a.status(id) == Status::Down, changed);
            prop_assert!(matches!(a.status(id), Status::Ok | Status::Down));
        }
    }

    #[test]
    fn a_saved_plan_loads_back_the_same(
        title in "(?s).{0,40}",
        ids in prop::collection::vec("[a-zA-Z0-9._-]{1,12}", 0..6),
        acts in prop::collection::vec(action(), 6),
        done in prop::collection::vec("(?s).{0,20}", 0..5),
        minutes in prop::option::of(1u32..10_000),
    ) {
        let mut plan = Plan { title, minutes, ..Plan::default() };
        for (id, a) in ids.iter().zip(&acts) {
            plan.set_change(id, Some(*a));
        }
        for d in done {
            if !plan.done.contains(&d) {
                plan.done.push(d);
            }
        }
        let text = plan.to_toml();
        let mut back = Plan::parse("p", &text).unwrap();
        back.changes.iter_mut().for_each(|c: &mut Change| c.span = None);
        prop_assert_eq!(back, plan);
    }
}

/// The old corner where the risk fell: a high-criticality service already
/// down by `state` made the empty plan high, and adding it to the plan
/// made it low. Now the estate's HIGH is `risk_before`, and both plans are
/// low: the change adds nothing.
#[test]
fn a_down_critical_service_joining_the_plan_does_not_lower_the_risk() {
    let t = load(
        "t.toml",
        "[topology]\nname = \"t\"\n[services.x]\ncriticality = \"high\"\nstate = \"down\"\n",
    )
    .unwrap();
    let x = t.lookup("x").unwrap();
    let today = Date {
        year: 2023,
        month: 6,
        day: 8,
    };
    let empty = assess(&t, &[], today);
    let with = assess(&t, &[(x, Action::Reboot)], today);
    assert_eq!(empty.risk.as_str(), "low");
    assert_eq!(empty.risk_before.as_str(), "high");
    assert!(with.risk >= empty.risk);
    assert_eq!(with.risk_before.as_str(), "high");
}

/// Ticking one checklist item must never tick another: on every bundled
/// topology with every service rebooted, item ids are unique.
#[test]
fn checklist_item_ids_are_unique_on_every_bundled_topology_with_everything_rebooted() {
    use blastradius::checklist::RuleSet;
    use blastradius::review::Review;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/topologies");
    let mut seen_topologies = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.to_string_lossy().into_owned();
        if !name.ends_with(".toml") || name.ends_with(".plan.toml") {
            continue;
        }
        let topo = load(&name, &std::fs::read_to_string(&path).unwrap()).unwrap();
        let changes: Vec<blastradius::plan::Named> = (0..topo.services().len())
            .map(|i| (topo.service_id(i), Action::Reboot).into())
            .collect();
        let review = Review::new(
            &topo,
            &Plan::default(),
            &changes,
            &RuleSet::defaults(),
            Date::parse("2024-06-01").unwrap(),
        );
        let mut ids: Vec<&str> = review
            .checklist
            .items
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert!(!ids.is_empty(), "{name}");
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "{name}: duplicate checklist ids");
        seen_topologies += 1;
    }
    assert!(seen_topologies >= 4);
}
