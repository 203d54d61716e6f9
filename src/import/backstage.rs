//! Backstage catalog (`catalog-info.yaml`) -> [`Draft`].
//!
//! Entities of kind Component, Resource and System become services (every
//! other kind, API, Group, User, Domain, Location, Template..., is counted
//! and skipped). The descriptor format is Backstage's
//! (`apiVersion: backstage.io/v1alpha1`, `kind`, `metadata`, `spec`), read
//! with `serde-saphyr`, one entity per YAML document (`---`).
//!
//! Mapping (also written into the output's header):
//! - `spec.dependsOn` -> `requires`;
//! - a System `requires` each Component and Resource whose `spec.system`
//!   names it: the system is up only when all its parts are (conservative:
//!   before a change, over-warning is cheaper than a surprise);
//! - `spec.consumesApis` -> `wants` on each entity whose `spec.providesApis`
//!   lists that API (soft: the catalog does not say the consumer fails
//!   without it);
//! - `spec.owner` -> `team` (the name part of the reference);
//! - `spec.type` -> `kind` (the entity kind, lowercased, when there is none);
//! - `metadata.title` -> `name`;
//! - `spec.lifecycle`: `production` -> criticality high, `experimental` ->
//!   low, anything else (`deprecated`, custom) -> unset (medium);
//! - a reference to an entity not in the file becomes a placeholder service,
//!   so the dependency is not lost.

use super::{Draft, DraftService, IdAllocator, comment_text, plural, stem};
use crate::diag::{Diagnostic, Diagnostics, Source};
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

/// One YAML document. Only the fields the import reads; everything else
/// (`relations`, `status`, `links`, annotations...) is ignored.
#[derive(Deserialize)]
struct Doc {
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<Spanned<String>>,
    metadata: Option<Metadata>,
    spec: Option<Spec>,
}

#[derive(Deserialize)]
struct Metadata {
    name: Option<Spanned<String>>,
    namespace: Option<String>,
    title: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct Spec {
    #[serde(rename = "type")]
    type_: Option<String>,
    lifecycle: Option<String>,
    owner: Option<String>,
    system: Option<Spanned<String>>,
    #[serde(rename = "dependsOn")]
    depends_on: Option<Vec<Spanned<String>>>,
    #[serde(rename = "providesApis")]
    provides_apis: Option<Vec<Spanned<String>>>,
    #[serde(rename = "consumesApis")]
    consumes_apis: Option<Vec<Spanned<String>>>,
}

/// The kinds imported as services.
const KINDS: [&str; 3] = ["Component", "Resource", "System"];

const DEFAULT_NS: &str = "default";

/// A parsed entity reference `[kind:][namespace/]name`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ref {
    kind: Option<String>,
    namespace: String,
    name: String,
}

impl Ref {
    /// Parses `s`, filling in the namespace (and kind) the reference leaves
    /// out. None when a part is empty.
    fn parse(s: &str, default_kind: Option<&str>, default_ns: &str) -> Option<Ref> {
        let s = s.trim();
        let (kind, rest) = match s.split_once(':') {
            Some((k, rest)) => (Some(k.trim()), rest),
            None => (default_kind, s),
        };
        let (ns, name) = match rest.split_once('/') {
            Some((ns, name)) => (ns.trim(), name.trim()),
            None => (default_ns, rest.trim()),
        };
        if name.is_empty() || ns.is_empty() || kind.is_some_and(str::is_empty) {
            return None;
        }
        Some(Ref {
            kind: kind.map(str::to_string),
            namespace: ns.to_string(),
            name: name.to_string(),
        })
    }

    /// The case-insensitive (namespace, name) Backstage compares by.
    fn key(&self) -> (String, String) {
        (self.namespace.to_lowercase(), self.name.to_lowercase())
    }

    fn kind_lower(&self) -> Option<String> {
        self.kind.as_deref().map(str::to_lowercase)
    }

