//! Parse + validate: topology text to a checked [`Topology`], at 1k, 10k
//! and 100k services (about 0.2, 2 and 21 MB of TOML).
//!
//! [`Topology`]: blastradius::topology::Topology

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn parse_and_validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse+validate");
    for services in common::SIZES {
        let text = blastradius::testgen::generate(services, common::SEED).toml;
        common::size_group(&mut group, services);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(common::label(services), &text, |b, text| {
            b.iter(|| blastradius::topology::load("generated.toml", black_box(text)).unwrap());
        });
    }
    group.finish();
}

/// The shapes of issue 10 that were quadratic or recursive, one size each:
/// a regression shows as minutes, not percent.
fn hostile_shapes(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile shapes");
    common::size_group(&mut group, 100_000);
    let chain: String = std::iter::once("[topology]\nname = \"chain\"\n".to_string())
        .chain((0..130_000).map(|i| format!("[services.s{i}]\nrequires = [\"s{}\"]\n", i + 1)))
        .chain(std::iter::once("[services.s130000]\n".to_string()))
        .collect();
    group.bench_function("130k-deep chain: load+lint", |b| {
        b.iter(|| {
            let t = blastradius::topology::load("chain.toml", black_box(&chain)).unwrap();
            blastradius::topology::lint(&t)
        });
    });
    let typo: String =
        std::iter::once("[topology]\nname = \"t\"\n[services.database-primary]\n".to_string())
            .chain(
                (0..10_000)
                    .map(|i| format!("[services.svc-{i}]\nrequires = [\"database-primray\"]\n")),
            )
            .collect();
    group.bench_function("10k errors: load+render", |b| {
        b.iter(|| {
            let e = blastradius::topology::load("typo.toml", black_box(&typo)).unwrap_err();
            e.to_string()
        });
    });
    let n = 100_000;
    let members: Vec<String> = (0..n).map(|i| format!("\"m{i}\"")).collect();
    let group_text: String = std::iter::once("[topology]\nname = \"g\"\n".to_string())
        .chain((0..n).map(|i| format!("[services.m{i}]\nrequires = [\"g\"]\n")))
        .chain(std::iter::once(format!(
            "[groups.g]\nmembers = [{}]\n",
            members.join(",")
        )))
        .collect();
    group.bench_function("100k-member group: load (members require it)", |b| {
        b.iter(|| blastradius::topology::load("g.toml", black_box(&group_text)).unwrap_err());
    });
    group.finish();
}

criterion_group!(benches, parse_and_validate, hostile_shapes);
criterion_main!(benches);
