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
    Entries, Entry, RawBoot, RawFile, RawGroup, RawHeader, RawLive, RawService, RawVolume, Refs,
    ServiceEntry, Str,
};
use crate::topology::{Criticality, Failover, Mode, State};
use std::borrow::Cow;
use std::ops::Range;
use toml::Spanned;

/// Parses a topology document: by the direct reader when it takes the
/// whole text, else by `toml`, which accepts what the reader does not know
/// or reports the error exactly as it always did.
///
/// (A version of this split the text into pieces parsed on both cores; it
/// earned nothing measurable at 100,000 or 1,000,000 services and was
/// removed. A two-way cut, measured again once the rest of a load was
/// faster, earned 10% at 1,000,000: under the 20% issue 16 asks of any
/// splitting. See docs/DECISIONS.md.)
///
/// # Errors
/// `toml`'s error for the document.
pub(super) fn parse_file(text: &str) -> Result<RawFile<'_>, toml::de::Error> {
    match parse(text, 0..text.len()).and_then(sorted_unique_file) {
        Some(raw) => Ok(raw),
        None => toml::from_str(text),
    }
}

/// The reader's entries in key order, as `toml`'s tables give them; `None`
/// when a key appears twice (a duplicate table: `toml` reports it).
///
/// Services and groups are sorted on two cores, each by its keys' first 16
/// bytes with the entry's position, the rest of the key read only where
/// two prefixes tie: a comparison of two keys read both from wherever they
/// lie in the text, two cache misses, and sorting a million of them so took
/// a third of a second.
fn sorted_unique_file(mut raw: RawFile<'_>) -> Option<RawFile<'_>> {
    let (services, groups) = (&mut raw.services.0, &mut raw.groups.0);
    let (s, g) = if services.len() + groups.len() < 4096 {
        (sorted_unique(services), sorted_unique(groups))
    } else {
        std::thread::scope(|scope| {
            let g = scope.spawn(|| sorted_unique(groups));
            let s = sorted_unique(services);
            (s, g.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        })
    };
    (s && g).then_some(raw)
}

/// The first 16 bytes of `key`, zero-padded, as a number that orders as the
/// bytes do (a bare key holds no zero byte, so the padding sorts first, as
/// the end of a shorter key does).
fn prefix(key: &str) -> u128 {
    let mut b = [0u8; 16];
    let n = key.len().min(16);
    b[..n].copy_from_slice(&key.as_bytes()[..n]);
    u128::from_be_bytes(b)
}

/// Sorts `v` by key; false when a key appears twice.
fn sorted_unique<T: Send>(v: &mut Vec<Entry<'_, T>>) -> bool {
    fn key<'a, T>(e: &'a Entry<'_, T>) -> &'a str {
        e.0.get_ref()
    }
    if !v.is_sorted_by(|a, b| key(a) <= key(b)) {
        let mut order: Vec<(u128, u32)> = v
            .iter()
            .enumerate()
            .map(|(i, e)| (prefix(key(e)), i as u32))
            .collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| key(&v[a.1 as usize]).cmp(key(&v[b.1 as usize])))
        });
        // Twice the same key: only where prefixes tie is the rest read.
        if order
            .windows(2)
            .any(|w| w[0].0 == w[1].0 && key(&v[w[0].1 as usize]) == key(&v[w[1].1 as usize]))
        {
            return false;
        }
        let mut old: Vec<Option<Entry<'_, T>>> = v.drain(..).map(Some).collect();
        v.extend(
            order
                .iter()
                .map(|&(_, i)| old[i as usize].take().expect("a permutation")),
        );
        return true;
    }
    !v.windows(2).any(|w| key(&w[0]) == key(&w[1]))
}

/// Reads `text[range]` (a run of whole lines), with spans in `text`.
/// `None` when the piece is not of the plain shape or not valid: ask `toml`.
/// Services come as [`ServiceEntry::Text`]: read each with [`service`].
pub(super) fn parse(text: &str, range: Range<usize>) -> Option<RawFile<'_>> {
    read(text, range, true)
}

