//! Checklist rules: data, not code. The defaults are `assets/rules.toml`,
//! compiled in; a user file can add rules or override them by id.

use crate::analysis::FindingKind;
use crate::diag::{Diagnostic, Diagnostics, Source, did_you_mean};
use serde::Deserialize;
use toml::Spanned;

/// When in the change an item is done.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Before,
    During,
    After,
}

impl Phase {
    /// The word used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::During => "during",
            Phase::After => "after",
        }
    }
}

/// What a rule makes one item for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once for a plan with at least one change.
    Plan,
    /// Each service the plan reboots or updates.
    PlannedService,
    /// Each group with a rebooted or updated member.
    ChangedGroup,
    /// Each team owning a service that is changed or ends not ok.
    ImpactedTeam,
    /// Each entry point (`users` set) that ends not ok.
    EntryPoint,
    /// Each volume of a rebooted or updated service.
    Volume,
    /// Each finding of a kind.
    Finding(FindingKind),
}

impl Scope {
    fn parse(s: &str) -> Option<Scope> {
        Some(match s {
            "plan" => Scope::Plan,
            "planned-service" => Scope::PlannedService,
            "changed-group" => Scope::ChangedGroup,
            "impacted-team" => Scope::ImpactedTeam,
            "entry-point" => Scope::EntryPoint,
            "volume" => Scope::Volume,
            _ => Scope::Finding(FindingKind::parse(s.strip_prefix("finding:")?)?),
        })
    }

    /// Every value `for` accepts, for messages.
    fn names() -> Vec<String> {
        let mut v: Vec<String> = [
            "plan",
            "planned-service",
            "changed-group",
            "impacted-team",
            "entry-point",
            "volume",
        ]
        .map(String::from)
        .to_vec();
        v.extend(
            FindingKind::ALL
                .iter()
                .map(|k| format!("finding:{}", k.as_str())),
        );
        v
    }

    /// The placeholders a template may use in this scope.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Scope::Plan => &[
                "topology",
                "title",
                "services",
                "silence",
                "keep_loud",
                "window",
            ],
            Scope::PlannedService => &[
                "topology",
                "id",
                "name",
                "kind",
                "team",
                "oncall",
                "action",
                "dependents",
                "groups",
                "peers",
                "probe",
                "runbook",
                "minutes",
            ],
            Scope::ChangedGroup => &[
                "topology", "id", "members", "changed", "peers", "min_up", "team", "oncall",
                "failover", "mode",
            ],
            Scope::ImpactedTeam => &["topology", "team", "oncall", "services"],
            Scope::EntryPoint => &[
                "topology", "id", "name", "team", "oncall", "users", "status",
            ],
            Scope::Volume => &["topology", "id", "path", "team", "oncall", "automount"],
            Scope::Finding(_) => &[
                "topology", "id", "subjects", "others", "message", "team", "oncall", "severity",
                "kind", "cause", "root", "lost",
            ],
        }
    }
}

/// One rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub phase: Phase,
    pub scope: Scope,
    /// For `planned-service` and `volume`: only these actions.
    pub actions: Vec<crate::plan::Action>,
    /// Only subjects for which this condition holds (see `Condition`).
    pub condition: Option<Condition>,
    pub text: String,
    pub why: String,
    pub owner: String,
    pub blocking: bool,
}

/// Extra filters a rule can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// The service is a member of some group.
    InGroup,
    /// The service is in no group.
    NoGroup,
    /// Something requires or wants the service.
    HasDependents,
    /// A member of the group (for a service: of one of its groups) that
    /// the plan does not change ends up: someone can take the traffic.
    PeerUp,
    /// The group fails over by itself to a member that stays up (for a
    /// service: each of its groups does): there is a failover to watch.
    AutomaticFailover,
}

