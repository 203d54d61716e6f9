//! The DOT parser: tokens to the [`Graph`] of nodes, edges and clusters.

use super::lex::{Tok, Token};
use super::{Graph, Label, MAX_DEPTH, Node};
use crate::diag::{Diagnostic, Diagnostics, Source};
use std::collections::{HashMap, HashSet};

/// One open subgraph: the nodes mentioned inside it (for `{a b} -> c`), and
/// the cluster it is, if any.
struct Frame {
    /// In order of mention, each once (`seen` mirrors it for speed).
    mentioned: Vec<usize>,
    seen: HashSet<usize>,
    cluster: Option<usize>,
}

pub(super) struct Parser<'s, 'a> {
    src: &'s Source<'a>,
    toks: Vec<Token>,
    pos: usize,
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    edges: Vec<(usize, usize)>,
    clusters: Vec<String>,
    frames: Vec<Frame>,
}

/// Parser results: `Diagnostics` rather than a bare (large) `Diagnostic`.
type PResult<T> = Result<T, Diagnostics>;

impl<'s, 'a> Parser<'s, 'a> {
    pub(super) fn new(src: &'s Source<'a>, toks: Vec<Token>) -> Self {
        Parser {
            src,
            toks,
            pos: 0,
            nodes: Vec::new(),
            index: HashMap::new(),
            edges: Vec::new(),
            clusters: Vec::new(),
            frames: Vec::new(),
        }
    }

