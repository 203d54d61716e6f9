//! `blastradius waves`: split a plan into waves, print them, and write the
//! plan back with `wave = N` on each change.

use super::args::{WavesArgs, WavesFormat};
use super::{
    CliError, Glyphs, emit, env, exit, glyphs_from_env, inputs, level, load_plan, load_rules,
    parse_today, resolve_all, topology_for,
};
use crate::analysis::waves::plan_waves;

use crate::report;
use std::io::Write;
use std::path::Path;

pub(super) fn waves_cmd(a: &WavesArgs) -> Result<u8, CliError> {
    let mut lp = load_plan(a.changes.plan.as_deref())?;
    let topo = topology_for(a.topology.as_deref(), &lp, a.changes.allow_outside)?;
    // The plan's own waves, if any, are what is being redone.
    for c in &mut lp.plan.changes {
        c.wave = None;
    }
    super::add_flag_changes(&mut lp.plan, &a.changes);
    let named = resolve_all(&topo, &lp)?;
    if named.is_empty() {
        return Err(CliError::Usage(
            "no changes to split: give --reboot, --update or --down, or a plan with --plan".into(),
        ));
    }
    let rules = load_rules(a.assess.rules.as_deref())?;
    let today = parse_today(a.assess.today.as_deref())?;
    // Waves are planned on the estate as observed, with `--live`.
    let topo = super::observed(topo, &a.live);
    let reference = lp.plan.start_date().unwrap_or(today);
    let w = plan_waves(&topo, &named, level(a.max_risk), reference);
    let mut reviews =
        crate::wave_review::review_waves(&topo, &lp.plan, &named, &w.waves, &rules, today);
    // What else can fail during each wave (DESIGN.md "Exposure").
    for r in &mut reviews {
        r.review.exposure = Some(crate::analysis::exposure(&topo, &r.review.assessment));
    }
    let out = match a.format {
        WavesFormat::Text => {
            let glyphs = if a.ascii {
                Glyphs::ASCII
            } else {
                glyphs_from_env()
            };
            report::waves_text(&topo, &lp.plan, &w, &named, &reviews, env::width(), glyphs)
        }
        WavesFormat::Json => report::waves_json(&topo, &w, &named, &reviews),
        WavesFormat::Markdown => report::waves_markdown(&topo, &lp.plan, &w, &named, &reviews),
    };
    if let Some(path) = &a.output {
        // Each unsafe unit goes in a wave of its own after the safe ones:
        // nothing of the plan is lost, and `check` on the plan shows its
        // risk and asks for its acceptance.
        let mut wave_of = vec![0u32; named.len()];
        for (k, wave) in w.waves.iter().enumerate() {
            for &c in wave {
                wave_of[c] = k as u32 + 1;
            }
        }
        for (k, u) in w.unsafe_units.iter().enumerate() {
            for &c in &u.changes {
                wave_of[c] = (w.waves.len() + k) as u32 + 1;
            }
        }
        let mut plan = lp.plan.clone();
        plan.topology = topology_written(path, a.topology.as_deref(), &lp);
        let (plan, split) = crate::plan::with_waves(&plan, &topo, &named, &wave_of);
        let text = plan.to_toml();
        if path.as_os_str() == "-" {
            // The plan is the output: the report would be mixed into it.
            emit(&text)?;
        } else {
            emit(&out)?;
            inputs::write_out(path, &text, a.force)?;
        }
        let mut err = std::io::stderr().lock();
        for s in split {
            let _ = writeln!(
                err,
                "note: selector `{}` named services that landed in different waves: written as one change per service",
                crate::text::inert(&s)
            );
        }
        if !w.unsafe_units.is_empty() {
            let _ = writeln!(
                err,
                "note: the changes unsafe even alone are written in waves of their own, after wave {}",
                w.waves.len()
            );
        }
    } else {
        emit(&out)?;
    }
    Ok(if w.unsafe_units.is_empty() {
        exit::OK
    } else {
        exit::RISK
    })
}

/// The topology as the written plan names it: relative to the plan's
/// folder (see [`crate::fsutil::relative_to_file`]).
fn topology_written(out: &Path, explicit: Option<&Path>, lp: &super::LoadedPlan) -> Option<String> {
    let topology = match (explicit, &lp.path) {
        (Some(t), _) => t.to_path_buf(),
        (None, Some(pp)) => lp.plan.topology_path(pp)?,
        (None, None) => return None,
    };
    if out.as_os_str() == "-" {
        return Some(topology.display().to_string());
    }
    Some(crate::fsutil::relative_to_file(out, &topology))
}