    /// `kind:namespace/name`, the full form (`namespace/name` when the kind
    /// is not known).
    fn full(&self) -> String {
        match &self.kind {
            Some(k) => format!("{}:{}/{}", k.to_lowercase(), self.namespace, self.name),
            None => format!("{}/{}", self.namespace, self.name),
        }
    }
}

/// An imported entity, validated.
struct Entity {
    r: Ref,
    title: Option<String>,
    description: Option<String>,
    spec: Option<Spec>,
}

/// A service for a reference to something not in the file.
struct Placeholder {
    r: Ref,
    written: String,
    referenced_by: Vec<usize>,
}

/// A service to be: an entity or a placeholder.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Target {
    Entity(usize),
    Placeholder(usize),
}

pub(super) fn import(name: &str, text: &str) -> Result<Draft, Diagnostics> {
    let src = Source::new(name, text);
    // serde-saphyr's default budget stops at 1,024 documents; a catalog
    // joined from many files can hold more entities than that, and a fixed
    // 100,000 refused large real ones. The limits grow with the text
    // instead: a document takes at least `---` and a newline, a node a
    // byte, so nothing written out in full can reach them, while aliases
    // (which replay nodes without their bytes) still cannot blow a small
    // file up beyond a few times its size.
    let len = text.len();
    let options = serde_saphyr::options! {
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_documents: (len / 4).max(100_000),
            max_nodes: (2 * len).max(5_000_000),
            max_events: (4 * len).max(20_000_000),
            max_total_scalar_bytes: (2 * len).max(64 << 20),
            max_reader_input_bytes: Some((2 * len).max(256 << 20)),
        },
    };
    let docs: Vec<Doc> = serde_saphyr::from_multiple_with_options(text, options)
        .map_err(|e| yaml_error(&src, &e))?;
    let mut errors = Vec::new();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut entities: Vec<Entity> = Vec::new();
    let mut index: HashMap<(String, String, String), usize> = HashMap::new();
    for doc in docs {
        if let Some(v) = &doc.api_version
            && !v.starts_with("backstage.io/")
        {
            *skipped
                .entry(format!("non-Backstage ({})", comment_text(v)))
                .or_default() += 1;
            continue;
        }
        let Some(kind) = doc.kind else {
            let at = doc
                .metadata
                .as_ref()
                .and_then(|m| m.name.as_ref())
                .map_or(0..0, |n| span(text, &n.referenced));
            errors.push(
                Diagnostic::at(&src, at, "an entity without `kind`").with_help(
                    "every catalog entity has `kind:` (Component, Resource, System, API, Group...)",
                ),
            );
            continue;
        };
        let Some(canonical) = KINDS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(kind.value.trim()))
        else {
            *skipped.entry(comment_text(&kind.value)).or_default() += 1;
            continue;
        };
        let metadata = doc.metadata.and_then(|m| m.name.clone().map(|n| (m, n)));
        let Some((metadata, ent_name)) = metadata else {
            errors.push(
                Diagnostic::at(
                    &src,
                    span(text, &kind.referenced),
                    format!("this {canonical} has no `metadata.name`"),
                )
                .with_help("add metadata:\n  name: my-service"),
            );
            continue;
        };
        let namespace = metadata
            .namespace
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(DEFAULT_NS)
            .to_string();
        let r = Ref {
            kind: Some((*canonical).to_string()),
            namespace,
            name: ent_name.value.trim().to_string(),
        };
        let ent_span = span(text, &ent_name.referenced);
        if r.name.is_empty() || r.name.contains([':', '/']) {
            errors.push(
                Diagnostic::at(&src, ent_span, format!("invalid entity name `{}`", r.name))
                    .with_help("Backstage names are letters, digits and `-_.`, e.g. orders-db"),
            );
            continue;
        }
        let (ns, n) = r.key();
        let key = (canonical.to_lowercase(), ns, n);
        if index.contains_key(&key) {
            errors.push(
                Diagnostic::at(&src, ent_span, format!("{} is defined twice", r.full())).with_help(
                    "Backstage compares names ignoring case: keep one definition, or rename one",
                ),
            );
            continue;
        }
        index.insert(key, entities.len());
        entities.push(Entity {
            r,
            title: metadata.title.filter(|t| !t.trim().is_empty()),
            description: metadata.description.filter(|t| !t.trim().is_empty()),
            spec: doc.spec,
        });
    }
    if entities.is_empty() && errors.is_empty() {
        let found = if skipped.is_empty() {
            "no entities at all".to_string()
        } else {
            format!("only {}", skipped_list(&skipped))
        };
        return Err(Diagnostic::whole_file(
            name,
            format!("no Component, Resource or System entities to import ({found})"),
        )
        .with_help("a catalog entity looks like:\n  apiVersion: backstage.io/v1alpha1\n  kind: Component\n  metadata:\n    name: orders\n  spec:\n    dependsOn: [resource:orders-db]")
        .into());
    }
    let mut b = Builder {
        src: &src,
        entities: &entities,
        index: &index,
        placeholders: Vec::new(),
        placeholder_index: HashMap::new(),
        errors,
    };
    let links = b.links();
    let Builder {
        placeholders,
        errors,
        ..
    } = b;
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    Ok(draft(name, &entities, &placeholders, links, &skipped))
}

