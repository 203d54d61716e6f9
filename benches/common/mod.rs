//! What every bench needs: the estates of each size, generated in-process
//! by the same code as `examples/gen.rs`, loaded, with the ten-change plan.

#![allow(dead_code)] // each bench binary uses a part

use blastradius::plan::{Action, Plan};
use blastradius::topology::{Date, NodeId, Topology};
use criterion::{BenchmarkGroup, BenchmarkId, measurement::WallTime};
use std::time::Duration;

/// Services in each benchmarked estate.
pub const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// The seed of every generated estate.
pub const SEED: u64 = 1;

/// The date failover tests are measured against (fixed, so runs compare).
pub const TODAY: Date = Date {
    year: 2024,
    month: 6,
    day: 1,
};

/// A generated estate, loaded, with its plan.
pub struct Estate {
    pub services: usize,
    pub text: String,
    pub topo: Topology,
    /// The plan: ten reboots spread over the tiers.
    pub plan: Plan,
    pub changes: Vec<(NodeId, Action)>,
    /// The same, as the plan resolves them (for `Review`).
    pub named: Vec<blastradius::plan::Named>,
}

/// Generates and loads the estate of `services` services.
pub fn estate(services: usize) -> Estate {
    let g = blastradius::testgen::generate(services, SEED);
    let topo = blastradius::topology::load("generated.toml", &g.toml)
        .unwrap_or_else(|e| panic!("the generator makes valid files:\n{e}"));
    let mut plan = Plan::default();
    for id in &g.changes {
        plan.set_change(id, Some(Action::Reboot));
    }
    let named = blastradius::plan::resolve(&topo, &plan.changes, None, "bench")
        .expect("the plan names services of the estate");
    let changes = blastradius::plan::pairs(&named);
    Estate {
        services,
        text: g.toml,
        topo,
        plan,
        changes,
        named,
    }
}

/// "1k", "10k", "100k".
pub fn label(services: usize) -> BenchmarkId {
    BenchmarkId::from_parameter(format!("{}k", services / 1000))
}

/// Fewer, shorter samples for the big estates, so that a full `cargo bench`
/// stays within a few minutes on two cores.
pub fn size_group(group: &mut BenchmarkGroup<'_, WallTime>, services: usize) {
    if services >= 100_000 {
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(3));
    } else {
        group.sample_size(30);
        group.warm_up_time(Duration::from_millis(300));
        group.measurement_time(Duration::from_secs(2));
    }
}