    fn peek(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn peek2(&self) -> &Token {
        &self.toks[(self.pos + 1).min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn error(&self, t: &Token, msg: impl Into<String>, help: impl Into<String>) -> Diagnostics {
        Diagnostic::at(self.src, t.span.clone(), msg)
            .with_help(help)
            .into()
    }

    fn describe(t: &Token) -> String {
        match &t.tok {
            Tok::Id { value, .. } => format!("`{value}`"),
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Semi => "`;`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Eq => "`=`".into(),
            Tok::Colon => "`:`".into(),
            Tok::Plus => "`+`".into(),
            Tok::Arrow => "`->`".into(),
            Tok::Line => "`--`".into(),
            Tok::Eof => "the end of the file".into(),
        }
    }

    pub(super) fn parse(mut self) -> Result<Graph, Diagnostics> {
        self.graph()
    }

    /// `[strict] digraph [ID] { stmt_list }`, then nothing.
    fn graph(&mut self) -> PResult<Graph> {
        if self.peek().is_keyword("strict") {
            self.next();
        }
        let kw = self.next();
        if kw.is_keyword("graph") {
            return Err(self.error(
                &kw,
                "an undirected graph (`graph`) says nothing about which service needs which",
                "write `digraph` and `->` edges from each service to what it needs",
            ));
        }
        if !kw.is_keyword("digraph") {
            return Err(self.error(
                &kw,
                format!("expected `digraph`, found {}", Self::describe(&kw)),
                "a DOT file starts with `digraph NAME {`",
            ));
        }
        if matches!(self.peek().tok, Tok::Id { .. }) {
            self.id()?;
        }
        let open = self.next();
        if open.tok != Tok::LBrace {
            return Err(self.error(
                &open,
                format!("expected `{{`, found {}", Self::describe(&open)),
                "a DOT file starts with `digraph NAME {`",
            ));
        }
        self.stmt_list(&open, 0)?;
        let after = self.next();
        if after.tok != Tok::Eof {
            let (msg, help) = if after.is_keyword("digraph") || after.is_keyword("strict") {
                (
                    "a second graph in one file",
                    "import one graph per file: split the file, or merge the graphs into one digraph",
                )
            } else {
                (
                    "unexpected text after the graph's closing `}`",
                    "the whole graph goes inside `digraph NAME { ... }`",
                )
            };
            return Err(self.error(&after, msg, help));
        }
        Ok(Graph {
            span: kw.span,
            nodes: std::mem::take(&mut self.nodes),
            edges: std::mem::take(&mut self.edges),
            clusters: std::mem::take(&mut self.clusters),
        })
    }

    /// Statements up to and including the `}` that matches `open`.
    fn stmt_list(&mut self, open: &Token, depth: usize) -> PResult<()> {
        loop {
            match self.peek().tok {
                Tok::RBrace => {
                    self.next();
                    return Ok(());
                }
                Tok::Eof => {
                    return Err(self.error(
                        open,
                        "this `{` is never closed",
                        "add the matching `}`",
                    ));
                }
                Tok::Semi => {
                    self.next();
                }
                _ => self.stmt(depth)?,
            }
        }
    }

    fn stmt(&mut self, depth: usize) -> PResult<()> {
        let t = self.peek().clone();
        if t.is_keyword("graph") || t.is_keyword("node") || t.is_keyword("edge") {
            self.next();
            if self.peek().tok != Tok::LBracket {
                let found = self.peek().clone();
                return Err(self.error(
                    &found,
                    format!(
                        "expected `[` after `{}`, found {}",
                        Self::keyword_text(&t),
                        Self::describe(&found)
                    ),
                    "`graph`, `node` and `edge` are keywords: quote a node with that id, e.g. \"node\"",
                ));
            }
            let attrs = self.attr_lists()?;
            if t.is_keyword("graph") {
                self.cluster_label(&attrs);
            }
            return Ok(());
        }
        if matches!(t.tok, Tok::Id { .. }) && self.peek2().tok == Tok::Eq {
            // `ID = ID`: a graph attribute.
            let key = self.id()?;
            self.next();
            let value = self.id()?;
            self.cluster_label(&[(key, value)]);
            return Ok(());
        }
        let first = self.operand(depth)?;
        if matches!(self.peek().tok, Tok::Arrow | Tok::Line) {
            return self.edge_chain(first, depth);
        }
        if self.peek().tok == Tok::LBracket {
            let attrs = self.attr_lists()?;
            // Attributes after a lone node set that node's label; after a
            // lone subgraph they mean nothing to us.
            if let [n] = first.as_slice()
                && let Some((_, label)) = attrs.into_iter().rev().find(|(k, _)| k.text == "label")
            {
                self.nodes[*n].label = Some(label);
            }
        }
        Ok(())
    }

    fn keyword_text(t: &Token) -> String {
        match &t.tok {
            Tok::Id { value, .. } => value.clone(),
            _ => String::new(),
        }
    }

    /// A `label` among `attrs` names the innermost open cluster.
    fn cluster_label(&mut self, attrs: &[(Label, Label)]) {
        let Some(cluster) = self.frames.last().and_then(|f| f.cluster) else {
            return;
        };
        if let Some((_, v)) = attrs.iter().rev().find(|(k, _)| k.text == "label")
            && let Some(text) = v.display("")
        {
            self.clusters[cluster] = text;
        }
    }

    /// `a -> b -> {c d} ...` after its first operand; every node of each
    /// operand requires every node of the next.
    fn edge_chain(&mut self, first: Vec<usize>, depth: usize) -> PResult<()> {
        let mut left = first;
        while matches!(self.peek().tok, Tok::Arrow | Tok::Line) {
            let op = self.next();
            if op.tok == Tok::Line {
                return Err(self.error(
                    &op,
                    "`--` (an undirected edge) in a digraph",
                    "write `a -> b` for \"a needs b\"",
                ));
            }
            let right = self.operand(depth)?;
            for &a in &left {
                for &b in &right {
                    self.edges.push((a, b));
                }
            }
            left = right;
        }
        if self.peek().tok == Tok::LBracket {
            self.attr_lists()?;
        }
        Ok(())
    }

    /// A node id (with optional port) or a subgraph: the nodes it stands for.
    fn operand(&mut self, depth: usize) -> PResult<Vec<usize>> {
        let t = self.peek().clone();
        if t.tok == Tok::LBrace || t.is_keyword("subgraph") {
            return self.subgraph(depth + 1);
        }
        if !matches!(t.tok, Tok::Id { .. }) {
            return Err(self.error(
                &t,
                format!("expected a node, found {}", Self::describe(&t)),
                "a statement is a node (`web`), an edge (`web -> db`), an attribute (`rankdir = LR`) or a subgraph (`{ a b }`)",
            ));
        }
        let id = self.id()?.text;
        // Port and compass point: `node:port:ne`; not part of the node.
        for _ in 0..2 {
            if self.peek().tok == Tok::Colon {
                self.next();
                self.id()?;
            }
        }
        Ok(vec![self.mention(id)])
    }

    /// `[subgraph [ID]] { stmt_list }`.
    fn subgraph(&mut self, depth: usize) -> PResult<Vec<usize>> {
        let start = self.peek().clone();
        if depth > MAX_DEPTH {
            return Err(self.error(
                &start,
                format!("subgraphs nested more than {MAX_DEPTH} deep"),
                "flatten the subgraphs",
            ));
        }
        let mut name = None;
        if start.is_keyword("subgraph") {
            self.next();
            if matches!(self.peek().tok, Tok::Id { .. }) {
                name = Some(self.id()?.text);
            }
        }
        let open = self.next();
        if open.tok != Tok::LBrace {
            return Err(self.error(
                &open,
                format!("expected `{{`, found {}", Self::describe(&open)),
                "a subgraph is `subgraph NAME { ... }` or `{ ... }`",
            ));
        }
        let cluster = name.filter(|n| n.starts_with("cluster")).map(|n| {
            self.clusters.push(n);
            self.clusters.len() - 1
        });
        self.frames.push(Frame {
            mentioned: Vec::new(),
            seen: HashSet::new(),
            cluster,
        });
        let body = self.stmt_list(&open, depth);
        let frame = self.frames.pop().expect("pushed above");
        body?;
        Ok(frame.mentioned)
    }

    /// `[ a = b, c = d ][ ... ]`: the pairs, in order.
    fn attr_lists(&mut self) -> PResult<Vec<(Label, Label)>> {
        let mut attrs = Vec::new();
        while self.peek().tok == Tok::LBracket {
            let open = self.next();
            loop {
                match self.peek().tok {
                    Tok::RBracket => {
                        self.next();
                        break;
                    }
                    Tok::Semi | Tok::Comma => {
                        self.next();
                    }
                    Tok::Eof => {
                        return Err(self.error(
                            &open,
                            "this `[` is never closed",
                            "add the matching `]`",
                        ));
                    }
                    _ => {
                        let key = self.id()?;
                        let value = if self.peek().tok == Tok::Eq {
                            self.next();
                            self.id()?
                        } else {
                            Label {
                                text: "true".into(),
                                html: false,
                            }
                        };
                        attrs.push((key, value));
                    }
                }
            }
        }
        Ok(attrs)
    }

    /// An ID, with `"a" + "b"` concatenation.
    fn id(&mut self) -> PResult<Label> {
        let t = self.next();
        let Tok::Id {
            value,
            quoted,
            html,
        } = t.tok
        else {
            return Err(self.error(
                &t,
                format!("expected an id, found {}", Self::describe(&t)),
                "an id is a word, a number, a \"quoted string\" or an <html string>",
            ));
        };
        let mut text = value;
        if quoted && !html {
            while self.peek().tok == Tok::Plus {
                let plus = self.next();
                match self.next().tok {
                    Tok::Id {
                        value,
                        quoted: true,
                        html: false,
                    } => text.push_str(&value),
                    _ => {
                        return Err(self.error(
                            &plus,
                            "`+` must join two quoted strings",
                            "write \"a\" + \"b\"",
                        ));
                    }
                }
            }
        }
        Ok(Label { text, html })
    }

    /// The node `id`, declared on first mention; recorded in every open
    /// subgraph.
    fn mention(&mut self, id: String) -> usize {
        let n = match self.index.get(&id) {
            Some(&n) => n,
            None => {
                let cluster = self.frames.iter().rev().find_map(|f| f.cluster);
                self.nodes.push(Node {
                    id: id.clone(),
                    label: None,
                    cluster,
                });
                self.index.insert(id, self.nodes.len() - 1);
                self.nodes.len() - 1
            }
        };
        for f in &mut self.frames {
            if f.seen.insert(n) {
                f.mentioned.push(n);
            }
        }
        n
    }
}
