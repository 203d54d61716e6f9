//! Graphviz DOT -> [`Draft`]: nodes become services, an edge `a -> b` becomes
//! "a requires b" (the direction of `terraform graph`: from a resource to what
//! it depends on).
//!
//! The parser is hand-written on purpose. The DOT crates on crates.io do not
//! fit: `dot-parser` is GPL-2.0-or-later (petgraph's `dot_parser` feature
//! uses it), and `graphviz-rust` 0.9 (MIT) brings about 30 crates (pest,
//! pest_derive, a second syn, stacker with a C build), reports errors as
//! plain strings with no span, keeps quoted ids with their quotes and
//! escapes, and walks its parse tree with `unwrap`/`panic!`. The subset
//! needed here (one `digraph`, statements, attribute lists, subgraphs, edge
//! chains, quoted/HTML/numeral ids, `+` concatenation, the three comment
//! styles) fits in a few hundred
//! lines, and every error can point at its line and column.
//!
//! `terraform graph` output gets extra care (it is recognised by its
//! `[root] ` node prefix): terraform's internal nodes (`root`, `var.*`,
//! `local.*`, `output.*`, `provider[...]`, `meta.*`, module expand nodes and
//! every `(close)` node) are dropped and the dependencies that ran through
//! them are carried over, and the `(expand)`/`(destroy)`-style variants of a
//! resource merge into one service.

mod lex;
mod parse;
mod terraform;

use super::{Draft, DraftService, IdAllocator, plural, stem};
use crate::diag::{Diagnostic, Diagnostics, Source};
use lex::lex;
use parse::Parser;
use std::ops::Range;
use terraform::from_terraform;

/// Subgraphs nested deeper than this are refused (the parser recurses).
const MAX_DEPTH: usize = 64;

pub(super) fn import(name: &str, text: &str) -> Result<Draft, Diagnostics> {
    let src = Source::new(name, text);
    let tokens = lex(&src)?;
    let graph = Parser::new(&src, tokens).parse()?;
    if graph.nodes.is_empty() {
        return Err(
            Diagnostic::at(&src, graph.span.clone(), "the graph has no nodes")
                .with_help("each node becomes a service: write nodes and edges such as `web -> db`")
                .into(),
        );
    }
    let terraform = graph.nodes.iter().any(|n| n.id.starts_with("[root] "));
    let draft = if terraform {
        from_terraform(name, &graph)
    } else {
        from_plain(name, &graph)
    };
    if draft.services.is_empty() {
        return Err(Diagnostic::at(
            &src,
            graph.span.clone(),
            "this terraform graph has only terraform internals (variables, outputs, providers), no resources",
        )
        .with_help("run `terraform graph` in a configuration that declares resources")
        .into());
    }
    Ok(draft)
}

// --- the parsed graph -------------------------------------------------------------

#[derive(Debug)]
struct Graph {
    /// The `digraph` keyword, for errors about the graph as a whole.
    span: Range<usize>,
    /// In order of first mention.
    nodes: Vec<Node>,
    /// `(from, to)` indices into `nodes`, in file order.
    edges: Vec<(usize, usize)>,
    /// Each cluster's label, or its id when it has none.
    clusters: Vec<String>,
}

#[derive(Debug)]
struct Node {
    id: String,
    label: Option<Label>,
    /// The innermost cluster the node was first mentioned in.
    cluster: Option<usize>,
}

#[derive(Debug, Clone)]
struct Label {
    text: String,
    html: bool,
}

impl Label {
    /// The label as plain one-line text: `\n`-style escapes and HTML tags
    /// become spaces; `\N` is the node's id. None when nothing is left.
    fn display(&self, node_id: &str) -> Option<String> {
        let mut s = String::with_capacity(self.text.len());
        if self.html {
            let mut in_tag = false;
            for c in self.text.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' if in_tag => {
                        in_tag = false;
                        s.push(' ');
                    }
                    c if !in_tag => s.push(c),
                    _ => {}
                }
            }
        } else {
            let mut chars = self.text.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    s.push(c);
                    continue;
                }
                match chars.next() {
                    Some('n' | 'l' | 'r') => s.push(' '),
                    Some('N') => s.push_str(node_id),
                    Some(other) => s.push(other),
                    None => s.push('\\'),
                }
            }
        }
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        (!s.is_empty()).then_some(s)
    }
}

// --- graph -> draft --------------------------------------------------------------------

const EDGE_RULE: &str = "An edge `a -> b` reads \"a requires b\" (the direction `terraform graph` uses: from a resource to what it depends on); self-loops and repeated edges are dropped. If your graph points the other way (from a dependency to its dependents), reverse the edges before importing.";

