//! The analysis of a ten-reboot plan at 1k, 10k and 100k services: the
//! walk (statuses, cause chains, findings and risk: `assess`), the alert
//! plan and checklist, the whole review as the CLI and TUI build it, and
//! the JSON report.

mod common;

use blastradius::analysis::assess;
use blastradius::checklist::{self, RuleSet};
use blastradius::report;
use blastradius::review::{Review, window};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn analysis(c: &mut Criterion) {
    let rules = RuleSet::defaults();
    let estates: Vec<common::Estate> = common::SIZES.into_iter().map(common::estate).collect();

    let mut group = c.benchmark_group("walk+findings (assess)");
    for e in &estates {
        common::size_group(&mut group, e.services);
        group.bench_with_input(common::label(e.services), e, |b, e| {
            b.iter(|| assess(&e.topo, black_box(&e.changes), common::TODAY));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("alerts+checklist");
    for e in &estates {
        let a = assess(&e.topo, &e.changes, common::TODAY);
        common::size_group(&mut group, e.services);
        group.bench_with_input(common::label(e.services), e, |b, e| {
            b.iter(|| {
                let alerts = checklist::alert_plan(&e.topo, black_box(&a));
                checklist::generate(
                    &e.topo,
                    &a,
                    &alerts,
                    &rules,
                    &e.plan.title,
                    &window(&e.plan),
                    &e.plan.done,
                )
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("review (assess+alerts+checklist)");
    for e in &estates {
        common::size_group(&mut group, e.services);
        group.bench_with_input(common::label(e.services), e, |b, e| {
            b.iter(|| Review::new(&e.topo, &e.plan, black_box(&e.named), &rules, common::TODAY));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("json report");
    for e in &estates {
        let review = Review::new(&e.topo, &e.plan, &e.named, &rules, common::TODAY);
        common::size_group(&mut group, e.services);
        group.bench_with_input(common::label(e.services), e, |b, e| {
            b.iter(|| report::json(&e.topo, black_box(&review)));
        });
    }
    group.finish();
}

/// Rebooting 60,000 members of one 100,000-member group: the whole review
/// and its silences (each was quadratic in the group or the plan).
fn big_group(c: &mut Criterion) {
    use blastradius::plan::{Action, Plan};
    let n = 100_000;
    let members: Vec<String> = (0..n).map(|i| format!("\"m{i}\"")).collect();
    let text: String = std::iter::once(
        "[topology]\nname = \"g\"\n[services.site]\nusers = 1.0\nrequires = [\"g\"]\n".to_string(),
    )
    .chain((0..n).map(|i| format!("[services.m{i}]\n")))
    .chain(std::iter::once(format!(
        "[groups.g]\nmembers = [{}]\n",
        members.join(",")
    )))
    .collect();
    let topo = blastradius::topology::load("g.toml", &text).unwrap();
    let mut plan = Plan {
        start: Some("2024-06-01T22:00:00Z".parse().unwrap()),
        minutes: Some(60),
        ..Plan::default()
    };
    for i in 0..60_000 {
        plan.changes.push(blastradius::plan::Change {
            service: format!("m{i}"),
            action: Action::Reboot,
            span: None,
        });
    }
    let changes = blastradius::plan::resolve(&topo, &plan.changes, None, "bench").unwrap();
    let rules = RuleSet::defaults();
    let mut group = c.benchmark_group("hostile shapes");
    common::size_group(&mut group, n);
    group.bench_function("60k reboots in a 100k group: review+silences", |b| {
        b.iter(|| {
            let r = Review::new(&topo, &plan, black_box(&changes), &rules, common::TODAY);
            report::alertmanager(&plan, &r, "service").unwrap()
        });
    });
    group.finish();
}

criterion_group!(benches, analysis, big_group);
criterion_main!(benches);
