//! Selectors: `KEY=VALUE` pairs joined by `,`, all of which must match
//! (DESIGN.md, "Selectors"). KEY is a label key or one of the built-in keys
//! `id`, `kind`, `team`, `zone`, `host` (the direct host) and `group`
//! (member of that group); a built-in key wins over a label of the same
//! name. VALUE may use `*` as a wildcard. A service without the field never
//! matches.

use crate::topology::{NodeId, Service, Topology};

/// What to write, shown with every selector error.
pub const HELP: &str = "a selector is KEY=VALUE pairs joined by `,`, all of which must match: KEY is a label key or one of id, kind, team, zone, host, group; VALUE may use * as a wildcard (e.g. os=ubuntu-22.04,zone=az-b)";

/// The keys that are fields of a service rather than labels.
const BUILT_IN: [&str; 6] = ["id", "kind", "team", "zone", "host", "group"];

/// A parsed selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector<'s> {
    pairs: Vec<(&'s str, &'s str)>,
}

/// Parses `text` as a selector.
///
/// # Errors
/// What is wrong with it, in words.
pub fn parse(text: &str) -> Result<Selector<'_>, String> {
    let mut pairs = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let Some((k, v)) = part.split_once('=') else {
            return Err(if part.is_empty() {
                "an empty pair (two commas, or a comma at an end)".to_string()
            } else {
                format!("`{}` has no `=`", crate::text::inert(part))
            });
        };
        let (k, v) = (k.trim(), v.trim());
        if !crate::topology::valid_label_key(k) {
            return Err(format!(
                "`{}` is not a key (letters, digits, `.`, `_`, `/`, `-`)",
                crate::text::inert(k)
            ));
        }
        if v.is_empty() {
            return Err(format!("`{k}=` has no value (use `{k}=*` for any value)"));
        }
        if v.contains('=') {
            return Err(format!("`{}` has two `=`", crate::text::inert(part)));
        }
        pairs.push((k, v));
    }
    Ok(Selector { pairs })
}

/// True when `text` matches `pattern`, where `*` stands for any run of
/// characters (none included).
///
/// # Complexity
/// O(len(text) · pieces) at worst: each piece between stars is searched
/// once, left to right, and the first place it fits is the best.
pub fn glob(pattern: &str, text: &str) -> bool {
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        // No star: the whole text.
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

impl Selector<'_> {
    /// The services it matches, in topology order.
    ///
    /// # Complexity
    /// O(services · pairs), plus the groups' memberships for `group=`.
    pub fn matching(&self, topo: &Topology) -> Vec<NodeId> {
        (0..topo.services().len())
            .map(|i| topo.service_id(i))
            .filter(|&id| self.matches(topo, id))
            .collect()
    }

    /// True when every pair matches service `id`.
    pub fn matches(&self, topo: &Topology, id: NodeId) -> bool {
        let Some(s) = topo.as_service(id) else {
            return false;
        };
        self.pairs
            .iter()
            .all(|&(k, v)| pair_matches(topo, id, s, k, v))
    }

    /// Why a selector that matches nothing matched nothing: which pair
    /// no service meets, and the values that exist for its key.
    pub fn why_nothing(&self, topo: &Topology) -> String {
        for &(k, v) in &self.pairs {
            let any = (0..topo.services().len()).any(|i| {
                let id = topo.service_id(i);
                pair_matches(topo, id, &topo.services()[i], k, v)
            });
            if !any {
                let mut seen: Vec<String> = Vec::new();
                for i in 0..topo.services().len() {
                    let id = topo.service_id(i);
                    for value in values(topo, id, &topo.services()[i], k) {
                        if !seen.iter().any(|x| x == value) {
                            seen.push(value.to_string());
                        }
                    }
                    if seen.len() > 8 {
                        break;
                    }
                }
                return if seen.is_empty() {
                    format!(
                        "no service has `{k}`{}",
                        if BUILT_IN.contains(&k) {
                            String::new()
                        } else {
                            " (not a built-in key; no service has such a label)".to_string()
                        }
                    )
                } else {
                    seen.sort();
                    let shown: Vec<String> = seen
                        .iter()
                        .take(8)
                        .map(|s| crate::text::inert(s).into_owned())
                        .collect();
                    format!(
                        "no service has {k}={v}; values of `{k}` in this topology include {}",
                        shown.join(", ")
                    )
                };
            }
        }
        "each pair matches some service, but no service matches them all".to_string()
    }
}

/// The values a service has for key `k` (several for `group`).
fn values<'t>(topo: &'t Topology, id: NodeId, s: &'t Service, k: &str) -> Vec<&'t str> {
    let one = |o: Option<&'t str>| o.into_iter().collect::<Vec<_>>();
    match k {
        "id" => vec![s.id.as_str()],
        "kind" => one(s.kind.as_deref()),
        "team" => one(s.team.as_deref()),
        "zone" => one(s.zone.as_deref()),
        "host" => one(s.host.map(|h| topo.id(h))),
        "group" => topo.groups_of(id).iter().map(|&g| topo.id(g)).collect(),
        label => one(s.label(label)),
    }
}

fn pair_matches(topo: &Topology, id: NodeId, s: &Service, k: &str, v: &str) -> bool {
    match k {
        "group" => topo.groups_of(id).iter().any(|&g| glob(v, topo.id(g))),
        _ => values(topo, id, s, k).iter().any(|x| glob(v, x)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_stars_anywhere() {
        assert!(glob("ubuntu-22.04", "ubuntu-22.04"));
        assert!(!glob("ubuntu-22.04", "ubuntu-22.04.1"));
        assert!(glob("ubuntu-*", "ubuntu-22.04"));
        assert!(glob("*", ""));
        assert!(glob("*04", "ubuntu-22.04"));
        assert!(glob("u*2*4", "ubuntu-22.04"));
        assert!(!glob("u*x*4", "ubuntu-22.04"));
        assert!(glob("a*a", "aa"));
        assert!(!glob("a*a", "a"));
        assert!(glob("**", "x"));
    }

    #[test]
    fn parse_rejects_malformed_pairs() {
        assert!(parse("os=ubuntu,zone=az-b").is_ok());
        assert!(parse("os").is_err());
        assert!(parse("os=").is_err());
        assert!(parse("=x").is_err());
        assert!(parse("a=b,,c=d").is_err());
        assert!(parse("a b=c").is_err());
        assert!(parse("a=b=c").is_err());
        assert!(parse("kubernetes.io/os=linux").is_ok());
    }
}
