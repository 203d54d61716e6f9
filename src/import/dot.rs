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

use super::{Draft, DraftService, IdAllocator, plural, stem};
use crate::diag::{Diagnostic, Diagnostics, Source};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

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

// --- lexer --------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An identifier, numeral, quoted string or HTML string.
    Id {
        value: String,
        quoted: bool,
        html: bool,
    },
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Semi,
    Comma,
    Eq,
    Colon,
    Plus,
    /// `->`
    Arrow,
    /// `--`
    Line,
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    span: Range<usize>,
}

impl Token {
    /// True for an unquoted keyword (DOT keywords are case-insensitive).
    fn is_keyword(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Id { value, quoted: false, html: false } if value.eq_ignore_ascii_case(kw))
    }
}

fn lex(src: &Source<'_>) -> Result<Vec<Token>, Diagnostics> {
    let text = src.text;
    let bytes = text.as_bytes();
    let mut toks = Vec::new();
    // A byte-order mark is not part of the first token.
    let mut i = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    // Only whitespace since the start of the line: a `#` here starts a
    // preprocessor line, which DOT discards.
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b == b'#' && line_start {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        line_start = false;
        if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        if text[i..].starts_with("/*") {
            match text[i + 2..].find("*/") {
                Some(n) => i += 2 + n + 2,
                None => {
                    return Err(Diagnostic::at(src, i..i + 2, "unterminated comment")
                        .with_help("close it with `*/`")
                        .into());
                }
            }
            continue;
        }
        let punct = match b {
            b'{' => Some(Tok::LBrace),
            b'}' => Some(Tok::RBrace),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            b';' => Some(Tok::Semi),
            b',' => Some(Tok::Comma),
            b'=' => Some(Tok::Eq),
            b':' => Some(Tok::Colon),
            b'+' => Some(Tok::Plus),
            _ => None,
        };
        if let Some(tok) = punct {
            i += 1;
            toks.push(Token {
                tok,
                span: start..i,
            });
            continue;
        }
        if b == b'-' && matches!(bytes.get(i + 1), Some(b'>' | b'-')) {
            let tok = if bytes[i + 1] == b'>' {
                Tok::Arrow
            } else {
                Tok::Line
            };
            i += 2;
            toks.push(Token {
                tok,
                span: start..i,
            });
            continue;
        }
        if b == b'"' {
            let (value, end) = quoted(src, i)?;
            i = end;
            toks.push(Token {
                tok: Tok::Id {
                    value,
                    quoted: true,
                    html: false,
                },
                span: start..i,
            });
            continue;
        }
        if b == b'<' {
            let (value, end) = html(src, i)?;
            i = end;
            toks.push(Token {
                tok: Tok::Id {
                    value,
                    quoted: true,
                    html: true,
                },
                span: start..i,
            });
            continue;
        }
        let word_byte = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c >= 0x80;
        if word_byte(b) || (b == b'-' && bytes.get(i + 1).is_some_and(|c| word_byte(*c))) {
            i += 1;
            // Unlike Graphviz, a `-` between word characters stays in the
            // word: `app-1` is one node, as its author meant (Graphviz reads
            // `app` and `-1` and warns "badly delimited number").
            while i < bytes.len()
                && (word_byte(bytes[i])
                    || (bytes[i] == b'-' && bytes.get(i + 1).is_some_and(|c| word_byte(*c))))
            {
                i += 1;
            }
            toks.push(Token {
                tok: Tok::Id {
                    value: text[start..i].to_string(),
                    quoted: false,
                    html: false,
                },
                span: start..i,
            });
            continue;
        }
        let c = text[i..].chars().next().unwrap_or('?');
        return Err(Diagnostic::at(
            src,
            i..i + c.len_utf8(),
            format!("unexpected character `{}` in DOT", c.escape_debug()),
        )
        .with_help("quote ids that contain spaces or punctuation, e.g. \"aws_instance.web[0]\"")
        .into());
    }
    toks.push(Token {
        tok: Tok::Eof,
        span: bytes.len()..bytes.len(),
    });
    Ok(toks)
}