/// The service whose table the reader kept as `table` (a
/// [`ServiceEntry::Text`] of [`parse`] on the same text).
///
/// # Panics
/// If `table` is not such a place: the reader has read it once already.
pub(super) fn service(text: &str, table: Range<usize>) -> RawService<'_> {
    let mut file = read(text, table, false).expect("the direct reader has read this table once");
    match file.services.0.pop().map(|(_, s)| s.into_inner()) {
        Some(ServiceEntry::Parsed(s)) => *s,
        _ => unreachable!("a service's table holds that service"),
    }
}

fn read(text: &str, range: Range<usize>, lazy: bool) -> Option<RawFile<'_>> {
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
            let line = r.i;
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
                    open.close(&mut file, lazy, line)?;
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
    open.close(&mut file, lazy, r.i)?;
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

    /// Puts the finished table, whose text ends at `end`, into `file` (a
    /// service as the place of its text when `lazy`).
    fn close(self, file: &mut RawFile<'t>, lazy: bool, end: usize) -> Option<()> {
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
                let entry = if lazy {
                    ServiceEntry::Text(span.start..end)
                } else {
                    if let Some((b, _)) = boot {
                        svc.boot = Some(b);
                    }
                    ServiceEntry::Parsed(Box::new(svc))
                };
                file.services.0.push((key, Spanned::new(span, entry)));
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
            s.requires = r.refs()?;
        }
        "wants" => {
            first(seen, 11)?;
            s.wants = r.refs()?;
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
        let rest = &self.b[start..self.end];
        self.i += rest.iter().position(|&c| !is_bare(c)).unwrap_or(rest.len());
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
        // `""` may open a multi-line string; `"""` does.
        let from = self.i + 1;
        // One pass over the slice: the loop the compiler makes tight.
        let rest = &self.b[from..self.end];
        let n = rest
            .iter()
            .position(|&c| c == quote || c == b'\\' || is_control(c))?;
        if rest[n] != quote {
            return None;
        }
        self.i = from + n;
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

    /// An array of strings, checked and kept as its text (see [`Refs`]).
    fn refs(&mut self) -> Option<Refs<'t>> {
        let start = self.i;
        // Items of no size: checking the array allocates nothing.
        self.array(|r| r.string().map(drop))?;
        Some(Refs::Text {
            text: &self.text[start..self.i],
            at: start,
        })
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
            out.push((Spanned::new(at..at + key.len(), Cow::Borrowed(key)), v));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every span and value of a raw parse, for comparing two parses.
    fn dump(text: &str, raw: &RawFile) -> String {
        fn s<T: std::fmt::Debug>(x: &Spanned<T>) -> String {
            format!("{:?}@{:?}", x.get_ref(), x.span())
        }
        let mut out = String::new();
        if let Some(h) = &raw.topology {
            let h2 = h.get_ref();
            out += &format!(
                "topology@{:?} {:?} {:?} {:?}\n",
                h.span(),
                h2.name.as_ref().map(s),
                h2.description,
                h2.failover_test_max_age_days.as_ref().map(s)
            );
        }
        for (k, v) in &raw.services.0 {
            let read;
            let x = match v.get_ref() {
                ServiceEntry::Parsed(x) => &**x,
                ServiceEntry::Text(table) => {
                    read = service(text, table.clone());
                    &read
                }
            };
            out += &format!(
                "service {} @{:?}: {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}\n",
                s(k),
                v.span(),
                x.name,
                x.kind,
                x.team,
                x.oncall,
                x.criticality,
                x.users.as_ref().map(s),
                x.state,
                x.zone,
                x.monitored,
                x.recovery,
                x.requires
                    .iter()
                    .map(|r| format!("{:?}@{:?}", r.id, r.span))
                    .collect::<Vec<_>>(),
                x.wants
                    .iter()
                    .map(|r| format!("{:?}@{:?}", r.id, r.span))
                    .collect::<Vec<_>>(),
                x.probe.as_ref().map(s),
                x.runbook,
            );
            out += &format!(
                "  host {:?} labels {:?}\n",
                x.host.as_ref().map(s),
                // In key order: `toml` sorts a table's keys, the reader
                // keeps the file's order, and loading sorts them anyway.
                x.labels.as_ref().map(|l| {
                    let mut pairs: Vec<_> =
                        l.get_ref().0.iter().map(|(k, v)| (s(k), s(v))).collect();
                    pairs.sort();
                    (l.span(), pairs)
                })
            );
            if let Some(b) = &x.boot {
                out += &format!(
                    "  boot {:?} {:?} {:?}\n",
                    b.autostart,
                    b.minutes.as_ref().map(s),
                    b.volumes
                        .iter()
                        .map(|v| (s(&v.path), v.automount))
                        .collect::<Vec<_>>()
                );
            }
        }
        if let Some(l) = &raw.live {
            let x = l.get_ref();
            out += &format!(
                "live@{:?} {:?} {:?} {:?} {:?}\n",
                l.span(),
                x.prometheus.as_ref().map(s),
                x.alertmanager.as_ref().map(s),
                x.label.as_ref().map(s),
                x.timeout_ms.as_ref().map(s)
            );
        }
        for (k, v) in &raw.groups.0 {
            let g = v.get_ref();
            out += &format!(
                "group {} @{:?}: {} {:?} {:?} {:?} {:?} {:?}\n",
                s(k),
                v.span(),
                s(&g.members),
                g.members.get_ref().iter().map(s).collect::<Vec<_>>(),
                g.mode,
                g.min_up.as_ref().map(s),
                g.failover,
                g.last_tested.as_ref().map(s)
            );
        }
        out
    }

    /// When the direct reader accepts a text, `toml` accepts it too and
    /// gives exactly the same structs and spans.
    fn fast_agrees(text: &str) -> bool {
        let Some(fast) = parse(text, 0..text.len()) else {
            return false;
        };
        let whole = toml::from_str::<RawFile>(text);
        match (sorted_unique_file(fast), whole) {
            (Some(f), Ok(w)) => assert_eq!(dump(text, &f), dump(text, &w), "{text:?}"),
            (Some(_), Err(e)) => panic!("the reader accepted what toml refuses: {e}\n{text:?}"),
            // Two tables of one id: an error toml reports.
            (None, whole) => assert!(whole.is_err(), "{text:?}"),
        }
        true
    }

    /// A document using every construct the direct reader knows.
    const FEATURES: &str = concat!(
        "# head\n\n[topology]\nname = \"t\"   # trailing\n",
        "description = 'd \"q\" é'\nfailover_test_max_age_days = 30\n\n",
        "[services.a]\r\nname = \"A\"\r\nkind = \"app\"\nteam = 'web'\noncall = \"\"\n",
        "criticality = \"critical\"\nusers = 0.25\nstate = \"degraded\"\nzone = \"z\"\n",
        "monitored = false\nrecovery = true\nrequires = [\n  \"b\", # why\n  'g',\n]\n",
        "wants = []\nprobe = \"tcp://h:1\"\nrunbook = \"r\"\nhost = \"e\"\n",
        "labels = { env = \"prod\", tier = 'web' }\n\n",
        "[services.a.boot]\nautostart = false\nminutes = 0\n",
        "volumes = [{ path = \"/v\", automount = false }, {automount=true,path='/w'}]\n\n",
        "[ services . b ]\nusers = 1.0\nrequires=[\"a\"]\n\t\n",
        "  [services.e]\n  kind = \"indented\"\n\tteam = \"t\"\n",
        "[services.c]\nboot = { minutes = 3, volumes = [{path = \"/x\"}] }\n",
        "[services.d]\nboot = {}\n",
        "[groups.g]\nmembers = [\"a\", \"b\"]\nmode = \"active-passive\"\nmin_up = -0\n",
        "failover = \"manual\"\nlast_tested = 2024-02-29\n",
        "[groups.h]\nmembers = []\nmode = \"active-active\"\nfailover = \"automatic\"\n",
        "[live]\nprometheus = \"http://p:9090\"\nalertmanager = 'https://am/'\n",
        "label = \"service\"\ntimeout_ms = 2000",
    );

    /// The estates the generator writes (the scale tests' and the
    /// benchmarks') are read by the direct reader, whole: a field added to
    /// the files but not to the reader would push them all onto `toml`.
    #[test]
    fn generated_estates_take_the_fast_path() {
        for (n, seed) in [(300, 1), (1000, 2), (50, 3), (2000, 11)] {
            let g = crate::testgen::generate(n, seed);
            let raw = parse(&g.toml, 0..g.toml.len()).expect("the direct reader takes it");
            assert_eq!(raw.services.0.len(), n);
            assert!(fast_agrees(&g.toml));
        }
    }

    #[test]
    fn the_reader_knows_every_construct_it_claims() {
        assert!(fast_agrees(FEATURES));
        assert!(fast_agrees(&crate::testgen::generate(500, 4).toml));
        for f in std::fs::read_dir("topologies").unwrap() {
            let p = f.unwrap().path();
            if !p.to_string_lossy().ends_with(".plan.toml") {
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(fast_agrees(&text), "{}", p.display());
            }
        }
    }

    #[test]
    fn the_reader_leaves_the_rest_to_toml() {
        for text in [
            "[topology]\nname = \"a\\tb\"\n",
            "[topology]\nname = \"\"\"x\"\"\"\n",
            "[topology]\nname = '''x'''\n",
            "[services.a]\nusers = 1\n",
            "[services.a]\nusers = 1e-1\n",
            "[services.a]\nboot = { minutes = 1 }\n[services.a.boot]\n",
            "[services.a]\nboot = { minutes = 1, }\n",
            "[services.a]\nboot = { minutes = 1 }\nboot = {}\n",
            "[services.a]\nboot.minutes = 1\n",
            "[services.a]\n\"kind\" = \"x\"\n",
            "[services.\"a\"]\n",
            "[groups.g]\nmembers = [\"a\"]\nmin_up = 1_0\n",
            "[groups.g]\nmembers = [\"a\"]\nmin_up = +1\n",
            "[groups.g]\nmembers = [\"a\"]\nlast_tested = 2023-01-01T00:00:00\n",
            "[groups.g]\nmembers = [\"a\"]\nlast_tested = 2023-01-01 10:00:00\n",
            "[groups.g]\nmembers = [\"a\"]\nlast_tested = \"2023-01-01\"\n",
            "[services.a]\nboot.minutes = 1\n[services.a.boot]\n",
            "[services.a.boot]\n[services.a]\n",
            "[services.a]\n[groups.g]\nmembers = []\n[services.a.boot]\n",
            "[services.a]\nkind = \"x\"\nkind = \"y\"\n",
            "[services.a]\nrequries = []\n",
            "[groups.g]\nmode = \"active\"\n",
            "[groups.g]\n",
            "[topology]\nname = \"t\"\n[topology]\n",
            "a = 1\n[topology]\n",
            "[topology]\nname = \"t\" x\n",
            "[topology]\nname = \"t\"\r[services.a]\n",
            "[services.a]\nkind = \"a\u{7f}\"\n",
            "[services.a] # \u{1}\n",
            "[services.a]\nvolumes = [{ path = \"/v\", }]\n",
            "[live]\ntimeout_ms = \"5\"\n",
            "[live]\nlabel = \"a\"\nlabel = \"b\"\n",
            "[live]\nprometheus = \"p\"\n[live]\n",
            "[live]\nzz = 1\n",
            "[live.x]\n",
        ] {
            assert!(!fast_agrees(text), "{text:?}");
        }
    }

    /// Random edits of valid documents: whatever the reader accepts, toml
    /// accepts the same way, and whatever toml refuses, the split parse
    /// refuses too (so the whole parse reports it).
    #[test]
    fn mutated_documents_agree_with_toml() {
        const BITS: [&str; 46] = [
            "\"",
            "'",
            "\"\"\"",
            "'''",
            "[",
            "]",
            "{",
            "}",
            "=",
            ",",
            ".",
            "#",
            "\n",
            "\r\n",
            "\r",
            " ",
            "\t",
            "\\",
            "\\n",
            "a",
            "1",
            "-",
            "_",
            "0",
            "1.5",
            "1e3",
            "+",
            "true",
            "2023-02-29",
            "2023-13-01",
            "\u{7f}",
            "\u{0}",
            "é",
            "\n[services.x]\n",
            "\n[services.x.boot]\n",
            "\n[groups.g]\n",
            "\n[topology]\n",
            "\n[live]\n",
            "timeout_ms = 5",
            "members = [\"a\"]",
            "boot.minutes = 1",
            "users = 1",
            "name = \"n\"",
            "\n[[services]]\n",
            "0.",
            "00",
        ];
        let bases = [
            FEATURES.to_string(),
            crate::testgen::generate(12, 1).toml,
            std::fs::read_to_string("topologies/web-stack.toml").unwrap(),
        ];
        let seed = std::env::var("BLASTRADIUS_MUTATION_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(42);
        let mut rng = crate::testgen::Rng::new(seed);
        let mut accepted = 0;
        // BLASTRADIUS_MUTATION_CASES=1000000 for a longer hunt.
        let cases = std::env::var("BLASTRADIUS_MUTATION_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(4000);
        for case in 0..cases {
            let mut text = bases[case % bases.len()].clone();
            for _ in 0..rng.range(1, 3) {
                let mut at = rng.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let mut to = (at + rng.range(1, 5)).min(text.len());
                while !text.is_char_boundary(to) {
                    to += 1;
                }
                match rng.below(3) {
                    0 => text.insert_str(at, BITS[rng.below(BITS.len())]),
                    1 => text.replace_range(at..to, ""),
                    _ => text.replace_range(at..to, BITS[rng.below(BITS.len())]),
                }
            }
            accepted += usize::from(fast_agrees(&text));
            // Whatever the reader left, the whole parse gives toml's answer.
            let whole = toml::from_str::<RawFile>(&text);
            match (parse_file(&text), whole) {
                (Ok(a), Ok(b)) => assert_eq!(dump(&text, &a), dump(&text, &b), "{text:?}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{:?} vs {:?}: {text:?}", a.is_ok(), b.is_ok()),
            }
        }
        eprintln!("accepted {accepted}");
        // Many edits keep the plain shape.
        assert!(accepted > 300, "{accepted}");
    }

    /// Keys sharing their first 16 bytes are ordered, and caught twice, by
    /// the rest; a key that ends inside another's prefix sorts before it.
    #[test]
    fn sorting_by_prefix_orders_and_dedupes_as_the_keys_do() {
        let keys = [
            "a-very-long-shared-prefix-9",
            "a-very-long-shared-prefix-10",
            "a-very-long-shared-prefix-1",
            "a-very-long-shared",
            "a-very-long-shared-prefix",
            "b",
            "a",
            "a-",
            "A",
            "0",
            "_",
        ];
        let entries = |keys: &[&'static str]| -> Vec<Entry<'static, ()>> {
            keys.iter()
                .map(|&k| (Spanned::new(0..0, Cow::Borrowed(k)), Spanned::new(0..0, ())))
                .collect()
        };
        let mut v = entries(&keys);
        assert!(sorted_unique(&mut v));
        let got: Vec<&str> = v.iter().map(|e| e.0.get_ref().as_ref()).collect();
        let mut want = keys.to_vec();
        want.sort_unstable();
        assert_eq!(got, want);
        for twice in ["a-very-long-shared-prefix-10", "a", "_"] {
            let mut with = keys.to_vec();
            with.insert(2, twice);
            assert!(!sorted_unique(&mut entries(&with)), "{twice}");
            with.sort_unstable();
            assert!(!sorted_unique(&mut entries(&with)), "{twice}, sorted");
        }
    }

    #[test]
    fn pieces_the_reader_leaves_go_to_toml() {
        let text = format!(
            "{FEATURES}\n[services.z]\nname = \"tab\\there\"\nrequires = [\"a\"]\n\
             [groups.q]\nmembers = [\"z\", \"a\"]\nmin_up = 1_0\n[services.y]\nkind = 'k'\n"
        );
        assert!(!fast_agrees(&text));
        let raw = parse_file(&text).unwrap();
        let z = &raw.services.0.last().unwrap();
        assert_eq!(&text[z.0.span()], "z");
        let ServiceEntry::Parsed(z) = z.1.get_ref() else {
            panic!("toml read it")
        };
        assert_eq!(z.name.as_deref(), Some("tab\there"));
    }

    #[test]
    fn spans_point_into_the_whole_text() {
        let g = crate::testgen::generate(400, 9);
        let raw = parse(&g.toml, 0..g.toml.len()).unwrap();
        for (k, _) in &raw.services.0 {
            assert_eq!(&g.toml[k.span()], k.get_ref());
        }
    }
}
