//! `blastradius import`: a first topology from a graph that already exists
//! elsewhere, a Graphviz DOT file (such as `terraform graph` output) or a
//! Backstage catalog (`catalog-info.yaml`).
//!
//! An importer only knows what its input says: services and what they need.
//! Everything the walk also runs on (redundancy groups, the users entering at
//! each entry point, boot facts, failure domains) is not in those formats, so
//! the output starts with a header comment that says what was imported from
//! where, every mapping decision, and what the operator must still fill in.
//!
//! The output is always a valid topology: [`import`] checks it with
//! [`crate::topology::load`] before returning it.
//!
//! Both importers share the same steps: parse the input into a `Draft`
//! (services with comments and a header), give every service a valid, unique
//! id (`IdAllocator`), and render the draft as TOML.

mod backstage;
mod dot;

use crate::diag::{Diagnostic, Diagnostics};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// The input formats `blastradius import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Graphviz DOT digraph, e.g. `terraform graph` output: nodes become
    /// services, an edge `a -> b` becomes "a requires b".
    Dot,
    /// A Backstage catalog (`catalog-info.yaml`): Component, Resource and
    /// System entities become services, `spec.dependsOn` becomes `requires`.
    Backstage,
}

impl Format {
    /// The word used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Dot => "dot",
            Format::Backstage => "backstage",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "dot" | "graphviz" | "terraform" => Ok(Format::Dot),
            "backstage" => Ok(Format::Backstage),
            _ => Err(format!(
                "unknown import format `{s}`: expected `dot` or `backstage`"
            )),
        }
    }
}

/// Imports `text` (the contents of the file `name`, which diagnostics and the
/// header comment name) and returns the text of a topology file.
///
/// # Errors
/// Every problem found in the input, located by file, line and column.
pub fn import(format: Format, name: &str, text: &str) -> Result<String, Diagnostics> {
    match format {
        Format::Dot => dot(name, text),
        Format::Backstage => backstage(name, text),
    }
}

/// Imports a Graphviz DOT digraph (see [`Format::Dot`]).
///
/// # Errors
/// The first syntax error, or an input with no usable node, located.
pub fn dot(name: &str, text: &str) -> Result<String, Diagnostics> {
    let draft = dot::import(name, text)?;
    finish(name, &draft)
}

/// Imports a Backstage catalog (see [`Format::Backstage`]).
///
/// # Errors
/// YAML errors, entities without a name, duplicate entities and ambiguous
/// references, located.
pub fn backstage(name: &str, text: &str) -> Result<String, Diagnostics> {
    let draft = backstage::import(name, text)?;
    finish(name, &draft)
}

/// Renders the draft and proves the result loads: an importer bug must never
/// hand the operator a file that `validate` rejects.
fn finish(name: &str, draft: &Draft) -> Result<String, Diagnostics> {
    let out = render(draft);
    match crate::topology::load(&format!("{name} (imported)"), &out) {
        Ok(_) => Ok(out),
        Err(Diagnostics(mut errors)) => {
            errors.insert(
                0,
                Diagnostic::whole_file(
                    name,
                    "internal error: the imported topology does not load (a bug in blastradius import)",
                )
                .with_help("please report it with the input file"),
            );
            Err(Diagnostics(errors))
        }
    }
}

// --- the shared model ---------------------------------------------------------

/// A topology about to be written: what the importers produce.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    /// `[topology] name`.
    pub topology_name: String,
    /// `[topology] description`.
    pub description: String,
    /// The format-specific part of the header comment: what was imported and
    /// how, one paragraph per entry (wrapped when rendered).
    pub imported: Vec<String>,
    /// Services in output order.
    pub services: Vec<DraftService>,
}

/// One service about to be written.
#[derive(Debug, Default)]
pub(crate) struct DraftService {
    pub id: String,
    /// Written only when it differs from the id.
    pub name: Option<String>,
    pub kind: Option<String>,
    pub team: Option<String>,
    pub criticality: Option<&'static str>,
    /// Ids of other services, no duplicates, never the service itself.
    pub requires: Vec<String>,
    pub wants: Vec<String>,
    /// Comment lines written above the service (provenance, placeholders,
    /// what was dropped).
    pub notes: Vec<String>,
    /// Each id in `requires` (true) or `wants` (false): a hub with a
    /// hundred thousand edges must not scan its list for each of them.
    listed: HashMap<String, bool>,
}

