//! The words of the exposure (DESIGN.md "Exposure: what else can fail"),
//! shared by the text, Markdown and `validate` outputs.

use super::markdown::md;
use super::percent;
use crate::analysis::{Exposed, Exposure};
use crate::text::inert;
use crate::topology::Topology;
use std::fmt::Write;

/// Entries the report shows; the rest are counted.
pub const REPORT_TOP: usize = 20;

fn services(n: usize) -> String {
    format!("{n} service{}", if n == 1 { "" } else { "s" })
}

/// "during the window, 3 services become single points of failure for 70%
/// of users (before: 2; 1 only during the change)".
pub fn exposure_summary(e: &Exposure) -> String {
    let n = e.entries.len();
    if n == 0 {
        return format!(
            "during the window, no service is a single point of failure (before: {})",
            e.before
        );
    }
    let new = match e.new_count() {
        0 => String::new(),
        k => format!("; {k} only during the change"),
    };
    format!(
        "during the window, {} {} single point{} of failure for {} of users (before: {}{new})",
        services(n),
        if n == 1 { "becomes a" } else { "become" },
        if n == 1 { "" } else { "s" },
        percent(e.users),
        e.before,
    )
}

/// "if lb-us-1 also fails during the window: +40% of users down; a single
/// point only during the change". User text is left as is: the caller
/// makes it inert for its medium.
pub fn exposed_line(topo: &Topology, x: &Exposed) -> String {
    format!(
        "if {} also fails during the window: +{} of users down; {}",
        topo.id(x.service),
        percent(x.users),
        if x.before {
            "already a single point before the change"
        } else {
            "a single point only during the change"
        }
    )
}

/// The text section of `check --exposure`: the summary, then every entry.
pub fn exposure_text(topo: &Topology, e: &Exposure, width: usize) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "\nEXPOSURE DURING THE WINDOW ({})", e.entries.len());
    for line in crate::text::wrap(&exposure_summary(e), width.saturating_sub(2)) {
        let _ = writeln!(o, "  {}", inert(&line));
    }
    for x in &e.entries {
        let lines = crate::text::wrap(&exposed_line(topo, x), width.saturating_sub(4));
        for (i, line) in lines.iter().enumerate() {
            let _ = writeln!(o, "{}{}", if i == 0 { "  - " } else { "    " }, inert(line));
        }
    }
    o
}

/// The Markdown section: the summary and the [`REPORT_TOP`] entries with
/// the most users at stake, then a count of the rest.
pub fn exposure_markdown(topo: &Topology, e: &Exposure) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "\n## Exposure during the window\n");
    let _ = writeln!(
        o,
        "What else would take users down if it failed while the change is in progress: {}.",
        md(&exposure_summary(e))
    );
    if e.entries.is_empty() {
        return o;
    }
    let _ = writeln!(
        o,
        "\n| If this also fails | Users down added | Single point before the change |\n|---|---|---|"
    );
    for x in e.entries.iter().take(REPORT_TOP) {
        let _ = writeln!(
            o,
            "| {} | +{} | {} |",
            md(topo.id(x.service)),
            percent(x.users),
            if x.before {
                "yes"
            } else {
                "**no**: only during the change"
            }
        );
    }
    let rest = e.entries.len().saturating_sub(REPORT_TOP);
    if rest > 0 {
        let _ = writeln!(
            o,
            "\nand {} more (all of them: `blastradius check --exposure --format json`).",
            services(rest)
        );
    }
    o
}

/// `validate`'s lines for the standing estate: what is one failure away
/// from an outage today, a summary then the [`REPORT_TOP`] first, as
/// `(kind, message)` pairs.
pub fn standing_exposure_lines(topo: &Topology, e: &Exposure) -> Vec<(&'static str, String)> {
    let n = e.entries.len();
    let mut out = vec![(
        "single-points",
        if n == 0 {
            "no single service failure takes users down today".to_string()
        } else {
            format!(
                "{} {} one failure away from an outage today, for {} of users",
                services(n),
                if n == 1 { "is" } else { "are" },
                percent(e.users)
            )
        },
    )];
    for x in e.entries.iter().take(REPORT_TOP) {
        out.push((
            "single-point",
            format!(
                "if `{}` fails: {} of users down",
                topo.id(x.service),
                percent(x.users)
            ),
        ));
    }
    if n > REPORT_TOP {
        out.push((
            "single-point",
            format!("and {} more", services(n - REPORT_TOP)),
        ));
    }
    out
}
