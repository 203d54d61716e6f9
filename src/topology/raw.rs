//! serde structs that mirror the topology file, with source spans kept for
//! the semantic checks in `load.rs`. Nothing here is trusted yet.
//!
//! Strings are [`Str`]: borrowed from the file's text when the direct reader
//! (`load/fast.rs`) produced them, owned when `toml` did. A 100,000-service
//! file holds about half a million strings, most of them references that
//! are resolved to node ids and dropped, so not copying them matters.

use super::{Criticality, Failover, Mode, State};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use toml::Spanned;

/// A string of the file.
pub(super) type Str<'t> = Cow<'t, str>;

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile<'t> {
    pub topology: Option<Spanned<RawHeader<'t>>>,
    #[serde(default)]
    pub services: Entries<'t, ServiceEntry<'t>>,
    #[serde(default)]
    pub groups: Entries<'t, Box<RawGroup<'t>>>,
    pub live: Option<Spanned<RawLive<'t>>>,
}

/// `[live]`: where `--live` reads the estate's current state.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLive<'t> {
    pub prometheus: Option<Spanned<Str<'t>>>,
    pub alertmanager: Option<Spanned<Str<'t>>>,
    pub label: Option<Spanned<Str<'t>>>,
    pub timeout_ms: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeader<'t> {
    pub name: Option<Spanned<Str<'t>>>,
    pub description: Option<Str<'t>>,
    pub failover_test_max_age_days: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawService<'t> {
    pub name: Option<Str<'t>>,
    pub kind: Option<Str<'t>>,
    pub team: Option<Str<'t>>,
    pub oncall: Option<Str<'t>>,
    pub criticality: Option<Criticality>,
    pub users: Option<Spanned<f64>>,
    pub state: Option<State>,
    pub zone: Option<Str<'t>>,
    pub monitored: Option<bool>,
    pub recovery: Option<bool>,
    #[serde(default)]
    pub requires: Refs<'t>,
    #[serde(default)]
    pub wants: Refs<'t>,
    pub probe: Option<Spanned<Str<'t>>>,
    pub runbook: Option<Str<'t>>,
    pub host: Option<Spanned<Str<'t>>>,
    /// `key = "value"` pairs for selectors, in file order.
    pub labels: Option<Spanned<Entries<'t, Str<'t>>>>,
    pub boot: Option<RawBoot<'t>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBoot<'t> {
    pub autostart: Option<bool>,
    pub minutes: Option<Spanned<i64>>,
    #[serde(default)]
    pub volumes: Vec<RawVolume<'t>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVolume<'t> {
    pub path: Spanned<Str<'t>>,
    pub automount: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup<'t> {
    pub members: Spanned<Vec<Spanned<Str<'t>>>>,
    pub mode: Option<Mode>,
    pub min_up: Option<Spanned<i64>>,
    pub failover: Option<Failover>,
    /// A `toml::Value` rather than a date so that a quoted date or a
    /// datetime gets our own message saying how to write it.
    pub last_tested: Option<Spanned<toml::Value>>,
}

/// A service's table: as `toml` read it, or, from the direct reader, the
/// place of its text (its `[services.ID]` table and `[services.ID.boot]`
/// after it), which the reader reads again, one service at a time, when the
/// service is checked. A million services read into structs at once held
/// half a gigabyte that was thrown away a moment later.
pub(super) enum ServiceEntry<'t> {
    Parsed(Box<RawService<'t>>),
    Text(std::ops::Range<usize>),
}

impl<'de, 't> Deserialize<'de> for ServiceEntry<'t> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawService::deserialize(d).map(|s| ServiceEntry::Parsed(Box::new(s)))
    }
}

/// A list of ids (`requires`, `wants`), each with its span.
///
/// The direct reader does not build it: it checks the array and keeps its
/// text, which [`Refs::iter`] reads again when the ids are resolved. A
/// million-service file has millions of references, and a vector of them
/// for every service was the largest thing a load held (half a gigabyte).
pub(super) enum Refs<'t> {
    /// Read by `toml`.
    Parsed(Vec<Spanned<Str<'t>>>),
    /// The array's text, from `[` to `]`, at `at` in the file: an array of
    /// one-line strings without escapes (commas, blanks, line breaks and
    /// comments between them), as the direct reader checked.
    Text { text: &'t str, at: usize },
}

impl Default for Refs<'_> {
    fn default() -> Self {
        Refs::Parsed(Vec::new())
    }
}

impl<'de, 't> Deserialize<'de> for Refs<'t> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Spanned<String>>::deserialize(d).map(|v| {
            Refs::Parsed(
                v.into_iter()
                    .map(|s| Spanned::new(s.span(), Cow::Owned(s.into_inner())))
                    .collect(),
            )
        })
    }
}

/// One id of a [`Refs`]: the id and its span (with its quotes, as `toml`
/// gives spans of strings).
pub(super) struct Ref<'a> {
    pub id: &'a str,
    pub span: std::ops::Range<usize>,
}

impl<'t> Refs<'t> {
    /// The ids in file order.
    pub fn iter(&self) -> impl Iterator<Item = Ref<'_>> + '_ {
        let (parsed, text, at) = match self {
            Refs::Parsed(v) => (v.as_slice(), "", 0),
            Refs::Text { text, at } => (&[][..], *text, *at),
        };
        let parsed = parsed.iter().map(|r| Ref {
            id: r.get_ref(),
            span: r.span(),
        });
        let b = text.as_bytes();
        let mut i = 0;
        let lazy = std::iter::from_fn(move || {
            while i < b.len() {
                match b[i] {
                    b'#' => {
                        while i < b.len() && b[i] != b'\n' {
                            i += 1;
                        }
                    }
                    q @ (b'"' | b'\'') => {
                        let start = i;
                        i += 1;
                        while b[i] != q {
                            i += 1;
                        }
                        i += 1;
                        return Some(Ref {
                            id: &text[start + 1..i - 1],
                            span: at + start..at + i,
                        });
                    }
                    _ => i += 1,
                }
            }
            None
        });
        parsed.chain(lazy)
    }
}

/// One entry of a table: its id and its value, each with its span.
pub(super) type Entry<'t, T> = (Spanned<Str<'t>>, Spanned<T>);

/// A table of id -> entry, in the order `toml` gives (sorted by id), with
/// the span of each key. Large entries are boxed (or, for services, kept as
/// text) so that sorting and growing a list of a million of them moves
/// small things, not whole structs.
pub(super) struct Entries<'t, T>(pub Vec<Entry<'t, T>>);

impl<T> Default for Entries<'_, T> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, 't, T: Deserialize<'de>> Deserialize<'de> for Entries<'t, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'t, T>(PhantomData<(&'t (), T)>);
        impl<'de, 't, T: Deserialize<'de>> Visitor<'de> for V<'t, T> {
            type Value = Entries<'t, T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of ids, e.g. [services.web] or [groups.web-pool]")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(k) = map.next_key::<Spanned<String>>()? {
                    let k = Spanned::new(k.span(), Cow::Owned(k.into_inner()));
                    let v = map.next_value::<Spanned<T>>()?;
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}