impl DraftService {
    /// Adds a hard dependency unless it is the service itself or already there.
    /// Returns false for a self-dependency.
    pub fn require(&mut self, id: &str) -> bool {
        if id == self.id {
            return false;
        }
        match self.listed.insert(id.to_string(), true) {
            Some(true) => {}
            Some(false) => {
                // Once per id at most: it is required from now on.
                self.wants.retain(|w| w != id);
                self.requires.push(id.to_string());
            }
            None => self.requires.push(id.to_string()),
        }
        true
    }

    /// Adds a soft dependency unless it is the service itself or already
    /// required.
    pub fn want(&mut self, id: &str) -> bool {
        if id == self.id {
            return false;
        }
        if !self.listed.contains_key(id) {
            self.listed.insert(id.to_string(), false);
            self.wants.push(id.to_string());
        }
        true
    }
}

// --- ids ------------------------------------------------------------------------

/// True when `id` is a valid topology id (`[a-zA-Z0-9._-]+`).
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// `s` with every run of characters that may not appear in an id replaced by
/// one `-`, and such runs trimmed from both ends:
/// `aws_instance.web[0]` -> `aws_instance.web-0`,
/// `provider["registry.terraform.io/hashicorp/aws"]` ->
/// `provider-registry.terraform.io-hashicorp-aws`, `My DB` -> `My-DB`.
/// Never empty: a string with no usable character becomes `node`.
pub(crate) fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            if pending && !out.is_empty() {
                out.push('-');
            }
            pending = false;
            out.push(c);
        } else {
            pending = true;
        }
    }
    if out.is_empty() {
        out.push_str("node");
    }
    out
}

/// Hands out unique, valid ids, deterministically: the same inputs in the same
/// order always get the same ids.
///
/// Call [`reserve`](Self::reserve) first for every preferred id that is
/// already valid, so such ids are kept as they are, then
/// [`allocate`](Self::allocate) for each entry in input order: an entry whose
/// preferred id is taken (or invalid) gets the sanitized form, then `-2`,
/// `-3`... until it is unique.
#[derive(Debug, Default)]
pub(crate) struct IdAllocator {
    reserved: HashSet<String>,
    used: HashSet<String>,
    /// The next suffix to try for a sanitized base: a hundred thousand
    /// names that sanitize alike must not each count up from `-2`.
    next_suffix: HashMap<String, usize>,
}

impl IdAllocator {
    /// Claims a valid preferred id for its first [`allocate`](Self::allocate)
    /// call. Returns false when the id is invalid or already reserved.
    pub fn reserve(&mut self, preferred: &str) -> bool {
        valid_id(preferred) && self.reserved.insert(preferred.to_string())
    }