/// Any DOT digraph: one service per node.
fn from_plain(name: &str, g: &Graph) -> Draft {
    let mut ids = IdAllocator::default();
    for n in &g.nodes {
        ids.reserve(&n.id);
    }
    let mut renamed = 0;
    let mut services: Vec<DraftService> = g
        .nodes
        .iter()
        .map(|n| {
            let id = ids.allocate(&n.id);
            let label = n.label.as_ref().and_then(|l| l.display(&n.id));
            let mut notes = Vec::new();
            if id != n.id {
                renamed += 1;
                if label.as_deref().is_some_and(|l| l != n.id) {
                    notes.push(format!("DOT node \"{}\"", n.id));
                }
            }
            if let Some(c) = n.cluster {
                notes.push(format!("in DOT cluster \"{}\"", g.clusters[c]));
            }
            DraftService {
                name: label.or_else(|| (id != n.id).then(|| n.id.clone())),
                id,
                notes,
                ..DraftService::default()
            }
        })
        .collect();
    let dropped_loops = add_edges(&mut services, g.edges.iter().copied());
    let mut imported = vec![
        format!(
            "Imported by `blastradius import dot` from {name}: {} from the nodes of a Graphviz digraph, {} from its edges.",
            count_services(&services),
            count_dependencies(&services),
        ),
        EDGE_RULE.to_string(),
        "A node's `label` becomes its `name`. Node ids that are not valid topology ids ([a-zA-Z0-9._-]+) were made valid (other characters become `-`, clashes get -2, -3...) and the original is kept as `name` or in a comment.".to_string(),
    ];
    if renamed > 0 || dropped_loops > 0 {
        imported.push(format!(
            "In this file: {} renamed, {} dropped.",
            plural(renamed, "id", "ids"),
            plural(dropped_loops, "self-loop", "self-loops")
        ));
    }
    if !g.clusters.is_empty() {
        imported.push(
            "Clusters are noted above their services: if they are zones, hosts or racks, copy them to `zone`.".to_string(),
        );
    }
    Draft {
        topology_name: stem(name),
        description: format!("Imported from {name} (Graphviz DOT)"),
        imported,
        services,
    }
}

/// "12 services".
fn count_services(services: &[DraftService]) -> String {
    plural(services.len(), "service", "services")
}

/// "30 dependencies": every `requires` of the services.
fn count_dependencies(services: &[DraftService]) -> String {
    plural(
        services.iter().map(|s| s.requires.len()).sum(),
        "dependency",
        "dependencies",
    )
}

/// Adds `requires` for each `(from, to)` service index pair; returns how many
/// were self-loops (dropped).
fn add_edges(services: &mut [DraftService], edges: impl Iterator<Item = (usize, usize)>) -> usize {
    let mut loops = 0;
    for (a, b) in edges {
        let target = services[b].id.clone();
        if !services[a].require(&target) {
            loops += 1;
        }
    }
    loops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Graph, Diagnostics> {
        let src = Source::new("t.dot", text);
        Parser::new(&src, lex(&src)?).parse()
    }

    fn edges(g: &Graph) -> Vec<(String, String)> {
        g.edges
            .iter()
            .map(|&(a, b)| (g.nodes[a].id.clone(), g.nodes[b].id.clone()))
            .collect()
    }

    #[test]
    fn chains_and_subgraph_operands() {
        let g = parse("digraph { a -> b -> c; {x y} -> z; p -> subgraph s { q r } }").unwrap();
        let e = edges(&g);
        let want = [
            ("a", "b"),
            ("b", "c"),
            ("x", "z"),
            ("y", "z"),
            ("p", "q"),
            ("p", "r"),
        ];
        assert_eq!(
            e,
            want.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn quoted_ids_escapes_concatenation_and_comments() {
        let text = "# preprocessor line\n/* block\n */ digraph G {\n  // line\n  \"a \\\"b\\\"\" -> \"c\" + \"d\"\n  \"long\\\nline\" [label=<<b>Web</b> tier>]\n  n1:p1:ne -> -1.5\n}\n";
        let g = parse(text).unwrap();
        let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["a \"b\"", "cd", "longline", "n1", "-1.5"]);
        let label = g.nodes[2].label.as_ref().unwrap();
        assert_eq!(label.display("x").as_deref(), Some("Web tier"));
    }

    #[test]
    fn clusters_and_labels() {
        let g = parse(
            "digraph { subgraph cluster_a { label = \"Zone A\"; web [label=\"Web\\nfront\"] } db }",
        )
        .unwrap();
        assert_eq!(g.clusters, ["Zone A"]);
        assert_eq!(g.nodes[0].cluster, Some(0));
        assert_eq!(g.nodes[1].cluster, None);
        assert_eq!(
            g.nodes[0].label.as_ref().unwrap().display("web").as_deref(),
            Some("Web front")
        );
    }

    #[test]
    fn errors_are_located() {
        let cases = [
            ("digraph { a -> }", 1, 16, "expected a node"),
            ("graph { a -- b }", 1, 1, "undirected"),
            ("digraph { a -- b }", 1, 13, "`--`"),
            ("digraph {\n  \"open\n}", 2, 3, "unterminated string"),
            ("digraph {\n a -> b", 1, 9, "never closed"),
            ("digraph { a } digraph { b }", 1, 15, "second graph"),
            ("digraph { a @ b }", 1, 13, "unexpected character"),
            ("/* x", 1, 1, "unterminated comment"),
            ("", 1, 1, "expected `digraph`"),
            ("digraph { node a }", 1, 16, "expected `[`"),
        ];
        for (text, line, col, msg) in cases {
            let e = parse(text).unwrap_err().0.remove(0);
            assert!(e.message.contains(msg), "{text}: {}", e.message);
            assert_eq!((e.line, e.column), (line, col), "{text}: {}", e.message);
            assert!(e.help.is_some());
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!(
            "digraph {{ {} a {} }}",
            "{".repeat(10_000),
            "}".repeat(10_000)
        );
        let e = parse(&text).unwrap_err();
        assert!(e.0[0].message.contains("nested"));
    }
}