/// A double-quoted string starting at `start`: its value and the offset after
/// the closing quote. As in Graphviz, `\"` is a quote, a backslash before a
/// newline continues the line, and other backslashes stay as written.
fn quoted(src: &Source<'_>, start: usize) -> Result<(String, usize), Diagnostics> {
    let text = src.text;
    let mut out = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((off, c)) = chars.next() {
        match c {
            '"' => return Ok((out, start + 1 + off + 1)),
            '\\' => match chars.clone().next() {
                Some((_, '"')) => {
                    chars.next();
                    out.push('"');
                }
                Some((_, '\\')) => {
                    chars.next();
                    out.push_str("\\\\");
                }
                Some((_, '\n')) => {
                    chars.next();
                }
                Some((_, '\r')) => {
                    chars.next();
                    if chars.clone().next().is_some_and(|(_, c)| c == '\n') {
                        chars.next();
                    }
                }
                _ => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    Err(Diagnostic::at(src, start..start + 1, "unterminated string")
        .with_help("close the string with `\"`; write a quote inside it as `\\\"`")
        .into())
}

/// An HTML string `<...>` with balanced angle brackets: its inside and the
/// offset after the closing `>`.
fn html(src: &Source<'_>, start: usize) -> Result<(String, usize), Diagnostics> {
    let text = src.text;
    let mut depth = 0usize;
    for (off, c) in text[start..].char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    let end = start + off + 1;
                    return Ok((text[start + 1..end - 1].to_string(), end));
                }
            }
            _ => {}
        }
    }
    Err(
        Diagnostic::at(src, start..start + 1, "unterminated HTML string")
            .with_help("an HTML id or label `<...>` needs as many `>` as `<`")
            .into(),
    )
}

// --- parser ----------------------------------------------------------------------------

/// One open subgraph: the nodes mentioned inside it (for `{a b} -> c`), and
/// the cluster it is, if any.
struct Frame {
    /// In order of mention, each once (`seen` mirrors it for speed).
    mentioned: Vec<usize>,
    seen: HashSet<usize>,
    cluster: Option<usize>,
}