    /// The id for an entry that prefers `preferred`.
    pub fn allocate(&mut self, preferred: &str) -> String {
        if valid_id(preferred) && !self.used.contains(preferred) {
            self.used.insert(preferred.to_string());
            return preferred.to_string();
        }
        let base = sanitize(preferred);
        let mut candidate = base.clone();
        let mut n = self.next_suffix.get(&base).copied().unwrap_or(1);
        if n > 1 {
            candidate = format!("{base}-{n}");
        }
        // A sanitized id must not take an id reserved by a later entry that
        // was valid as written.
        while self.used.contains(&candidate)
            || (candidate != preferred && self.reserved.contains(&candidate))
        {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        self.next_suffix.insert(base, n + 1);
        self.used.insert(candidate.clone());
        candidate
    }
}

// --- rendering --------------------------------------------------------------------

/// What no importable format says, and the walk needs.
const STILL_TO_FILL: &[&str] = &[
    "[groups.ID]: which services can stand in for each other (replicas, primary/standby pairs), with mode, min_up, failover and last_tested. Until then every required service is a single point of failure.",
    "users: the share of users (0..1] entering at each entry point. With none, the blast radius counts no users.",
    "boot facts ([services.ID.boot]: autostart, minutes, volumes with automount), zone (failure domain), oncall, monitored, recovery, probe and runbook.",
    "criticality (default medium), and requires vs wants: every imported dependency is hard (requires) unless noted; make those a service can do without `wants`.",
];

/// The topology text of a draft: the header comment, `[topology]`, then one
/// table per service.
pub(crate) fn render(d: &Draft) -> String {
    let mut out = String::new();
    for para in &d.imported {
        comment(&mut out, "", para);
    }
    out.push_str("#\n# Still to fill in by hand (the input does not say):\n");
    for item in STILL_TO_FILL {
        comment(&mut out, "  - ", item);
    }
    out.push_str("#\n# Then check it: blastradius validate THIS-FILE\n\n");
    out.push_str("[topology]\n");
    let _ = writeln!(out, "name = {}", toml_string(&d.topology_name));
    let _ = writeln!(out, "description = {}", toml_string(&d.description));
    for s in &d.services {
        out.push('\n');
        for note in &s.notes {
            comment(&mut out, "", note);
        }
        let _ = writeln!(out, "[services.{}]", toml_key(&s.id));
        if let Some(name) = s.name.as_deref().filter(|n| *n != s.id) {
            let _ = writeln!(out, "name = {}", toml_string(name));
        }
        if let Some(kind) = &s.kind {
            let _ = writeln!(out, "kind = {}", toml_string(kind));
        }
        if let Some(team) = &s.team {
            let _ = writeln!(out, "team = {}", toml_string(team));
        }
        if let Some(c) = s.criticality {
            let _ = writeln!(out, "criticality = {}", toml_string(c));
        }
        if !s.requires.is_empty() {
            let _ = writeln!(out, "requires = {}", toml_array(&s.requires));
        }
        if !s.wants.is_empty() {
            let _ = writeln!(out, "wants = {}", toml_array(&s.wants));
        }
    }
    out
}

/// Appends `text` as `#` comment lines, wrapped to 80 columns, first line
/// prefixed with `bullet` and the rest indented to match. Control and other
/// hazardous characters are escaped and whitespace collapsed, so user text
/// can neither end the comment nor act on a terminal.
fn comment(out: &mut String, bullet: &str, text: &str) {
    let clean = comment_text(text);
    let indent = " ".repeat(bullet.chars().count());
    let width = 78 - bullet.chars().count();
    for (i, line) in crate::text::wrap(&clean, width).iter().enumerate() {
        let lead = if i == 0 { bullet } else { &indent };
        let line = format!("# {lead}{line}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// One line of inert text: whitespace runs (newlines included) become one
/// space, other hazardous characters are shown as escapes.
pub(crate) fn comment_text(s: &str) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::inert(&collapsed).into_owned()
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A table key for an id: bare when it can be, quoted when it holds a `.`
/// (a bare `a.b` would be a dotted key, i.e. two levels).
fn toml_key(id: &str) -> String {
    if id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
    {
        id.to_string()
    } else {
        toml_string(id)
    }
}

fn toml_array(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// The topology name for an input file: its stem (`prod.dot` -> `prod`).
pub(crate) fn stem(name: &str) -> String {
    let s = std::path::Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .map(comment_text)
        .unwrap_or_default();
    if s.is_empty() {
        "imported".to_string()
    } else {
        s
    }
}

/// "1 service", "2 services".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_to_valid_ids() {
        assert_eq!(sanitize("aws_instance.web[0]"), "aws_instance.web-0");
        assert_eq!(
            sanitize("provider[\"registry.terraform.io/hashicorp/aws\"]"),
            "provider-registry.terraform.io-hashicorp-aws"
        );
        assert_eq!(sanitize("My DB  (main)"), "My-DB-main");
        assert_eq!(sanitize("[]"), "node");
        assert_eq!(sanitize("café"), "caf");
        for s in ["a b", "ü", "x/y", "-a-"] {
            assert!(valid_id(&sanitize(s)), "{s}");
        }
    }

    #[test]
    fn allocator_keeps_valid_ids_and_uniquifies_the_rest() {
        let mut ids = IdAllocator::default();
        let inputs = ["a b", "a-b", "a b", "x"];
        for i in inputs {
            ids.reserve(i);
        }
        let got: Vec<String> = inputs.iter().map(|i| ids.allocate(i)).collect();
        // "a-b" was valid as written, so the sanitized "a b" does not take it.
        assert_eq!(got, ["a-b-2", "a-b", "a-b-3", "x"]);
    }

    #[test]
    fn strings_and_keys_are_valid_toml() {
        let text = format!(
            "{} = {}\n{} = 1\n",
            toml_key("a.b"),
            toml_string("q\"\\\n\u{1b}é"),
            toml_key("c-d")
        );
        let v: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(v["a.b"].as_str(), Some("q\"\\\n\u{1b}é"));
        assert!(v.contains_key("c-d"));
    }

    #[test]
    fn comments_cannot_break_out() {
        let mut out = String::new();
        comment(&mut out, "", "line\n[services.evil]\u{1b}[2J");
        assert_eq!(out.lines().count(), 1);
        assert!(out.starts_with("# line [services.evil]\\u{1b}"));
    }

    #[test]
    fn formats_parse() {
        assert_eq!("DOT".parse::<Format>(), Ok(Format::Dot));
        assert_eq!("backstage".parse::<Format>(), Ok(Format::Backstage));
        assert!("yaml".parse::<Format>().is_err());
    }
}
