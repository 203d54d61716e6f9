//! serde structs that mirror the topology file, with source spans kept for
//! the semantic checks in `load.rs`. Nothing here is trusted yet.

use super::{Criticality, Failover, Mode, State};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;
use toml::Spanned;

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub topology: Option<Spanned<RawHeader>>,
    #[serde(default)]
    pub services: Entries<RawService>,
    #[serde(default)]
    pub groups: Entries<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeader {
    pub name: Option<Spanned<String>>,
    pub description: Option<String>,
    pub failover_test_max_age_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawService {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub team: Option<String>,
    pub oncall: Option<String>,
    pub criticality: Option<Criticality>,
    pub users: Option<Spanned<f64>>,
    pub state: Option<State>,
    pub zone: Option<String>,
    pub monitored: Option<bool>,
    pub recovery: Option<bool>,
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    #[serde(default)]
    pub wants: Vec<Spanned<String>>,
    pub probe: Option<Spanned<String>>,
    pub runbook: Option<String>,
    pub boot: Option<RawBoot>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBoot {
    pub autostart: Option<bool>,
    pub minutes: Option<Spanned<i64>>,
    #[serde(default)]
    pub volumes: Vec<RawVolume>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVolume {
    pub path: Spanned<String>,
    pub automount: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    pub members: Spanned<Vec<Spanned<String>>>,
    pub mode: Option<Mode>,
    pub min_up: Option<Spanned<i64>>,
    pub failover: Option<Failover>,
    /// A `toml::Value` rather than a date so that a quoted date or a
    /// datetime gets our own message saying how to write it.
    pub last_tested: Option<Spanned<toml::Value>>,
}

/// A table of id -> entry, kept in file order with the span of each key.
pub(super) struct Entries<T>(pub Vec<(Spanned<String>, Spanned<T>)>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of ids, e.g. [services.web] or [groups.web-pool]")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(k) = map.next_key::<Spanned<String>>()? {
                    let v = map.next_value::<Spanned<T>>()?;
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}
