//! `waves`: the split of a plan into waves as text for the night, JSON for
//! tools and Markdown for the record; and the per-wave sections `check`
//! and `report` add for a plan with waves.

use super::json::{WaveOut, changes_out, findings_out, users_out};
use super::markdown::md;
use super::{Glyphs, percent};
use crate::analysis::waves::{Waves, Why};
use crate::plan::{Named, Plan};
use crate::text::{inert, wrap};
use crate::topology::Topology;
use crate::wave_review::{Gate, WaveReview};
use std::fmt::Write;

/// Findings listed per wave in text before "and N more".
const FINDINGS_SHOWN: usize = 10;

/// One item of a gate in JSON.
#[derive(serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(super) enum GateOut<'a> {
    /// Wait this long before checking (`null`: no service says).
    Wait {
        minutes: Option<u32>,
        unknown: Vec<&'a str>,
    },
    ServiceUp {
        service: &'a str,
    },
    VolumeMounted {
        service: &'a str,
        path: &'a str,
        automount: bool,
    },
    GroupBack {
        group: &'a str,
        status: &'static str,
    },
}

fn gate_out<'a>(topo: &'a Topology, g: &'a Gate) -> Vec<GateOut<'a>> {
    let mut out = vec![GateOut::Wait {
        minutes: g.minutes,
        unknown: g.unknown_minutes.iter().map(|&n| topo.id(n)).collect(),
    }];
    out.extend(g.up.iter().map(|&n| GateOut::ServiceUp {
        service: topo.id(n),
    }));
    out.extend(g.volumes.iter().map(|(n, p, auto)| GateOut::VolumeMounted {
        service: topo.id(*n),
        path: p,
        automount: *auto,
    }));
    out.extend(g.groups.iter().map(|&(n, s)| GateOut::GroupBack {
        group: topo.id(n),
        status: s.as_str(),
    }));
    out
}

/// Why a unit is unsafe, in words: "spof on db-9; users go down".
pub fn why_text(topo: &Topology, why: &[(crate::analysis::Level, Why)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (_, w) in why {
        let s = match *w {
            Why::Finding(k, n) => format!("{} on {}", k.as_str(), topo.id(n)),
            Why::UsersDown => "users go down".to_string(),
            Why::UsersDegraded => "users are degraded".to_string(),
            Why::ImportantDown(n) => format!(
                "{} ({}) goes down",
                topo.id(n),
                topo.as_service(n).map_or("", |s| s.criticality.as_str())
            ),
            Why::Hit(n) => format!("{} made worse", topo.id(n)),
        };
        if !parts.contains(&s) {
            parts.push(s);
        }
    }
    let more = parts.len().saturating_sub(6);
    parts.truncate(6);
    let mut s = parts.join("; ");
    if more > 0 {
        let _ = write!(s, "; and {more} more");
    }
    s
}

#[derive(serde::Serialize)]
struct UnsafeOut<'a> {
    service: &'a str,
    action: &'a str,
    risk: &'a str,
    why: String,
}

#[derive(serde::Serialize)]
struct Doc<'a> {
    version: u32,
    max_risk: &'a str,
    lower_bound: usize,
    waves: Vec<WaveOut<'a>>,
    #[serde(rename = "unsafe")]
    unsafe_: Vec<UnsafeOut<'a>>,
}