/// What each entity needs, resolved.
#[derive(Default)]
struct Links {
    requires: Vec<Target>,
    wants: Vec<Target>,
    notes: Vec<String>,
    /// The same as sets: an entity may depend on thirty thousand others.
    required: HashSet<Target>,
    wanted: HashSet<Target>,
}

impl Links {
    fn require(&mut self, t: Target) {
        if self.required.insert(t) {
            self.requires.push(t);
        }
    }

    fn want(&mut self, t: Target) {
        if !self.required.contains(&t) && self.wanted.insert(t) {
            self.wants.push(t);
        }
    }
}

struct Builder<'s, 'a, 'e> {
    src: &'s Source<'a>,
    entities: &'e [Entity],
    index: &'e HashMap<(String, String, String), usize>,
    placeholders: Vec<Placeholder>,
    /// Placeholders by (namespace, name).
    placeholder_index: HashMap<(String, String), Vec<usize>>,
    errors: Vec<Diagnostic>,
}

impl Builder<'_, '_, '_> {
    fn links(&mut self) -> Vec<Links> {
        let entities = self.entities;
        let mut links: Vec<Links> = entities.iter().map(|_| Links::default()).collect();
        // API (namespace, name) -> entities providing it.
        let mut providers: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, e) in entities.iter().enumerate() {
            let Some(spec) = &e.spec else { continue };
            for api in spec.provides_apis.iter().flatten() {
                if let Some(r) = Ref::parse(&api.value, Some("API"), &e.r.namespace) {
                    providers.entry(r.key()).or_default().push(i);
                }
            }
        }
        for (i, e) in entities.iter().enumerate() {
            let Some(spec) = &e.spec else { continue };
            let ns = e.r.namespace.as_str();
            for dep in spec.depends_on.iter().flatten() {
                let Some(target) = self.resolve(dep, ns, i) else {
                    continue;
                };
                if target == Target::Entity(i) {
                    links[i].notes.push(format!(
                        "dropped: dependsOn `{}` is itself",
                        dep.value.trim()
                    ));
                } else {
                    links[i].require(target);
                }
            }
            if let Some(sys) = &spec.system {
                match Ref::parse(&sys.value, Some("System"), ns) {
                    None => self.bad_ref(sys, "spec.system"),
                    Some(r) => {
                        let key = ("system".to_string(), r.key().0, r.key().1);
                        match self.index.get(&key) {
                            Some(&s) if s != i => links[s].require(Target::Entity(i)),
                            Some(_) => {}
                            None => links[i].notes.push(format!(
                                "part of system `{}`, which is not in this file",
                                sys.value.trim()
                            )),
                        }
                    }
                }
            }
            for api in spec.consumes_apis.iter().flatten() {
                let Some(r) = Ref::parse(&api.value, Some("API"), ns) else {
                    self.bad_ref(api, "spec.consumesApis");
                    continue;
                };
                let provided: Vec<usize> = providers
                    .get(&r.key())
                    .map(|p| p.iter().copied().filter(|&p| p != i).collect())
                    .unwrap_or_default();
                if provided.is_empty() {
                    links[i].notes.push(format!(
                        "dropped: consumes API `{}`, which no Component, Resource or System in this file provides",
                        api.value.trim()
                    ));
                }
                for p in provided {
                    links[i].want(Target::Entity(p));
                }
            }
        }
        links
    }

    fn bad_ref(&mut self, r: &Spanned<String>, field: &str) {
        self.errors.push(
            Diagnostic::at(
                self.src,
                span(self.src.text, &r.referenced),
                format!("invalid entity reference `{}` in `{field}`", r.value),
            )
            .with_help(
                "write [kind:][namespace/]name, e.g. resource:default/orders-db or orders-db",
            ),
        );
    }

    /// The service a `dependsOn` entry of entity `from` names: an entity of
    /// the file, or a placeholder for one that is not.
    fn resolve(&mut self, dep: &Spanned<String>, ns: &str, from: usize) -> Option<Target> {
        let Some(r) = Ref::parse(&dep.value, None, ns) else {
            self.bad_ref(dep, "spec.dependsOn");
            return None;
        };
        let (rns, rname) = r.key();
        let found: Vec<usize> = match r.kind_lower() {
            Some(k) => self
                .index
                .get(&(k, rns.clone(), rname.clone()))
                .copied()
                .into_iter()
                .collect(),
            None => {
                let mut v: Vec<usize> = KINDS
                    .iter()
                    .filter_map(|k| {
                        self.index
                            .get(&(k.to_lowercase(), rns.clone(), rname.clone()))
                            .copied()
                    })
                    .collect();
                v.sort_unstable();
                v
            }
        };
        match found.as_slice() {
            [e] => return Some(Target::Entity(*e)),
            [] => {}
            several => {
                let kinds: Vec<String> =
                    several.iter().map(|&e| self.entities[e].r.full()).collect();
                self.errors.push(
                    Diagnostic::at(
                        self.src,
                        span(self.src.text, &dep.referenced),
                        format!(
                            "`{}` in `spec.dependsOn` could be any of: {}",
                            dep.value.trim(),
                            kinds.join(", ")
                        ),
                    )
                    .with_help(format!("name the kind, e.g. {}", kinds[0])),
                );
                return None;
            }
        }
        Some(Target::Placeholder(self.placeholder(
            r,
            dep.value.trim(),
            from,
        )))
    }

    /// The placeholder for `r`, made on first use. A reference without a
    /// kind shares the placeholder of one with a kind, and the other way
    /// round.
    fn placeholder(&mut self, r: Ref, written: &str, from: usize) -> usize {
        let key = r.key();
        let kind = r.kind_lower();
        // Only the placeholders of the same (namespace, name) are looked at:
        // thirty thousand unknown targets made a scan of all of them for
        // each reference quadratic.
        let same_key = self.placeholder_index.entry(key).or_default();
        let existing = same_key.iter().copied().find(|&i| {
            let p = &self.placeholders[i];
            p.r.kind.is_none() || kind.is_none() || p.r.kind_lower() == kind
        });
        let i = match existing {
            Some(i) => {
                if self.placeholders[i].r.kind.is_none() {
                    self.placeholders[i].r.kind = r.kind;
                }
                i
            }
            None => {
                same_key.push(self.placeholders.len());
                self.placeholders.push(Placeholder {
                    r,
                    written: written.to_string(),
                    referenced_by: Vec::new(),
                });
                self.placeholders.len() - 1
            }
        };
        // Entities are linked in order, so a repeat comes from the last one.
        let by = &mut self.placeholders[i].referenced_by;
        debug_assert!(by.last().is_none_or(|&l| l <= from));
        if by.last() != Some(&from) {
            by.push(from);
        }
        i
    }
}

