//! A direct reader for the plain shape of topology files.
//!
//! Most of the cost of `toml::from_str` is not TOML but its generality: a
//! token vector, an event vector and a tree of spanned values are built for
//! the whole text before serde sees a field. This reader goes straight from
//! the text to the [`raw`](crate::topology::raw) structs, for the shape
//! people and generators actually write:
//!
//! * `[topology]`, `[services.ID]`, `[services.ID.boot]` right after its
//!   service, `[groups.ID]` and `[live]` headers with bare keys;
//! * `key = value` lines with bare keys, comments, blank lines;
//! * one-line strings without escapes, decimal integers, plain decimals,
//!   `true`/`false`, dates, arrays of strings (over several lines, with
//!   comments and a trailing comma), and one-line inline tables in
//!   `volumes`.
//!
//! Anything else, and anything wrong (an unknown or repeated key, a value of
//! the wrong type, a bad character), makes it give up with `None`: the
//! caller then parses the text with `toml`, which either accepts it (an
//! escape, a quoted key, a multi-line string...) or reports the error
//! exactly as it always did. So the reader needs to be right about what it
//! accepts, never about what is wrong; the tests hold it to `toml`'s answer
//! on generated, bundled and mutated documents.
//!
//! Spans are `toml`'s: a string's includes its quotes, a table's is its
//! header from `[` to `]`, an entry's key is the id in its header.

use crate::topology::raw::{
    Entries, RawBoot, RawFile, RawGroup, RawHeader, RawLive, RawService, RawVolume, Str,
};
use crate::topology::{Criticality, Failover, Mode, State};
use std::borrow::Cow;
use std::ops::Range;
use toml::Spanned;

/// Reads `text[range]` (a run of whole lines), with spans in `text`.
/// `None` when the piece is not of the plain shape or not valid: ask `toml`.
pub(super) fn parse(text: &str, range: Range<usize>) -> Option<RawFile<'_>> {
    let mut r = Reader {
        text,
        b: text.as_bytes(),
        i: range.start,
        end: range.end,
    };
    let mut file = RawFile {
        topology: None,
        services: Entries::default(),
        groups: Entries::default(),
        live: None,
    };
    let mut open = Open::Nothing;
    loop {
        r.skip_blank_lines()?;
        if r.i >= r.end {
            break;
        }
        if r.peek() == Some(b'[') {
            let (path, span, last) = r.header()?;
            open = match path {
                Path::Boot(id) => match open {
                    Open::Service(mut s)
                        if s.key.get_ref() == id && s.boot.is_none() && s.svc.boot.is_none() =>
                    {
                        s.boot = Some((RawBoot::default(), 0));
                        Open::Service(s)
                    }
                    _ => return None,
                },
                path => {
                    open.close(&mut file)?;
                    Open::new(path, span, last)
                }
            };
        } else {
            let key = r.bare_key()?;
            r.skip_ws();
            r.eat(b'=')?;
            r.skip_ws();
            open.set(&mut r, key)?;
            r.end_of_line()?;
        }
    }
    open.close(&mut file)?;
    Some(file)
}

