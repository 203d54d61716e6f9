//! The text of the panes that are pages of wrapped text (Alerts, Waves),
//! built in one place: the view draws it, and scrolling stops at its last
//! line, so the two cannot disagree on how long a page is (a scroll past
//! the end showed a blank pane).

use super::App;
use crate::analysis::Level;
use crate::text::{inert, percent, wrap};

/// How a piece of a page line reads; the view picks the style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Heading,
    Dim,
    Plain,
    /// A risk badge (` RISK HIGH `).
    Risk(Level),
}

/// One line of a page: its pieces, each with its tone.
pub type PageLine = Vec<(Tone, String)>;

/// `text` wrapped to `width`, each line in one tone.
fn para(out: &mut Vec<PageLine>, text: &str, width: usize, tone: Tone) {
    for l in wrap(&inert(text), width.max(1)) {
        out.push(vec![(tone, l)]);
    }
}

impl App {
    /// The Alerts pane at a width: what may be silenced, what must stay
    /// loud.
    pub fn alerts_page(&self, width: usize) -> Vec<PageLine> {
        let al = &self.review().alerts;
        let list = |v: &[String]| {
            if v.is_empty() {
                "nothing".to_string()
            } else {
                v.join(", ")
            }
        };
        let width = width.saturating_sub(2);
        let mut out = Vec::new();
        para(
            &mut out,
            "May be silenced, for the window only:",
            width,
            Tone::Heading,
        );
        para(&mut out, &list(&al.silence), width, Tone::Plain);
        out.push(Vec::new());
        para(
            &mut out,
            "Keep loud (never silence: peers, impacted, entry points):",
            width,
            Tone::Heading,
        );
        para(&mut out, &list(&al.keep_loud), width, Tone::Plain);
        out
    }

    /// The Waves pane at a width: each wave assessed alone, what goes in
    /// it and the gate before the next.
    pub fn waves_page(&self, width: usize) -> Vec<PageLine> {
        let topo = self.topo();
        let waves = self.session().waves();
        let width = width.saturating_sub(1);
        let mut out = Vec::new();
        if waves.is_empty() {
            for l in [
                "No waves: the plan goes in one window.",
                "In the list, ] puts the focused change in a wave (then the next), [ takes it back.",
                "On the command line: blastradius waves TOPOLOGY --plan PLAN -o PLAN",
                "splits a plan into the fewest safe waves.",
            ] {
                para(&mut out, l, width, Tone::Dim);
            }
        }
        for w in waves {
            let a = &w.review.assessment;
            out.push(vec![
                (Tone::Heading, format!("WAVE {}  ", w.wave)),
                (
                    Tone::Risk(a.risk),
                    format!(" RISK {} ", a.risk.as_str().to_uppercase()),
                ),
                (
                    Tone::Plain,
                    format!(
                        "  +{} down +{} degraded",
                        percent(a.users.added_down),
                        percent(a.users.added_degraded)
                    ),
                ),
            ]);
            let goes: Vec<String> = a
                .changes(topo)
                .map(|(n, act)| format!("{} {}", act.as_str(), topo.id(n)))
                .collect();
            para(
                &mut out,
                &format!("goes: {}", goes.join(", ")),
                width,
                Tone::Plain,
            );
            let g = &w.gate;
            let wait = match (g.minutes, g.unknown_minutes.is_empty()) {
                (Some(m), true) => format!("wait {m} min"),
                (Some(m), false) => format!("wait at least {m} min (some give no boot minutes)"),
                (None, _) if g.up.is_empty() => "nothing to wait for".to_string(),
                (None, _) => "wait: unknown (no boot minutes given)".to_string(),
            };
            let back: Vec<&str> = g.up.iter().map(|&n| topo.id(n)).collect();
            let hand: Vec<String> = g
                .volumes
                .iter()
                .filter(|(_, _, auto)| !auto)
                .map(|(n, p, _)| format!("{p} on {}", topo.id(*n)))
                .collect();
            let mut gate = format!("gate: {wait}; back up: {}", back.join(", "));
            if !hand.is_empty() {
                gate.push_str(&format!("; mount by hand: {}", hand.join(", ")));
            }
            para(&mut out, &gate, width, Tone::Dim);
            out.push(Vec::new());
        }
        let unwaved: Vec<&str> = self
            .plan()
            .changes
            .iter()
            .filter(|c| c.wave.is_none())
            .map(|c| c.service.as_str())
            .collect();
        if !waves.is_empty() && !unwaved.is_empty() {
            para(
                &mut out,
                &format!(
                    "in no wave yet: {} (until every change has a wave, the verdict is the whole plan at once)",
                    unwaved.join(", ")
                ),
                width,
                Tone::Heading,
            );
        }
        out
    }
}