impl Condition {
    fn parse(s: &str) -> Option<Condition> {
        Some(match s {
            "in-group" => Condition::InGroup,
            "no-group" => Condition::NoGroup,
            "has-dependents" => Condition::HasDependents,
            "peer-up" => Condition::PeerUp,
            "automatic-failover" => Condition::AutomaticFailover,
            _ => return None,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    phase: Option<Phase>,
    #[serde(rename = "for")]
    scope: Option<Spanned<String>>,
    #[serde(default)]
    actions: Vec<crate::plan::Action>,
    #[serde(rename = "if")]
    condition: Option<Spanned<String>>,
    text: Option<Spanned<String>>,
    why: Option<Spanned<String>>,
    owner: Option<Spanned<String>>,
    blocking: Option<bool>,
    /// `false` turns off a default rule of the same id.
    enabled: Option<bool>,
}

/// The compiled-in default rules.
pub const DEFAULT_RULES: &str = include_str!("../../assets/rules.toml");

/// A parsed rules file: complete rules, and ids to switch off.
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// The default rules.
    pub fn defaults() -> RuleSet {
        let rules = parse("assets/rules.toml (built in)", DEFAULT_RULES, &[])
            .expect("the built-in rules are valid (tested)");
        RuleSet { rules }
    }

    /// Adds or overrides rules from a user file. A rule with the id of an
    /// existing one replaces it field by field (fields it leaves out keep
    /// their current value); `enabled = false` removes it.
    ///
    /// # Errors
    /// Located diagnostics for bad TOML, unknown keys, an unknown `for`,
    /// `if` or placeholder, or a new rule missing a required field.
    pub fn extend_from(&mut self, name: &str, text: &str) -> Result<(), Diagnostics> {
        self.rules = parse(name, text, &self.rules)?;
        Ok(())
    }
}

fn parse(name: &str, text: &str, base: &[Rule]) -> Result<Vec<Rule>, Diagnostics> {
    let src = Source::new(name, text);
    let raw: RawRules = toml::from_str(text).map_err(|e| {
        crate::diag::from_toml(
            &src,
            &e,
            "a rules file is a list of [[rule]] tables with id, phase, for, text, why, owner, blocking",
        )
    })?;
    // Rules by id in a map, removed ones left as holes until the end: a
    // large rules file must not search the list once per rule.
    let mut rules: Vec<Option<Rule>> = base.iter().cloned().map(Some).collect();
    let mut by_id: std::collections::HashMap<String, usize> = base
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    let mut errors = Vec::new();
    for r in raw.rule {
        let id_span = r.id.span();
        let id = r.id.into_inner();
        // An item id is `RULE` or `RULE:SUBJECT`: a rule id with a `:`
        // could name another rule's item, and ticking one would tick both.
        if !valid_rule_id(&id) {
            errors.push(
                Diagnostic::at(
                    &src,
                    id_span,
                    if id.is_empty() {
                        "a rule has an empty `id`".to_string()
                    } else {
                        format!("invalid rule id `{id}`")
                    },
                )
                .with_help(
                    "a rule id uses only letters, digits, `.`, `_` and `-` (checklist items are `RULE:SUBJECT`); give a built-in rule's id to override it",
                ),
            );
            continue;
        }
        let existing = by_id.get(&id).copied();
        if r.enabled == Some(false) {
            if let Some(i) = existing {
                rules[i] = None;
                by_id.remove(&id);
            }
            continue;
        }
        let scope = match &r.scope {
            Some(s) => match Scope::parse(s.get_ref()) {
                Some(sc) => Some(sc),
                None => {
                    errors.push(
                        Diagnostic::at(
                            &src,
                            s.span(),
                            format!("unknown `for` value `{}`", s.get_ref()),
                        )
                        .with_help(did_you_mean(
                            s.get_ref(),
                            Scope::names().iter().map(String::as_str),
                            &format!("one of: {}", Scope::names().join(", ")),
                        )),
                    );
                    continue;
                }
            },
            None => None,
        };
        let condition = match &r.condition {
            Some(c) => match Condition::parse(c.get_ref()) {
                Some(x) => Some(x),
                None => {
                    errors.push(
                        Diagnostic::at(
                            &src,
                            c.span(),
                            format!("unknown `if` value `{}`", c.get_ref()),
                        )
                        .with_help("one of: in-group, no-group, has-dependents, peer-up, automatic-failover"),
                    );
                    continue;
                }
            },
            None => None,
        };
        let prior = existing.and_then(|i| rules[i].clone());
        let missing = |field: &str| {
            Diagnostic::at(
                &src,
                id_span.clone(),
                format!("rule `{id}` has no `{field}`"),
            )
            .with_help("a new rule needs id, phase, for, text, why and owner")
        };
        let Some(scope) = scope.or(prior.as_ref().map(|p| p.scope)) else {
            errors.push(missing("for"));
            continue;
        };
        let Some(phase) = r.phase.or(prior.as_ref().map(|p| p.phase)) else {
            errors.push(missing("phase"));
            continue;
        };
        let mut template = |field: &str, v: Option<Spanned<String>>, old: Option<String>| match v {
            Some(t) => {
                if let Some(d) = check_template(&src, &t, scope) {
                    errors.push(d);
                }
                Some(t.into_inner())
            }
            None if old.is_some() => old,
            None => {
                errors.push(missing(field));
                None
            }
        };
        let text = template("text", r.text, prior.as_ref().map(|p| p.text.clone()));
        let why = template("why", r.why, prior.as_ref().map(|p| p.why.clone()));
        let owner = template("owner", r.owner, prior.as_ref().map(|p| p.owner.clone()));
        let (Some(text), Some(why), Some(owner)) = (text, why, owner) else {
            continue;
        };
        let rule = Rule {
            id,
            phase,
            scope,
            actions: if r.actions.is_empty() {
                prior
                    .as_ref()
                    .map(|p| p.actions.clone())
                    .unwrap_or_default()
            } else {
                r.actions
            },
            condition: condition.or(prior.as_ref().and_then(|p| p.condition)),
            text,
            why,
            owner,
            blocking: r
                .blocking
                .or(prior.as_ref().map(|p| p.blocking))
                .unwrap_or(false),
        };
        match existing {
            Some(i) => rules[i] = Some(rule),
            None => {
                by_id.insert(rule.id.clone(), rules.len());
                rules.push(Some(rule));
            }
        }
    }
    if errors.is_empty() {
        Ok(rules.into_iter().flatten().collect())
    } else {
        Err(Diagnostics(errors))
    }
}

/// A rule id: `[a-zA-Z0-9._-]+`, as service ids.
fn valid_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Every `{name}` in a template must be a variable of the rule's scope.
fn check_template(src: &Source<'_>, t: &Spanned<String>, scope: Scope) -> Option<Diagnostic> {
    for name in placeholders(t.get_ref()) {
        if !scope.variables().contains(&name) {
            return Some(
                Diagnostic::at(
                    src,
                    t.span(),
                    format!("unknown placeholder `{{{name}}}` for this rule's `for`"),
                )
                .with_help(did_you_mean(
                    name,
                    scope.variables().iter().copied(),
                    &format!("available: {}", scope.variables().join(", ")),
                )),
            );
        }
    }
    None
}

/// The names of `{name}` placeholders; `{{` and `}}` are literal braces.
fn placeholders(t: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        if rest[i..].starts_with("{{") {
            rest = &rest[i + 2..];
            continue;
        }
        match rest[i + 1..].find('}') {
            Some(j) => {
                out.push(&rest[i + 1..i + 1 + j]);
                rest = &rest[i + 2 + j..];
            }
            None => break,
        }
    }
    out
}

/// Fills a template's placeholders from `vars`.
pub(super) fn render(t: &str, vars: &dyn Fn(&str, &mut String)) -> String {
    let mut out = String::with_capacity(t.len() + 32);
    let mut rest = t;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
        } else if let (true, Some(j)) = (tail.starts_with('{'), tail.find('}')) {
            vars(&tail[1..j], &mut out);
            rest = &tail[j + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_parse() {
        let r = RuleSet::defaults();
        assert!(r.rules.len() >= 15);
    }

    #[test]
    fn placeholders_and_render() {
        assert_eq!(placeholders("a {id} b {{x}} {team}"), vec!["id", "team"]);
        let out = render("a {id} {{lit}} {x", &|n, out| {
            out.push_str(&format!("<{n}>"))
        });
        assert_eq!(out, "a <id> {lit} {x");
    }

    #[test]
    fn user_rule_overrides_and_disables() {
        let mut r = RuleSet::defaults();
        let before = r.rules.len();
        r.extend_from(
            "u.toml",
            "[[rule]]\nid = \"record-outcome\"\nenabled = false\n\n[[rule]]\nid = \"drain\"\nblocking = false\n",
        )
        .unwrap();
        assert_eq!(r.rules.len(), before - 1);
        assert!(!r.rules.iter().find(|x| x.id == "drain").unwrap().blocking);
    }

    #[test]
    fn bad_placeholder_is_located_with_suggestion() {
        let mut r = RuleSet::defaults();
        let err = r
            .extend_from(
                "u.toml",
                "[[rule]]\nid = \"x\"\nphase = \"before\"\nfor = \"planned-service\"\ntext = \"Call {tema}\"\nwhy = \"w\"\nowner = \"o\"\n",
            )
            .unwrap_err();
        assert_eq!(err.0[0].line, 5);
        assert_eq!(err.0[0].help.as_deref(), Some("did you mean `team`?"));
    }

    #[test]
    fn empty_rule_id_is_rejected() {
        let err = RuleSet::defaults()
            .extend_from("u.toml", "[[rule]]\nid = \"\"\nphase = \"before\"\nfor = \"plan\"\ntext = \"t\"\nwhy = \"w\"\nowner = \"o\"\n")
            .unwrap_err();
        assert_eq!(err.0[0].line, 2);
        assert!(err.0[0].message.contains("empty `id`"), "{:?}", err.0[0]);
    }

    #[test]
    fn rule_id_that_names_another_rules_item_is_rejected() {
        // `drain:web` is the id of the built-in `drain` item for `web`.
        let err = RuleSet::defaults()
            .extend_from("u.toml", "[[rule]]\nid = \"drain:web\"\nphase = \"before\"\nfor = \"plan\"\ntext = \"t\"\nwhy = \"w\"\nowner = \"o\"\n")
            .unwrap_err();
        assert!(
            err.0[0].message.contains("invalid rule id `drain:web`"),
            "{:?}",
            err.0[0]
        );
    }

    #[test]
    fn user_rule_with_a_built_in_id_overrides_it_in_place() {
        let mut r = RuleSet::defaults();
        let at = r.rules.iter().position(|x| x.id == "drain").unwrap();
        let before = r.rules.len();
        r.extend_from(
            "u.toml",
            "[[rule]]\nid = \"drain\"\ntext = \"Drain {id} now\"\n",
        )
        .unwrap();
        assert_eq!(r.rules.len(), before, "replaced, not added");
        assert_eq!(r.rules[at].id, "drain");
        assert_eq!(r.rules[at].text, "Drain {id} now");
    }
}