/// Preferred ids: the entity name, qualified by kind (`resource-orders`)
/// where entities of one namespace share the name, and by namespace
/// (`legacy.orders`) where entities of other namespaces do, except in the
/// default namespace.
fn preferred_ids(refs: &[&Ref]) -> Vec<String> {
    let keys: Vec<(String, String)> = refs.iter().map(|r| r.key()).collect();
    // Counts, not lists to scan: thirty thousand entities of one name in
    // as many namespaces must not compare each with all the others.
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut by_key: HashMap<&(String, String), usize> = HashMap::new();
    for k in &keys {
        *by_name.entry(k.1.as_str()).or_default() += 1;
        *by_key.entry(k).or_default() += 1;
    }
    refs.iter()
        .enumerate()
        .map(|(i, r)| {
            let (ns, name) = &keys[i];
            let same_ns = by_key[&keys[i]];
            // Another entity of this name in this namespace (a kind apart).
            let need_kind = same_ns > 1;
            // The default namespace keeps bare names.
            let need_ns = ns != DEFAULT_NS && by_name[name.as_str()] > same_ns;
            let mut id = String::new();
            if need_kind {
                id.push_str(&r.kind_lower().unwrap_or_else(|| "entity".into()));
                id.push('-');
            }
            if need_ns {
                id.push_str(&r.namespace);
                id.push('.');
            }
            id.push_str(&r.name);
            id
        })
        .collect()
}

