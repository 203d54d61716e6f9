//! Alertmanager's matcher semantics, for the silence audit.
//!
//! As Alertmanager's own `pkg/labels` reads them: `=` and `!=` compare
//! strings; `=~` and `!~` match a Go RE2 regex anchored at both ends
//! (`^(?:re)$`); a label the alert does not carry is the empty string; a
//! silence mutes an alert when every one of its matchers matches. Regexes
//! go to `regex-lite`, whose ASCII-only `\d`, `\w`, `\s` and `\b`, and `.`
//! over any character but `\n`, are Go's. A regex it cannot read (Go's
//! Unicode classes such as `\pL`) is taken to match every id: the audit
//! errs on the side of the loud.

use super::{MatchOp, Silence};
use regex_lite::Regex;

/// One matcher on the service label, ready to test ids.
enum Test<'s> {
    Equal(&'s str),
    NotEqual(&'s str),
    Regex(Regex),
    NotRegex(Regex),
    /// A regex that does not compile here: assumed to match.
    Unknown,
}

impl Test<'_> {
    fn accepts(&self, id: &str) -> bool {
        match self {
            Test::Equal(v) => id == *v,
            Test::NotEqual(v) => id != *v,
            Test::Regex(r) => r.is_match(id),
            Test::NotRegex(r) => !r.is_match(id),
            Test::Unknown => true,
        }
    }
}

/// The matchers of `s` on `label`, each compiled once.
fn compile<'s>(s: &'s Silence, label: &str) -> Vec<Test<'s>> {
    let anchored = |v: &str| Regex::new(&format!("^(?:{v})$")).ok();
    s.matchers
        .iter()
        .filter(|m| m.name == label)
        .map(|m| match m.op {
            MatchOp::Equal => Test::Equal(&m.value),
            MatchOp::NotEqual => Test::NotEqual(&m.value),
            MatchOp::Regex => anchored(&m.value).map_or(Test::Unknown, Test::Regex),
            MatchOp::NotRegex => anchored(&m.value).map_or(Test::Unknown, Test::NotRegex),
        })
        .collect()
}

/// True when silence `s` mutes (some of) the alerts of `service_id`: every
/// matcher of `s` on `label` accepts the id. A silence with no matcher on
/// `label` mutes everything, as far as can be told; matchers on other
/// labels are assumed to match some of the service's alerts.
pub fn silence_mutes(s: &Silence, label: &str, service_id: &str) -> bool {
    compile(s, label).iter().all(|t| t.accepts(service_id))
}

/// The silences that mute services of `keep_loud`: for each such silence,
/// its index in `silences` and the ids it mutes, in `keep_loud` order.
///
/// # Complexity
/// O(silences × matchers on `label` × keep-loud ids) tests; each regex is
/// compiled once per silence, not once per id.
pub fn audit<'k>(
    silences: &[Silence],
    label: &str,
    keep_loud: &[&'k str],
) -> Vec<(usize, Vec<&'k str>)> {
    silences
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let tests = compile(s, label);
            let muted: Vec<&'k str> = keep_loud
                .iter()
                .copied()
                .filter(|id| tests.iter().all(|t| t.accepts(id)))
                .collect();
            (!muted.is_empty()).then_some((i, muted))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Matcher;
    use super::*;

    fn silence(matchers: &[(&str, MatchOp, &str)]) -> Silence {
        Silence {
            id: "s".into(),
            created_by: "me".into(),
            comment: "c".into(),
            matchers: matchers
                .iter()
                .map(|&(name, op, value)| Matcher {
                    name: name.into(),
                    op,
                    value: value.into(),
                })
                .collect(),
            starts_at: String::new(),
            ends_at: String::new(),
        }
    }

    use MatchOp::{Equal as Eq, NotEqual as Ne, NotRegex as Nre, Regex as Re};

    #[test]
    fn operators_as_alertmanager_reads_them() {
        let cases: &[(MatchOp, &str, &str, bool)] = &[
            (Eq, "db", "db", true),
            (Eq, "db", "db-2", false),
            (Ne, "db", "db", false),
            (Ne, "db", "web", true),
            // Anchored at both ends: no partial matches.
            (Re, "db", "db-primary", false),
            (Re, "db.*", "db-primary", true),
            (Re, "lb-primary|cache", "cache", true),
            (Re, "lb-primary|cache", "xcache", false),
            (Re, ".+", "anything", true),
            (Re, ".*", "", true),
            (Re, "(?i)DB", "db", true),
            (Re, "a$|b", "b", true),
            (Nre, "db.*", "db-primary", false),
            (Nre, "db.*", "web", true),
            (Nre, "db", "db-primary", true),
            // Go's \d and \w are ASCII.
            (Re, "\\d+", "١٢", false),
            (Re, "\\w+", "é", false),
            (Re, ".", "é", true),
        ];
        for &(op, value, id, expected) in cases {
            let s = silence(&[("service", op, value)]);
            assert_eq!(
                silence_mutes(&s, "service", id),
                expected,
                "{op:?} {value} {id}"
            );
        }
    }

    #[test]
    fn every_matcher_on_the_label_must_accept() {
        let s = silence(&[("service", Re, "db.*"), ("service", Ne, "db-2")]);
        assert!(silence_mutes(&s, "service", "db-1"));
        assert!(!silence_mutes(&s, "service", "db-2"));
        // Matchers on other labels may match some alert of the service.
        let s = silence(&[("alertname", Eq, "DiskFull"), ("service", Eq, "db")]);
        assert!(silence_mutes(&s, "service", "db"));
        assert!(!silence_mutes(&s, "service", "web"));
    }

    #[test]
    fn no_matcher_on_the_label_mutes_everything() {
        let s = silence(&[("alertname", Re, ".+")]);
        assert!(silence_mutes(&s, "service", "anything"));
        // ... unless the label is another one.
        assert!(!silence_mutes(&s, "alertname", ""));
    }

    #[test]
    fn an_unreadable_regex_is_loud() {
        let s = silence(&[("service", Re, "\\pL+")]);
        assert!(silence_mutes(&s, "service", "db"));
    }

    #[test]
    fn audit_names_the_muted_keep_loud_ids() {
        let silences = [
            silence(&[("service", Re, ".+")]),
            silence(&[("service", Eq, "lb-primary")]),
            silence(&[("service", Re, "cache|site-.*")]),
            silence(&[("service", Nre, "lb-.*|cache|site-.*")]),
        ];
        let keep = ["cache", "site-eu", "lb-secondary"];
        let a = audit(&silences, "service", &keep);
        assert_eq!(a, vec![(0, keep.to_vec()), (2, vec!["cache", "site-eu"])]);
    }
}