/// `waves --format json`, as DESIGN.md shows it. Each wave lists its own
/// findings (`new`), not those the estate had before.
pub fn waves_json(topo: &Topology, w: &Waves, named: &[Named], reviews: &[WaveReview]) -> String {
    let doc = Doc {
        version: 2,
        max_risk: w.max_risk.as_str(),
        lower_bound: w.lower_bound,
        waves: reviews
            .iter()
            .map(|r| WaveOut {
                wave: r.wave,
                changes: changes_out(topo, &r.review),
                risk: r.review.assessment.risk.as_str(),
                users: users_out(&r.review.assessment),
                findings: Some(findings_out(topo, &r.review.assessment, true)),
                gate: Some(gate_out(topo, &r.gate)),
                exposure: super::json::exposure_out(topo, &r.review),
            })
            .collect(),
        unsafe_: w
            .unsafe_units
            .iter()
            .flat_map(|u| {
                let why = why_text(topo, &u.why);
                u.changes.iter().map(move |&k| UnsafeOut {
                    service: topo.id(named[k].service),
                    action: named[k].action.as_str(),
                    risk: u.risk.as_str(),
                    why: why.clone(),
                })
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON serialises");
    s.push('\n');
    s
}

/// A labelled paragraph, continuation lines under the text.
fn para(o: &mut String, label: &str, body: &str, width: usize) {
    let indent = label.chars().count().min(width / 2);
    for (i, line) in wrap(body, width.saturating_sub(indent).max(20))
        .iter()
        .enumerate()
    {
        let pad = if i == 0 {
            label.to_string()
        } else {
            " ".repeat(indent)
        };
        let _ = writeln!(o, "{pad}{}", inert(line));
    }
}

fn ids(topo: &Topology, v: &[crate::topology::NodeId]) -> String {
    v.iter().map(|&n| topo.id(n)).collect::<Vec<_>>().join(", ")
}

/// The wait of a gate in words.
fn wait_text(topo: &Topology, g: &Gate) -> String {
    let mut s = match g.minutes {
        Some(m) if g.unknown_minutes.is_empty() => format!("{m} min (the longest boot.minutes)"),
        Some(m) => format!("at least {m} min (the longest boot.minutes given)"),
        None if g.up.is_empty() => "nothing to wait for (no reboot or update)".to_string(),
        None => "unknown: no service of the wave gives boot.minutes".to_string(),
    };
    if g.minutes.is_some() && !g.unknown_minutes.is_empty() {
        let _ = write!(s, "; no boot.minutes for {}", ids(topo, &g.unknown_minutes));
    }
    s
}

/// The gate as text lines, indented.
fn gate_text(o: &mut String, topo: &Topology, g: &Gate, width: usize) {
    para(o, "    wait    ", &wait_text(topo, g), width);
    if !g.up.is_empty() {
        para(o, "    up      ", &ids(topo, &g.up), width);
    }
    for (n, p, auto) in &g.volumes {
        let how = if *auto {
            ""
        } else {
            " (does not mount by itself: mount it by hand)"
        };
        para(
            o,
            "    mounted ",
            &format!("{}:{p}{how}", topo.id(*n)),
            width,
        );
    }
    if !g.groups.is_empty() {
        let groups: Vec<String> = g
            .groups
            .iter()
            .map(|&(n, s)| format!("{} {}", topo.id(n), s.as_str()))
            .collect();
        para(o, "    back to ", &groups.join(", "), width);
    }
}

/// `waves` as text at `width` columns: wave by wave, what goes and what
/// to wait for; then the changes too risky even alone.
pub fn waves_text(
    topo: &Topology,
    plan: &Plan,
    w: &Waves,
    named: &[Named],
    reviews: &[WaveReview],
    width: usize,
    g: Glyphs,
) -> String {
    let width = width.max(40);
    let mut o = String::new();
    let title = if plan.title.is_empty() {
        String::new()
    } else {
        format!(": {}", plan.title)
    };
    let _ = writeln!(o, "{}{}", inert(&topo.name), inert(&title));
    let in_waves: usize = w.waves.iter().map(Vec::len).sum();
    let unsafe_count: usize = w.unsafe_units.iter().map(|u| u.changes.len()).sum();
    if w.waves.is_empty() {
        let _ = writeln!(
            o,
            "No wave: every change is over {} even alone",
            w.max_risk.as_str().to_uppercase()
        );
    } else {
        let _ = writeln!(
            o,
            "{} wave{} for {in_waves} change{}, each at most {} alone",
            w.waves.len(),
            if w.waves.len() == 1 { "" } else { "s" },
            if in_waves == 1 { "" } else { "s" },
            w.max_risk.as_str().to_uppercase()
        );
    }
    let _ = writeln!(
        o,
        "Lower bound: {} waves ({})",
        w.lower_bound,
        if w.optimal() {
            "reached: no split does with fewer"
        } else {
            "not reached: a split with fewer may exist"
        }
    );
    if unsafe_count > 0 {
        let _ = writeln!(
            o,
            "Unsafe alone: {unsafe_count} change{} over {} even alone (see the end)",
            if unsafe_count == 1 { "" } else { "s" },
            w.max_risk.as_str().to_uppercase()
        );
    }
    for r in reviews {
        let a = &r.review.assessment;
        let changes = super::change_list(topo, &r.review);
        let _ = writeln!(
            o,
            "\nWAVE {} of {}: {} change{}, RISK {} (+{} down, +{} degraded)",
            r.wave,
            reviews.len(),
            changes.len(),
            if changes.len() == 1 { "" } else { "s" },
            a.risk.as_str().to_uppercase(),
            percent(a.users.added_down),
            percent(a.users.added_degraded)
        );
        para(&mut o, "  go:      ", &changes.join(", "), width);
        let new: Vec<_> = a.new_findings().collect();
        for f in new.iter().take(FINDINGS_SHOWN) {
            let subjects: Vec<&str> = f.subjects.iter().map(|&n| topo.id(n)).collect();
            para(
                &mut o,
                "  finding: ",
                &format!(
                    "{} {} on {}",
                    f.severity.as_str().to_uppercase(),
                    f.kind.as_str(),
                    subjects.join(", ")
                ),
                width,
            );
        }
        if new.len() > FINDINGS_SHOWN {
            let _ = writeln!(
                o,
                "  finding: and {} more (--format json lists them all)",
                new.len() - FINDINGS_SHOWN
            );
        }
        let next = if r.wave as usize == reviews.len() {
            "  then, before closing the window:".to_string()
        } else {
            format!("  then, before wave {}:", r.wave + 1)
        };
        let _ = writeln!(o, "{next}");
        gate_text(&mut o, topo, &r.gate, width);
        if let Some(e) = &r.review.exposure {
            para(
                &mut o,
                "  exposure: ",
                &super::exposure_summary(e).replace("during the window", "during this wave"),
                width,
            );
        }
    }
    if !w.unsafe_units.is_empty() {
        let _ = writeln!(
            o,
            "\nUNSAFE ALONE: each needs its own window and an accepted risk"
        );
        for u in &w.unsafe_units {
            let what: Vec<String> = u
                .changes
                .iter()
                .map(|&k| format!("{} {}", named[k].action.as_str(), topo.id(named[k].service)))
                .collect();
            let _ = writeln!(
                o,
                "  {:<9} {}",
                u.risk.as_str().to_uppercase(),
                inert(&what.join(", "))
            );
            for line in wrap(&why_text(topo, &u.why), width - 12) {
                let _ = writeln!(o, "            {}", inert(&line));
            }
        }
    }
    let _ = g;
    o
}

/// `waves --format markdown`: the split for the change record.
pub fn waves_markdown(
    topo: &Topology,
    plan: &Plan,
    w: &Waves,
    named: &[Named],
    reviews: &[WaveReview],
) -> String {
    let mut o = String::new();
    let title = if plan.title.is_empty() {
        "Change plan".to_string()
    } else {
        md(&plan.title)
    };
    let _ = writeln!(o, "# Waves: {title}\n");
    let _ = writeln!(o, "| | |\n|---|---|");
    let _ = writeln!(o, "| Topology | {} |", md(&topo.name));
    let _ = writeln!(o, "| Risk of each wave | at most {} |", w.max_risk.as_str());
    let _ = writeln!(
        o,
        "| Waves | {} (lower bound {}{}) |",
        w.waves.len(),
        w.lower_bound,
        if w.optimal() {
            ": the fewest possible"
        } else {
            ""
        }
    );
    let unsafe_count: usize = w.unsafe_units.iter().map(|u| u.changes.len()).sum();
    let _ = writeln!(o, "| Unsafe even alone | {unsafe_count} |");
    o.push_str(&waves_section_markdown(topo, reviews, false));
    if !w.unsafe_units.is_empty() {
        let _ = writeln!(
            o,
            "\n## Unsafe even alone\n\nEach needs its own window and an accepted risk.\n\n| Changes | Risk | Why |\n|---|---|---|"
        );
        for u in &w.unsafe_units {
            let what: Vec<String> = u
                .changes
                .iter()
                .map(|&k| format!("{} {}", named[k].action.as_str(), topo.id(named[k].service)))
                .collect();
            let _ = writeln!(
                o,
                "| {} | {} | {} |",
                md(&what.join(", ")),
                u.risk.as_str(),
                md(&why_text(topo, &u.why))
            );
        }
    }
    o
}

/// A Markdown section per wave: risk, changes, findings, gate, and with
/// `checklist` the wave's checklist items.
pub fn waves_section_markdown(topo: &Topology, reviews: &[WaveReview], checklist: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "\n## Waves\n");
    let _ = writeln!(
        o,
        "Each wave is assessed alone: the estate is back to where it stood before the next starts."
    );
    for r in reviews {
        let a = &r.review.assessment;
        let _ = writeln!(
            o,
            "\n### Wave {}: risk {}\n",
            r.wave,
            a.risk.as_str().to_uppercase()
        );
        let changes = super::change_list(topo, &r.review);
        let _ = writeln!(o, "- **Changes**: {}", md(&changes.join(", ")));
        let _ = writeln!(
            o,
            "- **Users**: +{} down, +{} degraded",
            percent(a.users.added_down),
            percent(a.users.added_degraded)
        );
        for f in a.new_findings() {
            let _ = writeln!(
                o,
                "- **Finding** ({}): {}",
                f.severity.as_str(),
                md(&f.message)
            );
        }
        if let Some(e) = &r.review.exposure {
            let _ = writeln!(
                o,
                "- **Exposure**: {}",
                md(&super::exposure_summary(e).replace("during the window", "during this wave"))
            );
        }
        let gt = &r.gate;
        let _ = writeln!(o, "\nGate before the next wave:\n");
        let _ = writeln!(o, "- [ ] wait {}", md(&wait_text(topo, gt)));
        for &n in &gt.up {
            let _ = writeln!(o, "- [ ] {} is up", md(topo.id(n)));
        }
        for (n, p, auto) in &gt.volumes {
            let _ = writeln!(
                o,
                "- [ ] {} is mounted on {}{}",
                md(p),
                md(topo.id(*n)),
                if *auto {
                    ""
                } else {
                    " (by hand: no automount)"
                }
            );
        }
        for &(n, s) in &gt.groups {
            let _ = writeln!(o, "- [ ] {} is back to {}", md(topo.id(n)), s.as_str());
        }
        if checklist && !r.review.checklist.items.is_empty() {
            let _ = writeln!(o, "\nChecklist of the wave:\n");
            for i in &r.review.checklist.items {
                let _ = writeln!(
                    o,
                    "- [{}] {} ({}, {}{}): {}",
                    if i.done { "x" } else { " " },
                    md(&i.id),
                    i.phase.as_str(),
                    md(&i.owner),
                    if i.blocking { ", blocking" } else { "" },
                    md(&i.text)
                );
            }
        }
    }
    o
}

/// The text `check` adds for a plan with waves: each wave's risk, what
/// goes and the gate.
pub fn waves_section_text(topo: &Topology, reviews: &[WaveReview], width: usize) -> String {
    let width = width.max(40);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\nWAVES ({}): each assessed alone, the risk above is the worst wave's",
        reviews.len()
    );
    for r in reviews {
        let a = &r.review.assessment;
        let _ = writeln!(
            o,
            "  WAVE {}: RISK {} (+{} down, +{} degraded)",
            r.wave,
            a.risk.as_str().to_uppercase(),
            percent(a.users.added_down),
            percent(a.users.added_degraded)
        );
        para(
            &mut o,
            "    go:      ",
            &super::change_list(topo, &r.review).join(", "),
            width,
        );
        let because: Vec<&str> = a
            .risk_reasons
            .iter()
            .filter(|(l, _)| *l == a.risk)
            .map(|(_, s)| s.as_str())
            .collect();
        if !because.is_empty() {
            para(&mut o, "    because: ", &because.join("; "), width);
        }
        gate_text(&mut o, topo, &r.gate, width);
    }
    o
}