fn draft(
    name: &str,
    entities: &[Entity],
    placeholders: &[Placeholder],
    links: Vec<Links>,
    skipped: &BTreeMap<String, usize>,
) -> Draft {
    let refs: Vec<&Ref> = entities
        .iter()
        .map(|e| &e.r)
        .chain(placeholders.iter().map(|p| &p.r))
        .collect();
    let preferred = preferred_ids(&refs);
    let mut alloc = IdAllocator::default();
    for p in &preferred {
        alloc.reserve(p);
    }
    let ids: Vec<String> = preferred.iter().map(|p| alloc.allocate(p)).collect();
    let id_of = |t: &Target| match *t {
        Target::Entity(e) => ids[e].clone(),
        Target::Placeholder(p) => ids[entities.len() + p].clone(),
    };
    let mut services = Vec::with_capacity(refs.len());
    let (mut requires, mut wants, mut dropped) = (0, 0, 0);
    for ((i, e), l) in entities.iter().enumerate().zip(links) {
        let spec = e.spec.as_ref();
        let lifecycle = spec.and_then(|s| s.lifecycle.as_deref()).map(str::trim);
        let mut head = e.r.full();
        if let Some(lc) = lifecycle {
            head.push_str(&format!(", lifecycle {lc}"));
        }
        let mut notes = vec![head];
        notes.extend(e.description.iter().cloned());
        dropped += l.notes.iter().filter(|n| n.starts_with("dropped")).count();
        notes.extend(l.notes);
        let mut s = DraftService {
            id: ids[i].clone(),
            name: Some(e.title.clone().unwrap_or_else(|| e.r.name.clone())),
            kind: Some(
                spec.and_then(|s| s.type_.as_deref())
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map_or_else(|| e.r.kind_lower().unwrap_or_default(), str::to_string),
            ),
            team: spec
                .and_then(|s| s.owner.as_deref())
                .and_then(|o| Ref::parse(o, Some("Group"), &e.r.namespace))
                .map(|o| o.name),
            criticality: match lifecycle.map(str::to_lowercase).as_deref() {
                Some("production") => Some("high"),
                Some("experimental") => Some("low"),
                _ => None,
            },
            notes,
            ..DraftService::default()
        };
        for t in &l.requires {
            s.require(&id_of(t));
        }
        for t in &l.wants {
            s.want(&id_of(t));
        }
        requires += s.requires.len();
        wants += s.wants.len();
        services.push(s);
    }
    for (i, p) in placeholders.iter().enumerate() {
        let by: Vec<String> = p
            .referenced_by
            .iter()
            .map(|&e| format!("`{}`", ids[e]))
            .collect();
        services.push(DraftService {
            id: ids[entities.len() + i].clone(),
            name: Some(p.written.clone()),
            kind: p.r.kind_lower(),
            notes: vec![format!(
                "PLACEHOLDER: {} is not a Component, Resource or System in {name}; needed by {}. Fill it in, or import its catalog file together with this one.",
                p.r.full(),
                by.join(", ")
            )],
            ..DraftService::default()
        });
    }
    let mut imported = vec![
        format!(
            "Imported by `blastradius import backstage` from {name}: {} from the Component, Resource and System entities of a Backstage catalog{}, with {} and {}.",
            plural(entities.len(), "service", "services"),
            if placeholders.is_empty() {
                String::new()
            } else {
                format!(
                    ", and {}",
                    plural(placeholders.len(), "placeholder", "placeholders")
                )
            },
            plural(requires, "`requires`", "`requires`"),
            plural(wants, "`wants`", "`wants`"),
        ),
        "Mapping: spec.dependsOn -> requires. A System requires each Component and Resource whose spec.system names it (it is up only when all its parts are: turn into `wants` the parts it can do without). spec.consumesApis -> wants on each entity whose spec.providesApis lists that API. spec.owner -> team; spec.type -> kind (the entity kind when there is no type); metadata.title -> name. spec.lifecycle: production -> criticality high, experimental -> low, others (deprecated...) -> the default, medium.".to_string(),
        "References (kind:namespace/name) default to the referring entity's namespace; one without a kind matches a Component, Resource or System of that name. Ids are entity names, prefixed with the kind and/or namespace where names clash.".to_string(),
    ];
    if !placeholders.is_empty() {
        imported.push(format!(
            "{} name entities that are not in this file: each became a PLACEHOLDER service (see below) so no dependency is lost. Fill them in, or import all catalog files at once (join them with `---` lines).",
            plural(placeholders.len(), "reference", "references")
        ));
    }
    if dropped > 0 {
        imported.push(format!(
            "Dropped {} (self-dependencies, APIs nobody here provides): each is noted above its service.",
            plural(dropped, "reference", "references")
        ));
    }
    if !skipped.is_empty() {
        imported.push(format!(
            "Not imported (not services): {}. Location targets are not followed.",
            skipped_list(skipped)
        ));
    }
    let systems: Vec<&Entity> = entities
        .iter()
        .filter(|e| e.r.kind.as_deref() == Some("System"))
        .collect();
    let topology_name = match systems.as_slice() {
        [one] => one.r.name.clone(),
        _ => stem(name),
    };
    Draft {
        topology_name,
        description: format!("Imported from {name} (Backstage catalog)"),
        imported,
        services,
    }
}

