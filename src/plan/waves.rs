//! Writing waves into a plan: `wave = N` on each change.

use super::{Change, Named, Plan};
use crate::topology::Topology;

/// `plan` with each change in its wave: `wave_of[k]` is the wave of
/// `named[k]` (the plan's changes resolved). A change by id takes its
/// service's wave; a selector whose services all landed in one wave keeps
/// the selector; one whose services landed in several is split into one
/// change per service (the selectors split are returned, to say so).
/// Changes are written wave by wave, in the plan's order within a wave.
pub fn with_waves(
    plan: &Plan,
    topo: &Topology,
    named: &[Named],
    wave_of: &[u32],
) -> (Plan, Vec<String>) {
    let mut by_id = std::collections::HashMap::new();
    let mut by_selector: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (k, n) in named.iter().enumerate() {
        match &n.selector {
            None => {
                by_id.insert(topo.id(n.service), k);
            }
            Some(s) => by_selector.entry(s.as_str()).or_default().push(k),
        }
    }
    let index_of: std::collections::HashMap<_, usize> = named
        .iter()
        .enumerate()
        .map(|(k, n)| (n.service, k))
        .collect();
    let mut out: Vec<Change> = Vec::new();
    let mut split = Vec::new();
    let mut done_selectors = std::collections::HashSet::new();
    for c in &plan.changes {
        if !c.is_selector() {
            if let Some(&k) = by_id.get(c.service.as_str())
                && named[k].action == c.action
                && by_id.remove(c.service.as_str()).is_some()
            {
                out.push(Change {
                    wave: Some(wave_of[k]),
                    span: None,
                    ..c.clone()
                });
            }
            continue;
        }
        if !done_selectors.insert(c.service.as_str()) {
            continue;
        }
        // The services this selector named (an id or an earlier selector
        // may have taken some).
        let ks = by_selector.remove(c.service.as_str()).unwrap_or_default();
        let Some(&first) = ks.first() else {
            // Every service it matches is named by id: it only marks them
            // planned. It stays when they share a wave.
            let waves: Vec<u32> = super::selector::parse(&c.service)
                .map(|sel| sel.matching(topo))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|id| index_of.get(&id).map(|&k| wave_of[k]))
                .collect();
            if let Some(&w) = waves.first()
                && waves.iter().all(|&x| x == w)
            {
                out.push(Change {
                    wave: Some(w),
                    span: None,
                    ..c.clone()
                });
            }
            continue;
        };
        if ks.iter().all(|&k| wave_of[k] == wave_of[first]) {
            out.push(Change {
                wave: Some(wave_of[first]),
                span: None,
                ..c.clone()
            });
        } else {
            split.push(c.service.clone());
            for k in ks {
                out.push(Change {
                    service: topo.id(named[k].service).to_string(),
                    action: named[k].action,
                    wave: Some(wave_of[k]),
                    span: None,
                });
            }
        }
    }
    out.sort_by_key(|c| c.wave);
    (
        Plan {
            changes: out,
            ..plan.clone()
        },
        split,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, resolve};

    const T: &str = r#"[topology]
name = "t"
[services.a]
labels = { pool = "x" }
[services.b]
labels = { pool = "x" }
[services.c]
labels = { pool = "y" }
"#;

    #[test]
    fn a_selector_stays_whole_in_one_wave_and_is_split_across_several() {
        let topo = crate::topology::load("t.toml", T).unwrap();
        let plan = Plan::parse(
            "p.toml",
            "[[change]]\nselect = \"pool=x\"\naction = \"update\"\n[[change]]\nselect = \"pool=y\"\naction = \"reboot\"\n",
        )
        .unwrap();
        let named = resolve(&topo, &plan.changes, None, "p").unwrap();
        let wave = |id: &str| match id {
            "a" => 2,
            "b" => 1,
            _ => 1,
        };
        let wave_of: Vec<u32> = named.iter().map(|n| wave(topo.id(n.service))).collect();
        let (out, split) = with_waves(&plan, &topo, &named, &wave_of);
        assert_eq!(split, ["pool=x"]);
        let text = out.to_toml();
        let back = Plan::parse("p.toml", &text).unwrap();
        let got: Vec<(&str, Action, Option<u32>)> = back
            .changes
            .iter()
            .map(|c| (c.service.as_str(), c.action, c.wave))
            .collect();
        assert_eq!(
            got,
            [
                ("b", Action::Update, Some(1)),
                ("pool=y", Action::Reboot, Some(1)),
                ("a", Action::Update, Some(2)),
            ]
        );
        // Resolved again, each service keeps its wave.
        let again = resolve(&topo, &back.changes, None, "p").unwrap();
        for n in &again {
            assert_eq!(n.wave, Some(wave(topo.id(n.service))));
        }
    }
}
