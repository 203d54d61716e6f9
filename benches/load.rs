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

criterion_group!(benches, parse_and_validate);
criterion_main!(benches);
