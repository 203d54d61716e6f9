//! Exposure (DESIGN.md "Exposure: what else can fail") against brute force:
//! on random topologies, every service not down at the end of a plan is
//! added to the plan as a what-if `down`, the whole walk is re-run through
//! the public API, and the users down are compared. The fast
//! implementation must give the same services, in the same order, with
//! the same users at stake and the same `before`.

use blastradius::analysis::{
    Exposure, Status, assess, assess_planned, exposure, standing_exposure,
};
use blastradius::plan::Action;
use blastradius::testgen::Rng;
use blastradius::topology::{Date, NodeId, Topology, load};

const DATE: Date = Date {
    year: 2023,
    month: 6,
    day: 8,
};

/// Random topologies generated and compared, each under several plans.
const TOPOLOGIES: u64 = 3000;
const PLANS_PER_TOPOLOGY: usize = 3;

/// A random topology: cycles of `requires`, groups of every kind
/// (quorum, active-passive, manual), hosts, `wants`, standing states,
/// several entry points with shares in whole hundredths.
fn random_topology(rng: &mut Rng) -> String {
    let n = rng.range(2, 14);
    let g = rng.range(0, 6);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut out = String::from("[topology]\nname = \"exposure\"\n\n");
    let mut gtext = String::new();
    for gi in 0..g {
        // Mostly two or more members; now and then one.
        let lone = rng.chance(10);
        let size = rng.range(if lone { 1 } else { 2 }, 5.min(n));
        let mut members: Vec<usize> = Vec::new();
        while members.len() < size {
            let m = rng.below(n);
            if !members.contains(&m) {
                members.push(m);
            }
        }
        let min_up = if rng.chance(50) {
            1
        } else {
            rng.range(1, size)
        };
        let ap = rng.chance(40);
        let manual = rng.chance(40);
        gtext.push_str(&format!(
            "[groups.g{gi}]\nmembers = [{}]\nmin_up = {min_up}\nmode = \"{}\"\nfailover = \"{}\"\n\n",
            members
                .iter()
                .map(|m| format!("\"s{m}\""))
                .collect::<Vec<_>>()
                .join(", "),
            if ap { "active-passive" } else { "active-active" },
            if manual { "manual" } else { "automatic" },
        ));
        groups.push(members);
    }
    for i in 0..n {
        out.push_str(&format!("[services.s{i}]\n"));
        if rng.chance(35) {
            out.push_str(&format!("users = 0.{:02}\n", rng.range(1, 40)));
        }
        match rng.below(10) {
            0 => out.push_str("state = \"down\"\n"),
            1 => out.push_str("state = \"degraded\"\n"),
            _ => {}
        }
        if i > 0 && rng.chance(20) {
            out.push_str(&format!("host = \"s{}\"\n", rng.below(i)));
        }
        let mut req: Vec<String> = Vec::new();
        let more = usize::from(rng.chance(30));
        for _ in 0..rng.range(0, 1 + more) {
            let t = rng.below(n);
            let name = format!("\"s{t}\"");
            if t != i && !req.contains(&name) {
                req.push(name);
            }
        }
        for _ in 0..rng.range(0, 3) {
            if groups.is_empty() {
                break;
            }
            let t = rng.below(groups.len());
            let name = format!("\"g{t}\"");
            if !groups[t].contains(&i) && !req.contains(&name) {
                req.push(name);
            }
        }
        let mut wants: Vec<String> = Vec::new();
        if rng.chance(30) {
            wants.push(format!("\"s{}\"", rng.below(n)));
        }
        if rng.chance(20) && !groups.is_empty() {
            wants.push(format!("\"g{}\"", rng.below(groups.len())));
        }
        wants.dedup();
        out.push_str(&format!(
            "requires = [{}]\nwants = [{}]\n\n",
            req.join(", "),
            wants.join(", ")
        ));
    }
    out.push_str(&gtext);
    out
}

fn random_plan(rng: &mut Rng, t: &Topology) -> Vec<(NodeId, Action)> {
    let n = t.services().len();
    let mut plan: Vec<(NodeId, Action)> = Vec::new();
    for _ in 0..rng.range(0, 3) {
        // Mostly members of groups: what spends redundancy.
        let id = match t.groups() {
            gs if !gs.is_empty() && rng.chance(70) => {
                let g = &gs[rng.below(gs.len())];
                g.members[rng.below(g.members.len())]
            }
            _ => t.service_id(rng.below(n)),
        };
        let a = [Action::Reboot, Action::Update, Action::Down][rng.below(3)];
        if !plan.iter().any(|&(p, _)| p == id) {
            plan.push((id, a));
        }
    }
    plan
}