fn skipped_list(skipped: &BTreeMap<String, usize>) -> String {
    skipped
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The byte range of a located YAML node, from its byte offset when the
/// parser knows it, else from its line and (character) column.
fn span(text: &str, loc: &Location) -> Range<usize> {
    let sp = loc.span();
    if let (Some(off), Some(len)) = (sp.byte_offset(), sp.byte_len())
        && let (Ok(off), Ok(len)) = (usize::try_from(off), usize::try_from(len))
        && off <= text.len()
    {
        return off..off.saturating_add(len).min(text.len());
    }
    let line = usize::try_from(loc.line()).unwrap_or(0).max(1);
    let line_start = if line == 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let col = usize::try_from(loc.column()).unwrap_or(0).max(1);
    let start = text[line_start..]
        .char_indices()
        .nth(col - 1)
        .map_or(text.len(), |(i, _)| line_start + i);
    start..start
}

/// What an operator should read for the YAML errors whose library message
/// speaks of the library ("budget breached: Documents { documents: 100001 }",
/// "set DuplicateKeyPolicy in Options"), with advice; `None` for the rest.
fn plain_yaml_error(e: &serde_saphyr::Error) -> Option<(String, &'static str)> {
    use serde_saphyr::budget::BudgetBreach as B;
    match e {
        // An error met while replaying an alias: the cause is inside.
        serde_saphyr::Error::AliasError { error, .. } => plain_yaml_error(error),
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => Some((
            match key {
                Some(k) => format!("the key `{k}` appears twice in one mapping"),
                None => "a key appears twice in one mapping".to_string(),
            },
            "YAML takes each key once per mapping: remove or rename one of them",
        )),
        serde_saphyr::Error::Budget { breach, .. } => Some(match breach {
            B::Depth { depth } => (
                format!("the YAML is nested {depth} levels deep, more than a catalog can be"),
                "a catalog entity is a few levels deep; check the indentation",
            ),
            B::Aliases { .. } | B::Anchors { .. } | B::AliasAnchorRatio { .. } => (
                "the YAML uses too many anchors and aliases (`&name`, `*name`)".to_string(),
                "write the entities out: aliases that expand without limit are refused",
            ),
            _ => (
                "the YAML expands to far more than its size (through aliases) and is refused"
                    .to_string(),
                "write the entities out instead of repeating them with aliases",
            ),
        }),
        _ => None,
    }
}

/// serde-saphyr's error as our diagnostic (its message without the
/// "at line L, column C" that our rendering shows anyway).
fn yaml_error(src: &Source<'_>, e: &serde_saphyr::Error) -> Diagnostics {
    let plain = plain_yaml_error(e);
    let message = match &plain {
        Some((m, _)) => m.clone(),
        None => e.to_string(),
    };
    let (message, at) = match e.location() {
        Some(loc) => {
            let suffix = format!(" at line {}, column {}", loc.line(), loc.column());
            let m = message
                .strip_suffix(&suffix)
                .unwrap_or(&message)
                .to_string();
            (m, Some(span(src.text, &loc)))
        }
        None => (message, None),
    };
    let message = message.lines().next().unwrap_or("invalid YAML").to_string();
    let d = match at {
        Some(at) => Diagnostic::at(src, at, message),
        None => Diagnostic::whole_file(src.name, message),
    };
    d.with_help(plain.map_or(
        "a Backstage catalog is YAML, one entity per document (separated by `---`), each with apiVersion, kind, metadata.name and spec",
        |(_, help)| help,
    ))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entity_refs() {
        let r = Ref::parse("resource:default/orders-db", None, "x").unwrap();
        assert_eq!(r.kind.as_deref(), Some("resource"));
        assert_eq!(
            (r.namespace.as_str(), r.name.as_str()),
            ("default", "orders-db")
        );
        let r = Ref::parse("component:payments", None, "shop").unwrap();
        assert_eq!(
            (r.namespace.as_str(), r.name.as_str()),
            ("shop", "payments")
        );
        let r = Ref::parse("team-a", Some("Group"), "default").unwrap();
        assert_eq!(r.kind.as_deref(), Some("Group"));
        assert_eq!(r.name, "team-a");
        for bad in ["", "component:", ":x", "ns/", "/x"] {
            assert!(Ref::parse(bad, None, "default").is_none(), "{bad}");
        }
    }

    #[test]
    fn qualifies_only_clashing_names() {
        let r = |s: &str| Ref::parse(s, None, "default").unwrap();
        let refs = [
            r("component:default/orders"),
            r("resource:default/orders"),
            r("component:shop/cart"),
            r("component:default/cart"),
            r("system:default/web"),
        ];
        let refs: Vec<&Ref> = refs.iter().collect();
        assert_eq!(
            preferred_ids(&refs),
            [
                "component-orders",
                "resource-orders",
                "shop.cart",
                "cart",
                "web"
            ]
        );
    }

    #[test]
    fn spans_fall_back_to_line_and_column() {
        let text = "a: 1\nbé: [\n";
        let r: Result<Vec<Doc>, _> = serde_saphyr::from_multiple(text);
        let e = r.err().expect("invalid");
        let d = yaml_error(&Source::new("c.yaml", text), &e);
        assert!(d.0[0].line >= 1, "{d}");
        assert!(!d.0[0].message.contains(" at line "), "{d}");
    }
}