struct Parser<'s, 'a> {
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
    fn new(src: &'s Source<'a>, toks: Vec<Token>) -> Self {
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

    fn parse(mut self) -> Result<Graph, Diagnostics> {
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
            plural(services.len(), "service", "services"),
            plural(
                services.iter().map(|s| s.requires.len()).sum(),
                "dependency",
                "dependencies"
            ),
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

/// What a `terraform graph` node is, once `[root] ` and its ` (...)` suffix
/// are off.
enum TfNode {
    /// A resource or data source: (address, resource type).
    Resource(String, String),
    /// Terraform's own bookkeeping.
    Internal,
}

fn classify(id: &str) -> TfNode {
    let id = id.strip_prefix("[root] ").unwrap_or(id);
    let (address, suffix) = match id.rfind(" (") {
        Some(i) if id.ends_with(')') => (&id[..i], Some(&id[i + 2..id.len() - 1])),
        _ => (id, None),
    };
    if suffix == Some("close") || address == "root" {
        return TfNode::Internal;
    }
    // The address inside its modules: module.a.module.b.aws_x.y -> aws_x.y
    let mut rest = address;
    while let Some(r) = rest.strip_prefix("module.") {
        match r.find('.') {
            Some(dot) => rest = &r[dot + 1..],
            None => return TfNode::Internal, // the module itself
        }
    }
    let internal = [
        "var.",
        "local.",
        "output.",
        "meta.",
        "provider[",
        "provider.",
        "provisioner[",
    ];
    if rest.is_empty() || internal.iter().any(|p| rest.starts_with(p)) {
        return TfNode::Internal;
    }
    let rtype = rest.strip_prefix("data.").unwrap_or(rest);
    let rtype = rtype.split(['.', '[']).next().unwrap_or(rtype);
    TfNode::Resource(address.to_string(), rtype.to_string())
}

/// `terraform graph` output: resources and data sources become services;
/// terraform's internal nodes are dropped, their dependencies carried over.
fn from_terraform(name: &str, g: &Graph) -> Draft {
    // Node index -> service index (None: internal).
    let mut service_of: Vec<Option<usize>> = Vec::with_capacity(g.nodes.len());
    let mut by_address: HashMap<String, usize> = HashMap::new();
    let mut addresses: Vec<(String, String)> = Vec::new();
    let mut internal = 0;
    for n in &g.nodes {
        match classify(&n.id) {
            TfNode::Internal => {
                internal += 1;
                service_of.push(None);
            }
            TfNode::Resource(address, rtype) => {
                let s = *by_address.entry(address.clone()).or_insert_with(|| {
                    addresses.push((address, rtype));
                    addresses.len() - 1
                });
                service_of.push(Some(s));
            }
        }
    }
    let mut ids = IdAllocator::default();
    for (address, _) in &addresses {
        ids.reserve(address);
    }
    let mut renamed = 0;
    let mut services: Vec<DraftService> = addresses
        .iter()
        .map(|(address, rtype)| {
            let id = ids.allocate(address);
            if id != *address {
                renamed += 1;
            }
            DraftService {
                name: (id != *address).then(|| address.clone()),
                id,
                kind: Some(rtype.clone()),
                ..DraftService::default()
            }
        })
        .collect();
    // Dependencies through internal nodes: from each service, follow edges
    // through internal nodes to the first services reached.
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); g.nodes.len()];
    for &(a, b) in &g.edges {
        out_edges[a].push(b);
    }
    let mut pairs = Vec::new();
    for (start, s) in service_of.iter().enumerate() {
        let Some(s) = *s else { continue };
        let mut seen = vec![false; g.nodes.len()];
        let mut stack: Vec<usize> = out_edges[start].clone();
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            match service_of[n] {
                Some(t) => pairs.push((s, t)),
                None => stack.extend(out_edges[n].iter().copied()),
            }
        }
    }
    // Deterministic order: by source, then target, as first met in the file.
    pairs.sort_unstable();
    pairs.dedup();
    // Merged variants of one resource (expand/destroy) are not a real loop.
    pairs.retain(|(a, b)| a != b);
    add_edges(&mut services, pairs.into_iter());
    let mut imported = vec![
        format!(
            "Imported by `blastradius import dot` from {name} (`terraform graph` output): {} from its resources and data sources, {} from its edges.",
            plural(services.len(), "service", "services"),
            plural(
                services.iter().map(|s| s.requires.len()).sum(),
                "dependency",
                "dependencies"
            ),
        ),
        EDGE_RULE.to_string(),
        format!(
            "Terraform's internal nodes ({internal} here: root, var.*, local.*, output.*, provider[...], meta.*, module and (close) nodes) are not services and were dropped; a dependency that ran through one was carried over (a -> local.x -> b became a requires b). The (expand)/(destroy) variants of one resource became one service; `kind` is the resource type."
        ),
        "Terraform's dependencies are the order it creates things in, not always what needs what at run time: review them.".to_string(),
    ];
    if renamed > 0 {
        imported.push(format!(
            "{} not valid topology ids ([a-zA-Z0-9._-]+) were made valid (other characters become `-`, clashes get -2, -3...); the address is kept as `name`.",
            plural(renamed, "address was", "addresses were")
        ));
    }
    Draft {
        topology_name: stem(name),
        description: format!("Imported from {name} (terraform graph)"),
        imported,
        services,
    }
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

    #[test]
    fn classifies_terraform_nodes() {
        let r = |s: &str| match classify(s) {
            TfNode::Resource(a, t) => Some((a, t)),
            TfNode::Internal => None,
        };
        assert_eq!(
            r("[root] aws_instance.web (expand)"),
            Some(("aws_instance.web".into(), "aws_instance".into()))
        );
        assert_eq!(
            r("[root] module.vpc.aws_subnet.a[\"x\"]"),
            Some(("module.vpc.aws_subnet.a[\"x\"]".into(), "aws_subnet".into()))
        );
        assert_eq!(
            r("[root] data.aws_ami.ubuntu (expand)"),
            Some(("data.aws_ami.ubuntu".into(), "aws_ami".into()))
        );
        for internal in [
            "[root] root",
            "[root] var.region",
            "[root] module.vpc.local.x (expand)",
            "[root] provider[\"registry.terraform.io/hashicorp/aws\"]",
            "[root] provider[\"registry.terraform.io/hashicorp/aws\"] (close)",
            "[root] meta.count-boundary (EachMode fixup)",
            "[root] module.vpc (close)",
            "[root] module.vpc (expand)",
            "[root] output.ip (expand)",
            "[root] aws_instance.web (close)",
        ] {
            assert!(r(internal).is_none(), "{internal}");
        }
    }
}
