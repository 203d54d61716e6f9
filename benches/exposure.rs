//! Exposure of the ten-reboot plan at 1k, 10k and 100k services (DESIGN.md
//! "Exposure"; issue 14's target: under a second at 100k on two cores).
//! The plan's assessment is made once: what is measured is what the TUI
//! would run in the background after each mark.

mod common;

use blastradius::analysis::{assess, exposure};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let estates: Vec<common::Estate> = common::SIZES.into_iter().map(common::estate).collect();
    let mut group = c.benchmark_group("exposure");
    for e in &estates {
        let a = assess(&e.topo, &e.changes, common::TODAY);
        common::size_group(&mut group, e.services);
        group.bench_with_input(common::label(e.services), e, |b, e| {
            b.iter(|| exposure(&e.topo, black_box(&a)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
