//! The whole `check` pipeline: a topology from the input, a plan derived
//! from its bytes, the review, and every rendering.
#![no_main]
use blastradius::plan::{Action, Plan};
use blastradius::topology::Date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(topo) = blastradius::topology::load("fuzz.toml", text) else {
        return;
    };
    // Mark services chosen by the input's bytes, with every action.
    let n = topo.services().len();
    let mut plan = Plan::default();
    for (i, b) in data.iter().take(8).enumerate() {
        if n == 0 {
            break;
        }
        let s = &topo.services()[(*b as usize + i) % n];
        let action = [Action::Reboot, Action::Update, Action::Down][i % 3];
        plan.set_change(&s.id, Some(action));
    }
    let changes = blastradius::plan::resolve(&topo, &plan.changes, None, "fuzz")
        .expect("changes of existing services resolve");
    let rules = blastradius::checklist::RuleSet::defaults();
    let today = Date { year: 2023, month: 6, day: 8 };
    let review = blastradius::review::Review::new(&topo, &plan, &changes, &rules, today);
    let _ = blastradius::report::text(&topo, &plan, &review, 80, blastradius::report::Glyphs::ASCII);
    let json = blastradius::report::json(&topo, &review);
    assert!(json.ends_with("}\n"));
    let _ = blastradius::report::markdown(&topo, &plan, &review);
});
