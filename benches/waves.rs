//! Waves on the generated 100k estate: 1,000 and 10,000 changes (reboots
//! of services picked at random, seeded), split at `--max-risk medium`.
//! The count of waves and the lower bound are printed once per size.
//!
//! End to end (load, resolve, split, assess each wave, render), as the
//! README reports it:
//! `cargo run --release --example gen -- 100000 > /tmp/gen.toml` and
//! `blastradius waves /tmp/gen.toml --plan PLAN`.

mod common;

use blastradius::analysis::Level;
use blastradius::analysis::waves::plan_waves;
use blastradius::plan::{Action, Named};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

/// `count` distinct services of `e`, picked at random from `seed`.
pub fn fleet(e: &common::Estate, count: usize, seed: u64) -> Vec<Named> {
    let mut r = blastradius::testgen::Rng::new(seed);
    let n = e.topo.services().len();
    let mut taken = vec![false; n];
    let mut out = Vec::with_capacity(count);
    while out.len() < count.min(n) {
        let i = r.below(n);
        if !taken[i] {
            taken[i] = true;
            out.push((e.topo.service_id(i), Action::Reboot).into());
        }
    }
    out
}

fn waves(c: &mut Criterion) {
    let e = common::estate(100_000);
    let mut group = c.benchmark_group("waves (100k services)");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(5));
    for count in [1_000, 10_000] {
        let named = fleet(&e, count, 42);
        let w = plan_waves(&e.topo, &named, Level::Medium, common::TODAY);
        eprintln!(
            "{count} changes: {} waves, lower bound {}, {} unsafe units, {:?}",
            w.waves.len(),
            w.lower_bound,
            w.unsafe_units.len(),
            w.method
        );
        group.bench_function(format!("{count} changes"), |b| {
            b.iter(|| plan_waves(&e.topo, black_box(&named), Level::Medium, common::TODAY));
        });
    }
    group.finish();
}

criterion_group!(benches, waves);
criterion_main!(benches);