/// What a header opens.
enum Path<'t> {
    Topology,
    Service(&'t str),
    Boot(&'t str),
    Group(&'t str),
    Live,
}

/// The table being filled, with a bit per key already set (a key given
/// twice is an error `toml` must report).
enum Open<'t> {
    Nothing,
    Topology(Spanned<RawHeader<'t>>, u32),
    Service(Box<ServiceTable<'t>>),
    Group(Box<GroupTable<'t>>),
    Live(Spanned<RawLive<'t>>, u32),
}

struct ServiceTable<'t> {
    key: Spanned<Str<'t>>,
    span: Range<usize>,
    svc: RawService<'t>,
    seen: u32,
    /// The `[services.ID.boot]` table, once opened: keys go there.
    boot: Option<(RawBoot<'t>, u32)>,
}

struct GroupTable<'t> {
    key: Spanned<Str<'t>>,
    span: Range<usize>,
    members: Option<Spanned<Vec<Spanned<Str<'t>>>>>,
    group: RawGroupRest,
    seen: u32,
}

/// A group's optional fields, until `members` (required) is known.
#[derive(Default)]
struct RawGroupRest {
    mode: Option<Mode>,
    min_up: Option<Spanned<i64>>,
    failover: Option<Failover>,
    last_tested: Option<Spanned<toml::Value>>,
}

/// Marks key number `bit` as set; `None` if it already was.
fn first(seen: &mut u32, bit: u32) -> Option<()> {
    let mask = 1 << bit;
    if *seen & mask != 0 {
        return None;
    }
    *seen |= mask;
    Some(())
}

impl<'t> Open<'t> {
    fn new(path: Path<'t>, span: Range<usize>, key: Range<usize>) -> Open<'t> {
        let id = |id: &'t str| Spanned::new(key.clone(), Cow::Borrowed(id));
        match path {
            Path::Topology => Open::Topology(
                Spanned::new(
                    span,
                    RawHeader {
                        name: None,
                        description: None,
                        failover_test_max_age_days: None,
                    },
                ),
                0,
            ),
            Path::Service(s) => Open::Service(Box::new(ServiceTable {
                key: id(s),
                span,
                svc: RawService::default(),
                seen: 0,
                boot: None,
            })),
            Path::Group(g) => Open::Group(Box::new(GroupTable {
                key: id(g),
                span,
                members: None,
                group: RawGroupRest::default(),
                seen: 0,
            })),
            Path::Live => Open::Live(Spanned::new(span, RawLive::default()), 0),
            Path::Boot(_) => Open::Nothing,
        }
    }

    /// Puts the finished table into `file`.
    fn close(self, file: &mut RawFile<'t>) -> Option<()> {
        match self {
            Open::Nothing => {}
            Open::Topology(h, _) => {
                if file.topology.is_some() {
                    return None;
                }
                file.topology = Some(h);
            }
            Open::Live(l, _) => {
                if file.live.is_some() {
                    return None;
                }
                file.live = Some(l);
            }
            Open::Service(t) => {
                let ServiceTable {
                    key,
                    span,
                    mut svc,
                    boot,
                    ..
                } = *t;
                if let Some((b, _)) = boot {
                    svc.boot = Some(b);
                }
                file.services
                    .0
                    .push((key, Spanned::new(span, Box::new(svc))));
            }
            Open::Group(t) => {
                let GroupTable {
                    key,
                    span,
                    members,
                    group,
                    ..
                } = *t;
                let g = RawGroup {
                    members: members?,
                    mode: group.mode,
                    min_up: group.min_up,
                    failover: group.failover,
                    last_tested: group.last_tested,
                };
                file.groups.0.push((key, Spanned::new(span, Box::new(g))));
            }
        }
        Some(())
    }

    /// Reads the value of `key` into the open table.
    fn set(&mut self, r: &mut Reader<'t>, key: &str) -> Option<()> {
        match self {
            Open::Nothing => None,
            Open::Topology(h, seen) => {
                let h = h.get_mut();
                match key {
                    "name" => {
                        first(seen, 0)?;
                        h.name = Some(r.string()?);
                    }
                    "description" => {
                        first(seen, 1)?;
                        h.description = Some(r.string()?.into_inner());
                    }
                    "failover_test_max_age_days" => {
                        first(seen, 2)?;
                        h.failover_test_max_age_days = Some(r.integer()?);
                    }
                    _ => return None,
                }
                Some(())
            }
            Open::Live(l, seen) => {
                let l = l.get_mut();
                match key {
                    "prometheus" => {
                        first(seen, 0)?;
                        l.prometheus = Some(r.string()?);
                    }
                    "alertmanager" => {
                        first(seen, 1)?;
                        l.alertmanager = Some(r.string()?);
                    }
                    "label" => {
                        first(seen, 2)?;
                        l.label = Some(r.string()?);
                    }
                    "timeout_ms" => {
                        first(seen, 3)?;
                        l.timeout_ms = Some(r.integer()?);
                    }
                    _ => return None,
                }
                Some(())
            }
            Open::Service(t) => match &mut t.boot {
                Some((boot, seen)) => set_boot(r, boot, seen, key),
                None => set_service(r, &mut t.svc, &mut t.seen, key),
            },
            Open::Group(t) => {
                let (g, seen) = (&mut t.group, &mut t.seen);
                match key {
                    "members" => {
                        first(seen, 0)?;
                        t.members = Some(r.strings()?);
                    }
                    "mode" => {
                        first(seen, 1)?;
                        g.mode = Some(match r.string()?.get_ref().as_ref() {
                            "active-passive" => Mode::ActivePassive,
                            "active-active" => Mode::ActiveActive,
                            _ => return None,
                        });
                    }
                    "min_up" => {
                        first(seen, 2)?;
                        g.min_up = Some(r.integer()?);
                    }
                    "failover" => {
                        first(seen, 3)?;
                        g.failover = Some(match r.string()?.get_ref().as_ref() {
                            "automatic" => Failover::Automatic,
                            "manual" => Failover::Manual,
                            _ => return None,
                        });
                    }
                    "last_tested" => {
                        first(seen, 4)?;
                        g.last_tested = Some(r.date()?);
                    }
                    _ => return None,
                }
                Some(())
            }
        }
    }
}

fn set_service<'t>(
    r: &mut Reader<'t>,
    s: &mut RawService<'t>,
    seen: &mut u32,
    key: &str,
) -> Option<()> {
    let text = |r: &mut Reader<'t>| r.string().map(Spanned::into_inner);
    match key {
        "name" => {
            first(seen, 0)?;
            s.name = Some(text(r)?);
        }
        "kind" => {
            first(seen, 1)?;
            s.kind = Some(text(r)?);
        }
        "team" => {
            first(seen, 2)?;
            s.team = Some(text(r)?);
        }
        "oncall" => {
            first(seen, 3)?;
            s.oncall = Some(text(r)?);
        }
        "criticality" => {
            first(seen, 4)?;
            s.criticality = Some(match text(r)?.as_ref() {
                "low" => Criticality::Low,
                "medium" => Criticality::Medium,
                "high" => Criticality::High,
                "critical" => Criticality::Critical,
                _ => return None,
            });
        }
        "users" => {
            first(seen, 5)?;
            s.users = Some(r.float()?);
        }
        "state" => {
            first(seen, 6)?;
            s.state = Some(match text(r)?.as_ref() {
                "up" => State::Up,
                "degraded" => State::Degraded,
                "down" => State::Down,
                _ => return None,
            });
        }
        "zone" => {
            first(seen, 7)?;
            s.zone = Some(text(r)?);
        }
        "monitored" => {
            first(seen, 8)?;
            s.monitored = Some(r.boolean()?);
        }
        "recovery" => {
            first(seen, 9)?;
            s.recovery = Some(r.boolean()?);
        }
        "requires" => {
            first(seen, 10)?;
            s.requires = r.strings()?.into_inner();
        }
        "wants" => {
            first(seen, 11)?;
            s.wants = r.strings()?.into_inner();
        }
        "probe" => {
            first(seen, 12)?;
            s.probe = Some(r.string()?);
        }
        "runbook" => {
            first(seen, 13)?;
            s.runbook = Some(text(r)?);
        }
        "host" => {
            first(seen, 15)?;
            s.host = Some(r.string()?);
        }
        "labels" => {
            first(seen, 16)?;
            s.labels = Some(r.labels()?);
        }
        "boot" => {
            first(seen, 14)?;
            let mut boot = RawBoot::default();
            let mut boot_seen = 0;
            r.inline_table(|r, key| set_boot(r, &mut boot, &mut boot_seen, key))?;
            s.boot = Some(boot);
        }
        // Unknown keys: ask toml.
        _ => return None,
    }
    Some(())
}

fn set_boot<'t>(r: &mut Reader<'t>, b: &mut RawBoot<'t>, seen: &mut u32, key: &str) -> Option<()> {
    match key {
        "autostart" => {
            first(seen, 0)?;
            b.autostart = Some(r.boolean()?);
        }
        "minutes" => {
            first(seen, 1)?;
            b.minutes = Some(r.integer()?);
        }
        "volumes" => {
            first(seen, 2)?;
            b.volumes = r.volumes()?;
        }
        _ => return None,
    }
    Some(())
}

/// A cursor over one piece of the text.
struct Reader<'t> {
    text: &'t str,
    b: &'t [u8],
    i: usize,
    end: usize,
}

/// Bytes TOML does not allow in strings and comments: control characters
/// other than tab.
fn is_control(c: u8) -> bool {
    (c < 0x20 && c != b'\t') || c == 0x7f
}

fn is_bare(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl<'t> Reader<'t> {
    fn peek(&self) -> Option<u8> {
        (self.i < self.end).then(|| self.b[self.i])
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// A comment's text up to its newline (not included).
    fn skip_comment(&mut self) -> Option<()> {
        if self.peek() != Some(b'#') {
            return Some(());
        }
        while let Some(c) = self.peek() {
            if c == b'\n' || c == b'\r' {
                break;
            }
            if is_control(c) {
                return None;
            }
            self.i += 1;
        }
        Some(())
    }

    /// A newline (`\n` or `\r\n`), or the end of the piece.
    fn newline(&mut self) -> Option<()> {
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.i += 1;
                Some(())
            }
            Some(b'\r') if self.i + 1 < self.end && self.b[self.i + 1] == b'\n' => {
                self.i += 2;
                Some(())
            }
            _ => None,
        }
    }

    /// Whitespace, a comment and the newline after a value or header.
    fn end_of_line(&mut self) -> Option<()> {
        self.skip_ws();
        self.skip_comment()?;
        self.newline()
    }

    /// Lines holding nothing but whitespace and comments, and the
    /// indentation of the next line.
    fn skip_blank_lines(&mut self) -> Option<()> {
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'#' | b'\n' | b'\r') => self.end_of_line()?,
                _ => return Some(()),
            }
        }
    }

    /// Whitespace, newlines and comments inside an array.
    fn skip_array_space(&mut self) -> Option<()> {
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'#' | b'\n' | b'\r') => {
                    self.skip_comment()?;
                    self.newline()?;
                }
                _ => return Some(()),
            }
        }
    }

    fn bare_key(&mut self) -> Option<&'t str> {
        let start = self.i;
        while self.peek().is_some_and(is_bare) {
            self.i += 1;
        }
        (self.i > start).then(|| &self.text[start..self.i])
    }

    /// A header line: what it opens, the span of its brackets and the span
    /// of its id.
    fn header(&mut self) -> Option<(Path<'t>, Range<usize>, Range<usize>)> {
        let start = self.i;
        self.eat(b'[')?;
        let mut keys: [(&str, Range<usize>); 3] = Default::default();
        let mut n = 0;
        loop {
            self.skip_ws();
            let k = self.i;
            let key = self.bare_key()?;
            if n == keys.len() {
                return None;
            }
            keys[n] = (key, k..self.i);
            n += 1;
            self.skip_ws();
            if self.eat(b'.').is_none() {
                break;
            }
        }
        self.eat(b']')?;
        let span = start..self.i;
        self.end_of_line()?;
        let path = match (n, keys[0].0, keys[2].0) {
            (1, "topology", _) => Path::Topology,
            (1, "live", _) => Path::Live,
            (2, "services", _) => Path::Service(keys[1].0),
            (3, "services", "boot") => Path::Boot(keys[1].0),
            (2, "groups", _) => Path::Group(keys[1].0),
            _ => return None,
        };
        Some((path, span, keys[1].1.clone()))
    }

    /// A one-line string without escapes, basic or literal.
    fn string(&mut self) -> Option<Spanned<Str<'t>>> {
        let start = self.i;
        let quote = self.peek().filter(|&c| c == b'"' || c == b'\'')?;
        self.i += 1;
        // `""` may open a multi-line string; `"""` does.
        let from = self.i;
        loop {
            let c = self.peek()?;
            if c == quote {
                break;
            }
            if c == b'\\' || is_control(c) {
                return None;
            }
            self.i += 1;
        }
        let value = &self.text[from..self.i];
        self.i += 1;
        if value.is_empty() && self.peek() == Some(quote) {
            return None;
        }
        Some(Spanned::new(start..self.i, Cow::Borrowed(value)))
    }

    /// A run of characters that can make up a number, date or boolean.
    fn token(&mut self) -> (&'t str, Range<usize>) {
        let start = self.i;
        while self.peek().is_some_and(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.' | b':' | b'_')
        }) {
            self.i += 1;
        }
        (&self.text[start..self.i], start..self.i)
    }

    fn boolean(&mut self) -> Option<bool> {
        match self.token().0 {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// A decimal integer: `-?(0|[1-9][0-9]*)` in the range of `i64`.
    fn integer(&mut self) -> Option<Spanned<i64>> {
        let (t, span) = self.token();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if !plain_digits(digits) {
            return None;
        }
        Some(Spanned::new(span, t.parse().ok()?))
    }

    /// A plain decimal: `-?(0|[1-9][0-9]*)\.[0-9]+`.
    fn float(&mut self) -> Option<Spanned<f64>> {
        let (t, span) = self.token();
        let (whole, fraction) = t.strip_prefix('-').unwrap_or(t).split_once('.')?;
        if !plain_digits(whole)
            || fraction.is_empty()
            || !fraction.bytes().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        Some(Spanned::new(span, t.parse().ok()?))
    }

    /// A local date, `YYYY-MM-DD`, as `toml` gives it.
    fn date(&mut self) -> Option<Spanned<toml::Value>> {
        let (t, span) = self.token();
        let shape = t.len() == 10
            && t.bytes().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !shape {
            return None;
        }
        let dt: toml::value::Datetime = t.parse().ok()?;
        (dt.date.is_some() && dt.time.is_none() && dt.offset.is_none())
            .then(|| Spanned::new(span, toml::Value::Datetime(dt)))
    }

    /// An array of strings, possibly over several lines.
    fn strings(&mut self) -> Option<Spanned<Vec<Spanned<Str<'t>>>>> {
        let start = self.i;
        let items = self.array(|r| r.string())?;
        Some(Spanned::new(start..self.i, items))
    }

    /// `[a, b, ...]` with a trailing comma allowed, each item read by `item`.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        loop {
            self.skip_array_space()?;
            if self.eat(b']').is_some() {
                return Some(items);
            }
            items.push(item(self)?);
            self.skip_array_space()?;
            if self.eat(b',').is_none() {
                self.eat(b']')?;
                return Some(items);
            }
        }
    }

    /// `{ key = value, ... }` on one line, without a trailing comma; `each`
    /// reads the value of each key.
    fn inline_table(
        &mut self,
        mut each: impl FnMut(&mut Self, &'t str) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        self.skip_ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.skip_ws();
            let key = self.bare_key()?;
            self.skip_ws();
            self.eat(b'=')?;
            self.skip_ws();
            each(self, key)?;
            self.skip_ws();
            if self.eat(b',').is_none() {
                return self.eat(b'}');
            }
        }
    }

    /// `labels = { key = "value", ... }` with bare keys (a quoted or dotted
    /// key, as `"kubernetes.io/os"` needs, is left to `toml`).
    fn labels(&mut self) -> Option<Spanned<Entries<'t, Str<'t>>>> {
        let start = self.i;
        let mut out: Vec<crate::topology::raw::Entry<'t, Str<'t>>> = Vec::new();
        let base = self.text.as_ptr() as usize;
        self.inline_table(|r, key| {
            // `key` is a slice of the text: its span is where it sits.
            let at = key.as_ptr() as usize - base;
            let v = r.string()?;
            out.push((
                Spanned::new(at..at + key.len(), Cow::Borrowed(key)),
                Spanned::new(v.span(), Box::new(v.into_inner())),
            ));
            Some(())
        })?;
        // A key given twice is an error `toml` must report.
        let mut keys: Vec<&str> = out.iter().map(|(k, _)| k.get_ref().as_ref()).collect();
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
        Some(Spanned::new(start..self.i, Entries(out)))
    }

    /// `volumes = [{ path = "...", automount = false }, ...]`.
    fn volumes(&mut self) -> Option<Vec<RawVolume<'t>>> {
        self.array(|r| {
            let mut path = None;
            let mut automount = None;
            r.inline_table(|r, key| {
                match key {
                    "path" if path.is_none() => path = Some(r.string()?),
                    "automount" if automount.is_none() => automount = Some(r.boolean()?),
                    _ => return None,
                }
                Some(())
            })?;
            Some(RawVolume {
                path: path?,
                automount,
            })
        })
    }
}

/// `0`, or digits without a leading zero.
fn plain_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}
