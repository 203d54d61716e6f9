//! Graph exports: Graphviz DOT and Mermaid, of the whole topology or, with an
//! assessment, of the blast radius coloured by status.

use crate::analysis::{Assessment, Status};
use crate::topology::{Edge, Node, NodeId, Topology};
use std::fmt::Write;

/// Mermaid renderers slow down past a few hundred nodes, and a wiki page
/// with thousands of boxes helps nobody: the report draws at most this many.
pub const MERMAID_MAX_NODES: usize = 200;

/// Which nodes to draw: all of them, or the blast radius and its direct
/// neighbours.
fn selected(topo: &Topology, a: Option<&Assessment>) -> Vec<bool> {
    let n = topo.node_count();
    match a {
        None => vec![true; n],
        Some(a) => {
            let mut keep = vec![false; n];
            for id in topo.node_ids() {
                if a.status(id) != Status::Ok || a.action(id).is_some() {
                    keep[id.index()] = true;
                }
            }
            keep
        }
    }
}

fn label(topo: &Topology, a: Option<&Assessment>, id: NodeId) -> String {
    let base = match topo.node(id) {
        Node::Service(s) if s.name != s.id => format!("{}\n{}", s.id, s.name),
        Node::Service(s) => s.id.clone(),
        Node::Group(g) => match a {
            Some(a) => format!("{} ({}/{} up)", g.id, a.up(topo, id), g.members.len()),
            None => format!("{} (group of {})", g.id, g.members.len()),
        },
    };
    match a {
        Some(a) => {
            let mut l = format!("{base}\n{}", a.status(id).as_str().to_uppercase());
            if let Some(act) = a.action(id) {
                l.push_str(&format!(" [{}]", act.as_str()));
            }
            l
        }
        None => base,
    }
}

fn fill(s: Status) -> &'static str {
    match s {
        Status::Down => "#f4a6a6",
        Status::Degraded => "#f8d49a",
        Status::AtRisk => "#fff2a8",
        Status::Ok => "#ffffff",
    }
}

/// Escapes a string for a DOT double-quoted id or label.
fn dot_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            // Controls, bidi overrides and zero-width characters are shown
            // as text, as on the terminal: a label must read as it is.
            c if crate::text::is_hazardous(c) => {
                out.push_str(&format!("\\\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// The topology (or, with an assessment, its blast radius) as Graphviz DOT.
/// Edges: `requires` solid, `wants` dashed, group membership dotted.
pub fn dot(topo: &Topology, a: Option<&Assessment>) -> String {
    let keep = selected(topo, a);
    let mut o = String::new();
    let _ = writeln!(o, "digraph \"{}\" {{", dot_str(&topo.name));
    let _ = writeln!(o, "  rankdir = TB;");
    let _ = writeln!(o, "  node [fontname = \"Helvetica\", fontsize = 10];");
    for id in topo.node_ids().filter(|n| keep[n.index()]) {
        let shape = match topo.node(id) {
            Node::Service(_) => "box",
            Node::Group(_) => "ellipse",
        };
        let mut attrs = format!(
            "label = \"{}\", shape = {shape}",
            dot_str(&label(topo, a, id))
        );
        if let Some(a) = a {
            let _ = write!(
                attrs,
                ", style = \"filled{}\", fillcolor = \"{}\"",
                if a.action(id).is_some() { ",bold" } else { "" },
                fill(a.status(id))
            );
        }
        let _ = writeln!(o, "  \"{}\" [{attrs}];", dot_str(topo.id(id)));
    }
    for id in topo.node_ids().filter(|n| keep[n.index()]) {
        for (from, edge) in topo.dependents(id) {
            if !keep[from.index()] {
                continue;
            }
            let style = match edge {
                Edge::Requires => "",
                Edge::Wants => " [style = dashed, label = \"wants\"]",
                Edge::Member => " [style = dotted, arrowhead = none]",
                Edge::Host => " [style = bold, label = \"runs on\"]",
            };
            let _ = writeln!(
                o,
                "  \"{}\" -> \"{}\"{style};",
                dot_str(topo.id(from)),
                dot_str(topo.id(id))
            );
        }
    }
    o.push_str("}\n");
    o
}

/// Escapes text for a Mermaid quoted label: line breaks become `<br/>`,
/// the rest of each line is made inert, and every character Mermaid reads
/// as markup or as the start of an entity code (`#lt;`, `&lt;`) is written
/// as an entity itself, so what the file says is what the diagram shows.
fn mermaid_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<br/>");
        }
        for c in crate::text::inert(line).chars() {
            match c {
                '"' => out.push_str("#quot;"),
                '<' => out.push_str("#lt;"),
                '>' => out.push_str("#gt;"),
                '#' => out.push_str("#35;"),
                '&' => out.push_str("#amp;"),
                c => out.push(c),
            }
        }
    }
    out
}