/// Users as whole billionths, as `users.down` is rounded.
fn nanos(x: f64) -> i64 {
    (x * 1e9).round() as i64
}

/// The exposure by brute force: a whole walk per service.
fn brute_force(t: &Topology, plan: &[(NodeId, Action)]) -> Exposure {
    let base = assess_planned(t, plan, &[], DATE);
    let standing = assess(t, &[], DATE);
    let single_point_before = |c: NodeId| {
        standing.status(c) != Status::Down
            && nanos(assess(t, &[(c, Action::Down)], DATE).users.down) > nanos(standing.users.down)
    };
    let mut entries = Vec::new();
    let mut union = vec![false; t.node_count()];
    for i in 0..t.services().len() {
        let c = t.service_id(i);
        if base.status(c) == Status::Down {
            continue;
        }
        let mut with = plan.to_vec();
        with.push((c, Action::Down));
        let a = assess_planned(t, &with, &[], DATE);
        let stake = a.users.down - base.users.down;
        if nanos(stake) > 0 {
            for &e in t.entry_points() {
                if a.status(e) == Status::Down && base.status(e) != Status::Down {
                    union[e.index()] = true;
                }
            }
            entries.push(blastradius::analysis::Exposed {
                service: c,
                users: stake,
                before: single_point_before(c),
            });
        }
    }
    entries.sort_by_key(|e| (std::cmp::Reverse(nanos(e.users)), e.service));
    let users = t
        .entry_points()
        .iter()
        .filter(|e| union[e.index()])
        .map(|&e| t.as_service(e).and_then(|s| s.users).unwrap_or(0.0))
        .sum();
    let before = (0..t.services().len())
        .filter(|&i| single_point_before(t.service_id(i)))
        .count();
    Exposure {
        entries,
        users,
        before,
    }
}

