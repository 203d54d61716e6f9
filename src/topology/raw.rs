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
    pub services: Entries<'t, RawService<'t>>,
    #[serde(default)]
    pub groups: Entries<'t, RawGroup<'t>>,
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
    pub requires: Vec<Spanned<Str<'t>>>,
    #[serde(default)]
    pub wants: Vec<Spanned<Str<'t>>>,
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

/// One entry of a table: its id and its value, each with its span.
pub(super) type Entry<'t, T> = (Spanned<Str<'t>>, Spanned<Box<T>>);

/// A table of id -> entry, in the order `toml` gives (sorted by id), with
/// the span of each key. Entries are boxed so that sorting and growing a
/// list of 100,000 of them moves pointers, not whole structs.
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
                    let v = map.next_value::<Spanned<Box<T>>>()?;
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}