/// The topology (or the blast radius) as a Mermaid flowchart. Node ids are
/// `n0`, `n1`...: ours may contain `-` and `.`, which Mermaid reads as
/// syntax. With `limit`, at most that many nodes are drawn (the worst
/// first) and a note says how many were left out.
pub fn mermaid(topo: &Topology, a: Option<&Assessment>, limit: Option<usize>) -> String {
    let keep = selected(topo, a);
    let mut ids: Vec<NodeId> = topo.node_ids().filter(|n| keep[n.index()]).collect();
    if let Some(a) = a {
        ids.sort_by_key(|&n| std::cmp::Reverse(a.status(n)));
    }
    let total = ids.len();
    if let Some(l) = limit {
        ids.truncate(l);
    }
    let mut drawn = vec![false; topo.node_count()];
    for &n in &ids {
        drawn[n.index()] = true;
    }
    let mut o = String::from("flowchart TD\n");
    for &id in &ids {
        let text = mermaid_str(&label(topo, a, id));
        let shape = match topo.node(id) {
            Node::Service(_) => format!("[\"{text}\"]"),
            Node::Group(_) => format!("([\"{text}\"])"),
        };
        let _ = writeln!(o, "  n{}{shape}", id.index());
    }
    for &id in &ids {
        for (from, edge) in topo.dependents(id) {
            if !drawn[from.index()] {
                continue;
            }
            let arrow = match edge {
                Edge::Requires => "-->",
                Edge::Wants => "-.->",
                Edge::Member => "---",
                Edge::Host => "==>",
            };
            let _ = writeln!(o, "  n{} {arrow} n{}", from.index(), id.index());
        }
    }
    if let Some(a) = a {
        o.push_str("  classDef down fill:#f4a6a6,stroke:#900\n");
        o.push_str("  classDef degraded fill:#f8d49a,stroke:#a60\n");
        o.push_str("  classDef atrisk fill:#fff2a8,stroke:#990\n");
        o.push_str("  classDef changed stroke-width:3px\n");
        for &id in &ids {
            let class = match a.status(id) {
                Status::Down => "down",
                Status::Degraded => "degraded",
                Status::AtRisk => "atrisk",
                Status::Ok => continue,
            };
            let _ = writeln!(o, "  class n{} {class}", id.index());
            if a.action(id).is_some() {
                let _ = writeln!(o, "  class n{} changed", id.index());
            }
        }
    }
    if total > ids.len() {
        let _ = writeln!(o, "  more[\"+{} more not drawn\"]", total - ids.len());
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Action;
    use crate::topology::{Date, load};

    fn demo() -> (Topology, Assessment) {
        let t = load("t", crate::DEMO_TOPOLOGY).unwrap();
        let lb = t.lookup("lb-primary").unwrap();
        let a = crate::analysis::assess(
            &t,
            &[(lb, Action::Reboot)],
            Date::parse("2023-06-08").unwrap(),
        );
        (t, a)
    }

    #[test]
    fn dot_draws_every_edge_kind_and_colours_the_blast_radius() {
        let (t, a) = demo();
        let full = dot(&t, None);
        assert!(full.starts_with("digraph \"web-stack\" {"));
        assert!(full.contains("\"site-eu\" -> \"edge-lb\";"));
        assert!(full.contains("\"app-eu-1\" -> \"metrics\" [style = dashed"));
        assert!(full.contains("\"edge-lb\" -> \"lb-primary\" [style = dotted"));
        let br = dot(&t, Some(&a));
        assert!(br.contains("fillcolor = \"#f4a6a6\""));
        assert!(br.contains("[reboot]"));
        assert!(!br.contains("\"site-us\""), "only the blast radius");
    }

    #[test]
    fn mermaid_uses_safe_ids_and_escapes_labels() {
        let (t, a) = demo();
        let m = mermaid(&t, Some(&a), None);
        assert!(m.starts_with("flowchart TD\n"));
        assert!(m.contains("class n"));
        assert!(!m.contains("lb-primary -->"), "ids are n<i>");
        assert_eq!(mermaid_str("a\"<b>"), "a#quot;#lt;b#gt;");
        let limited = mermaid(&t, None, Some(3));
        assert!(limited.contains("more not drawn"));
    }

    #[test]
    fn mermaid_labels_break_lines_with_br_not_a_literal_escape() {
        assert_eq!(mermaid_str("db\nDatabase"), "db<br/>Database");
        let (t, a) = demo();
        let m = mermaid(&t, Some(&a), None);
        assert!(!m.contains("\\u{a}"), "{m}");
        assert!(m.contains("<br/>DOWN"), "{m}");
    }

    #[test]
    fn mermaid_entity_codes_in_names_are_shown_not_decoded() {
        assert_eq!(mermaid_str("#lt;b#gt;"), "#35;lt;b#35;gt;");
        assert_eq!(mermaid_str("&lt;x&gt;"), "#amp;lt;x#amp;gt;");
        assert_eq!(mermaid_str("a\u{202e}b"), "a\\u{202e}b");
    }

    #[test]
    fn dot_shows_bidi_overrides_as_text() {
        assert_eq!(dot_str("a\u{202e}b\u{9b}"), "a\\\\u{202e}b\\\\u{9b}");
    }
}