fn same(t: &Topology, text: &str, what: &str, got: &Exposure, want: &Exposure) {
    let show = |x: &Exposure| {
        x.entries
            .iter()
            .map(|e| format!("{}:{}:{}", t.id(e.service), e.users, e.before))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let ok = got.entries.len() == want.entries.len()
        && got.entries.iter().zip(&want.entries).all(|(g, w)| {
            g.service == w.service && (g.users - w.users).abs() < 1e-9 && g.before == w.before
        })
        && (got.users - want.users).abs() < 1e-9
        && got.before == want.before;
    assert!(
        ok,
        "{what}: exposure differs from brute force\n got: {} (users {}, before {})\nwant: {} (users {}, before {})\n{text}",
        show(got),
        got.users,
        got.before,
        show(want),
        want.users,
        want.before
    );
}

#[test]
fn exposure_equals_a_walk_per_service_on_random_topologies() {
    let mut rng = Rng::new(14);
    let mut compared = 0;
    let mut nonempty = 0;
    let mut new_points = 0;
    let mut behind = 0;
    for _ in 0..TOPOLOGIES {
        let text = random_topology(&mut rng);
        let t = load("exposure.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let st = standing_exposure(&t);
        same(&t, &text, "standing", &st, &brute_force(&t, &[]));
        for _ in 0..PLANS_PER_TOPOLOGY {
            let plan = random_plan(&mut rng, &t);
            let a = assess_planned(&t, &plan, &[], DATE);
            let got = exposure(&t, &a);
            let want = brute_force(&t, &plan);
            let names: Vec<String> = plan
                .iter()
                .map(|(n, a)| format!("{}={}", t.id(*n), a.as_str()))
                .collect();
            same(&t, &text, &names.join(","), &got, &want);
            compared += 1;
            nonempty += usize::from(!got.entries.is_empty());
            new_points += got.new_count();
            behind += got
                .entries
                .iter()
                .filter(|e| t.as_service(e.service).is_some_and(|s| s.users.is_none()))
                .count();
        }
    }
    // The generator must exercise the interesting cases, not only empty
    // answers.
    assert_eq!(compared, TOPOLOGIES as usize * PLANS_PER_TOPOLOGY);
    eprintln!(
        "{compared} plans compared: {nonempty} exposures not empty, {behind} single points behind an entry point, {new_points} new during the window"
    );
    assert!(
        nonempty > compared / 3,
        "only {nonempty} non-empty exposures"
    );
    assert!(
        behind > compared / 3,
        "only {behind} single points behind an entry point"
    );
    assert!(
        new_points > compared / 50,
        "only {new_points} new single points"
    );
}

/// The demo: with lb-secondary already down, the reboot of lb-primary takes
/// the EU site down; what else would take users down during it?
#[test]
fn the_demo_plan_exposes_its_remaining_single_points() {
    let t = load("web-stack.toml", blastradius::DEMO_TOPOLOGY).unwrap();
    let lb = t.lookup("lb-primary").unwrap();
    let a = assess(&t, &[(lb, Action::Reboot)], DATE);
    let got = exposure(&t, &a);
    same(
        &t,
        "demo",
        "demo",
        &got,
        &brute_force(&t, &[(lb, Action::Reboot)]),
    );
    assert!(
        got.entries
            .iter()
            .all(|e| a.status(e.service) != Status::Down)
    );
}

// --- where it shows ---------------------------------------------------------

mod cli {

    /// `blastradius ARGS` from the crate root, isolated from the
    /// developer's config and terminal; its standard output.
    fn run(args: &[&str]) -> String {
        let config = tempfile::tempdir().expect("temp dir");
        let out = crate::cmd::blastradius()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("XDG_CONFIG_HOME", config.path())
            .env("NO_COLOR", "1")
            .env("LC_ALL", "C.UTF-8")
            .env_remove("COLUMNS")
            .args(args)
            .assert()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).expect("UTF-8")
    }

    const CHECK: [&str; 5] = [
        "check",
        "topologies/web-stack.toml",
        "--reboot",
        "lb-primary",
        "--today=2023-06-08",
    ];

    #[test]
    fn check_exposure_text_lists_what_else_would_take_users_down() {
        let out = run(&[&CHECK[..], &["--exposure"]].concat());
        let section = out
            .split("EXPOSURE DURING THE WINDOW (1)\n")
            .nth(1)
            .unwrap_or_else(|| panic!("no exposure section:\n{out}"));
        assert!(
            section.contains(
                "during the window, 1 service becomes a single point of failure for 70% of"
            ),
            "{section}"
        );
        assert!(
            section.contains("if site-us also fails during the window: +70% of users down;"),
            "{section}"
        );
        assert!(!run(&CHECK).contains("EXPOSURE"), "only with --exposure");
    }

    #[test]
    fn check_exposure_json_comes_after_accepted_and_only_when_asked() {
        let out = run(&[&CHECK[..], &["--exposure", "--format", "json"]].concat());
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let e = v["exposure"].as_array().expect("an exposure array");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0]["service"], "site-us");
        assert_eq!(e[0]["users"], 0.7);
        assert_eq!(e[0]["before"], true);
        let (acc, exp) = (
            out.find("\"accepted\"").unwrap(),
            out.find("\"exposure\"").unwrap(),
        );
        assert!(acc < exp, "exposure follows accepted");
        let plain = run(&[&CHECK[..], &["--format", "json"]].concat());
        assert!(!plain.contains("\"exposure\""), "absent without --exposure");
    }

    #[test]
    fn report_always_has_the_exposure_section() {
        let out = run(&[
            "report",
            "topologies/web-stack.plan.toml",
            "--today=2023-06-08",
        ]);
        assert!(out.contains("## Exposure during the window"), "{out}");
        assert!(out.contains("| If this also fails |"), "{out}");
    }

    #[test]
    fn validate_says_what_is_one_failure_away_from_an_outage_today() {
        let out = run(&[
            "validate",
            "topologies/web-stack.toml",
            "--today=2023-06-08",
        ]);
        assert!(
            out.contains("standing[single-points]: 4 services are one failure away from an outage today, for 100% of users"),
            "{out}"
        );
        assert!(
            out.contains("standing[single-point]: if `cache-primary` fails: 30% of users down"),
            "{out}"
        );
        // Not counted among the standing risks (every estate has some).
        assert!(out.contains("7 standing risks"), "{out}");
    }
}
