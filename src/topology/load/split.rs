//! Parsing a large topology file in pieces, on every core.
//!
//! `toml` parses a document in three whole-document passes (tokens, events,
//! an intermediate table) before serde sees a value; for a 100,000-service
//! file those buffers alone are hundreds of megabytes, and first-touching
//! that memory costs as much as the parsing. A topology, though, is almost
//! always a flat run of `[topology]`, `[services.ID]` (with its
//! `[services.ID.boot]`) and `[groups.ID]` tables, and any run of whole
//! tables is a TOML document of its own. So:
//!
//! 1. [`cut`] cuts the text into pieces of about [`PIECE`] bytes, each
//!    after the first starting at a `[services.ID]`, `[groups.ID]` or
//!    `[topology]` line (it reads only the few lines around each cut);
//! 2. the pieces are parsed on scoped threads, by the direct reader
//!    ([`fast`]) or, for a piece it does not take, by `toml` itself once
//!    [`plain`] has checked that the piece holds nothing but such tables;
//!    spans are positions in the whole text;
//! 3. the parts are merged into the order `toml` gives (its tables are
//!    sorted by key).
//!
//! When anything is uncertain the whole text is parsed by `toml` as before,
//! so errors and every corner of TOML behave exactly as they always did: a
//! piece that fails, a piece with other headers (quoted keys, arrays of
//! tables, `[services]`) or keys before its first header, an entry whose
//! tables landed in two pieces, two `[topology]` tables. A cut in the
//! wrong place (on a line inside a multi-line string or array that only
//! looks like a header) cannot go unnoticed: the piece before it ends inside
//! that value and fails to parse.

use super::fast;
use crate::topology::raw::{
    Entries, Entry, RawBoot, RawFile, RawGroup, RawHeader, RawLive, RawService, RawVolume, Str,
};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use toml::Spanned;

/// The size pieces are cut to: small enough that a piece `toml` parses
/// keeps little memory alive, large enough that there are few of them.
const PIECE: usize = 128 * 1024;

/// Parses a topology document, in pieces on every core.
///
/// # Errors
/// `toml`'s error for the whole document, exactly as a plain parse gives it.
pub(super) fn parse(text: &str) -> Result<RawFile<'_>, toml::de::Error> {
    match parse_pieces(text, &cut(text, PIECE)) {
        Some(raw) => Ok(raw),
        None => toml::from_str(text),
    }
}

/// Cuts `text` into pieces of at least `size` bytes (but the last), each
/// after the first starting at a line `[services.ID]`, `[groups.ID]` or
/// `[topology]`.
fn cut(text: &str, size: usize) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut cuts = vec![0];
    let mut at = size;
    while at < b.len() {
        let line = line_end(b, at) + 1;
        if line >= b.len() {
            break;
        }
        if matches!(header(text, line), Some((Header::Main, _))) {
            cuts.push(line);
            at = line + size;
        } else {
            at = line;
        }
    }
    cuts.push(b.len());
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// What a table header line opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    /// `[topology]`, `[services.ID]` or `[groups.ID]`.
    Main,
    /// A table inside one of those, such as `[services.ID.boot]`.
    Sub,
}

/// True when `text[r]` holds nothing but whitespace, comments and plain
/// tables (headers `[topology...]`, `[services.ID...]`, `[groups.ID...]`
/// with bare keys): then parsing it alone means what it means in the whole.
fn plain(text: &str, r: Range<usize>) -> bool {
    let b = &text.as_bytes()[..r.end];
    let mut seen_header = false;
    // Open `[` / `{` of the value being read (values may span lines).
    let mut depth = 0usize;
    let mut i = r.start;
    let mut line_start = true;
    while i < b.len() {
        if line_start && depth == 0 {
            let j = skip_blanks(b, i);
            match b.get(j) {
                Some(b'[') => {
                    let Some((_, next)) = header(&text[..r.end], j) else {
                        return false;
                    };
                    seen_header = true;
                    i = next;
                    continue;
                }
                None | Some(b'\n' | b'\r' | b'#') => {}
                // A key before any header: `services = {...}` and friends.
                Some(_) if !seen_header => return false,
                Some(_) => {}
            }
            i = j;
            if i == b.len() {
                break;
            }
        }
        line_start = false;
        match b[i] {
            b'\n' => line_start = true,
            b'#' => i = line_end(b, i) - 1,
            b'"' if b[i..].starts_with(b"\"\"\"") => match end_of_multiline(b, i, b"\"\"\"") {
                Some(end) => i = end,
                None => return false,
            },
            b'\'' if b[i..].starts_with(b"'''") => match end_of_multiline(b, i, b"'''") {
                Some(end) => i = end,
                None => return false,
            },
            b'"' => i = end_of_basic(b, i),
            b'\'' => i = end_of_literal(b, i),
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    true
}

fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// The index of the newline ending the line that `from` is on, or the
/// length of the text.
fn line_end(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p)
}

/// The index of the last byte of a multi-line string opening at `i`, or
/// `None` if it never closes.
fn end_of_multiline(b: &[u8], i: usize, quotes: &[u8; 3]) -> Option<usize> {
    let q = quotes[0];
    let basic = q == b'"';
    let mut k = i + 3;
    while k < b.len() {
        if basic && b[k] == b'\\' {
            k += 2;
            continue;
        }
        if b[k..].starts_with(quotes) {
            // Up to two more quotes belong to the content: `""""` ends
            // with one quote inside.
            let mut end = k + 2;
            while end + 1 < b.len() && b[end + 1] == q && end < k + 4 {
                end += 1;
            }
            return Some(end);
        }
        k += 1;
    }
    None
}

/// The index of the closing quote of a one-line basic string opening at
/// `i` (or of the end of its line when it does not close: a parse error the
/// piece will report).
fn end_of_basic(b: &[u8], i: usize) -> usize {
    let mut k = i + 1;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 1,
            b'"' => return k,
            b'\n' => return k - 1,
            _ => {}
        }
        k += 1;
    }
    b.len() - 1
}

/// As [`end_of_basic`], for a literal string (no escapes).
fn end_of_literal(b: &[u8], i: usize) -> usize {
    match b[i + 1..].iter().position(|&c| c == b'\'' || c == b'\n') {
        Some(p) if b[i + 1 + p] == b'\'' => i + 1 + p,
        Some(p) => i + p,
        None => b.len() - 1,
    }
}

/// Reads a header line starting at `i`: what it opens and the index after
/// its line. `None` for anything but a plain `[topology...]`,
/// `[services.ID...]` or `[groups.ID...]` with bare keys, alone on its
/// line (a comment may follow).
fn header(text: &str, i: usize) -> Option<(Header, usize)> {
    let b = text.as_bytes();
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut k = i + 1;
    let mut first = "";
    let mut n = 0;
    loop {
        k = skip_blanks(b, k);
        let start = k;
        while k < b.len() && (b[k].is_ascii_alphanumeric() || matches!(b[k], b'_' | b'-')) {
            k += 1;
        }
        if k == start {
            return None;
        }
        if n == 0 {
            first = &text[start..k];
        }
        n += 1;
        k = skip_blanks(b, k);
        match b.get(k) {
            Some(b'.') => k += 1,
            Some(b']') => break,
            _ => return None,
        }
    }
    k = skip_blanks(b, k + 1);
    match b.get(k) {
        None => {}
        Some(b'\n') => k += 1,
        Some(b'\r') if b.get(k + 1) == Some(&b'\n') => k += 2,
        Some(b'#') => k = (line_end(b, k) + 1).min(b.len()),
        Some(_) => return None,
    }
    let what = match (first, n) {
        ("topology", 1) | ("services" | "groups", 2) => Header::Main,
        ("topology", _) | ("services" | "groups", 3..) => Header::Sub,
        // `[live]` is a table of its own, but never a cut: it is small.
        ("live", _) => Header::Sub,
        _ => return None,
    };
    Some((what, k))
}

/// Parses the pieces on scoped threads and merges them, or `None` if any
/// piece fails or the parts do not merge cleanly (then the whole document
/// is parsed, for `toml`'s own answer).
fn parse_pieces<'t>(text: &'t str, pieces: &[Range<usize>]) -> Option<RawFile<'t>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8)
        .min(pieces.len());
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // Each thread takes the next piece until none is left, then merges what
    // it parsed; the threads' results are merged last. The order of parts
    // does not matter: a merge sorts entries by key.
    let work = || -> Option<RawFile<'t>> {
        let mut mine = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let p = next.fetch_add(1, Ordering::Relaxed);
            let Some(r) = pieces.get(p) else { break };
            let Some(raw) = parse_piece(text, r.clone()) else {
                failed.store(true, Ordering::Relaxed);
                return None;
            };
            mine.push(raw);
        }
        merge(mine)
    };
    let parts: Vec<Option<RawFile<'t>>> = std::thread::scope(|s| {
        let others: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut parts = vec![work()];
        parts.extend(
            others
                .into_iter()
                .map(|h| h.join().expect("parsing does not panic")),
        );
        parts
    });
    merge(parts.into_iter().collect::<Option<Vec<_>>>()?)
}

/// One piece: by the direct reader when it can, else by `toml` if the
/// piece is plain, its spans moved to positions in the whole text. Its
/// entries come sorted by key (a piece is small: its ids are in cache).
fn parse_piece(text: &str, r: Range<usize>) -> Option<RawFile<'_>> {
    let mut raw = match fast::parse(text, r.clone()) {
        Some(raw) => raw,
        None if plain(text, r.clone()) => toml::from_str::<RawFile>(&text[r.clone()])
            .ok()?
            .shift(r.start),
        None => return None,
    };
    raw.services
        .0
        .sort_by(|a, b| a.0.get_ref().cmp(b.0.get_ref()));
    raw.groups
        .0
        .sort_by(|a, b| a.0.get_ref().cmp(b.0.get_ref()));
    Some(raw)
}

/// Joins parsed pieces into what one parse of the whole text gives.
fn merge(parts: Vec<RawFile<'_>>) -> Option<RawFile<'_>> {
    let mut topology = None;
    let mut live = None;
    let mut services = Vec::with_capacity(parts.iter().map(|p| p.services.0.len()).sum());
    let mut groups = Vec::with_capacity(parts.iter().map(|p| p.groups.0.len()).sum());
    for p in parts {
        if p.topology.is_some() {
            if topology.is_some() {
                return None;
            }
            topology = p.topology;
        }
        if p.live.is_some() {
            if live.is_some() {
                return None;
            }
            live = p.live;
        }
        services.extend(p.services.0);
        groups.extend(p.groups.0);
    }
    Some(RawFile {
        topology,
        services: sorted_unique(services)?,
        groups: sorted_unique(groups)?,
        live,
    })
}

/// Entries in key order, as `toml`'s own tables give them; `None` when a key
/// appears twice (an entry split over pieces, or a duplicate table: either
/// way, the whole parse decides).
fn sorted_unique<'t, T>(mut v: Vec<Entry<'t, T>>) -> Option<Entries<'t, T>> {
    // The parts come sorted: the sort merges their runs.
    v.sort_by(|a, b| a.0.get_ref().cmp(b.0.get_ref()));
    if v.windows(2).any(|w| w[0].0.get_ref() == w[1].0.get_ref()) {
        return None;
    }
    Some(Entries(v))
}

/// Moving every span of a piece's parse by the piece's offset in the file.
trait Shift: Sized {
    fn shift(self, by: usize) -> Self;
}

fn shifted<T>(s: Spanned<T>, by: usize) -> Spanned<T> {
    let r = s.span();
    Spanned::new(r.start + by..r.end + by, s.into_inner())
}

impl<T: Shift> Shift for Spanned<T> {
    fn shift(self, by: usize) -> Self {
        let r = self.span();
        Spanned::new(r.start + by..r.end + by, self.into_inner().shift(by))
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(self, by: usize) -> Self {
        Box::new((*self).shift(by))
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(self, by: usize) -> Self {
        self.map(|x| x.shift(by))
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(self, by: usize) -> Self {
        self.into_iter().map(|x| x.shift(by)).collect()
    }
}

/// Leaf values carry no spans of their own.
macro_rules! no_spans {
    ($($t:ty),*) => {
        $(impl Shift for $t {
            fn shift(self, _: usize) -> Self {
                self
            }
        })*
    };
}
no_spans!(f64, i64, toml::Value, Str<'_>);

impl<T: Shift> Shift for Entries<'_, T> {
    fn shift(self, by: usize) -> Self {
        Entries(
            self.0
                .into_iter()
                .map(|(k, v)| (shifted(k, by), v.shift(by)))
                .collect(),
        )
    }
}

impl Shift for RawFile<'_> {
    fn shift(self, by: usize) -> Self {
        RawFile {
            topology: self.topology.shift(by),
            services: self.services.shift(by),
            groups: self.groups.shift(by),
            live: self.live.shift(by),
        }
    }
}

impl Shift for RawLive<'_> {
    fn shift(self, by: usize) -> Self {
        RawLive {
            prometheus: self.prometheus.map(|s| shifted(s, by)),
            alertmanager: self.alertmanager.map(|s| shifted(s, by)),
            label: self.label.map(|s| shifted(s, by)),
            timeout_ms: self.timeout_ms.shift(by),
        }
    }
}

impl Shift for RawHeader<'_> {
    fn shift(self, by: usize) -> Self {
        RawHeader {
            name: self.name.shift(by),
            description: self.description,
            failover_test_max_age_days: self.failover_test_max_age_days.shift(by),
        }
    }
}

impl Shift for RawService<'_> {
    fn shift(self, by: usize) -> Self {
        RawService {
            users: self.users.shift(by),
            requires: self.requires.shift(by),
            wants: self.wants.shift(by),
            probe: self.probe.shift(by),
            boot: self.boot.shift(by),
            ..self
        }
    }
}

impl Shift for RawBoot<'_> {
    fn shift(self, by: usize) -> Self {
        RawBoot {
            minutes: self.minutes.shift(by),
            volumes: self.volumes.shift(by),
            ..self
        }
    }
}

impl Shift for RawVolume<'_> {
    fn shift(self, by: usize) -> Self {
        RawVolume {
            path: self.path.shift(by),
            ..self
        }
    }
}

impl Shift for RawGroup<'_> {
    fn shift(self, by: usize) -> Self {
        RawGroup {
            members: self.members.shift(by),
            min_up: self.min_up.shift(by),
            last_tested: self.last_tested.shift(by),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every span and value of a raw parse, for comparing two parses.
    fn dump(raw: &RawFile) -> String {
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
            let x = v.get_ref();
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
                x.requires.iter().map(s).collect::<Vec<_>>(),
                x.wants.iter().map(s).collect::<Vec<_>>(),
                x.probe.as_ref().map(s),
                x.runbook,
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

    /// The split parse at a tiny piece size, when it happens at all, gives
    /// exactly what the whole parse gives.
    fn same_as_whole(text: &str) -> bool {
        let whole = toml::from_str::<RawFile>(text);
        let split = parse_pieces(text, &cut(text, 1));
        match (&whole, &split) {
            (Ok(w), Some(s)) => assert_eq!(dump(w), dump(s), "{text}"),
            (Err(e), Some(_)) => panic!("split accepted what toml refuses: {e}\n{text}"),
            (_, None) => return false,
        }
        true
    }

    #[test]
    fn generated_estates_split_like_the_whole() {
        for (n, seed) in [(300, 1), (1000, 2), (50, 3)] {
            let g = crate::testgen::generate(n, seed);
            assert!(plain(&g.toml, 0..g.toml.len()));
            let pieces = cut(&g.toml, 1);
            assert!(pieces.len() > n, "{}", pieces.len());
            assert!(same_as_whole(&g.toml));
        }
    }

    #[test]
    fn bundled_topologies_split_like_the_whole() {
        for f in std::fs::read_dir("topologies").unwrap() {
            let p = f.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            if !p.to_string_lossy().ends_with(".plan.toml") {
                assert!(same_as_whole(&text), "{}", p.display());
            }
        }
    }

    #[test]
    fn fixtures_never_split_differently() {
        for dir in ["tests/fixtures/valid", "tests/fixtures/invalid"] {
            for f in std::fs::read_dir(dir).unwrap() {
                let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
                same_as_whole(&text);
            }
        }
    }

    const HEAD: &str = "[topology]\nname = \"t\"\n\n";

    #[test]
    fn headers_inside_values_are_not_cuts() {
        for body in [
            "[services.a]\ndescription = \"\"\"\n[services.b]\n\"\"\"\n",
            "[services.a]\nrunbook = '''\n[services.b]\n'''\n",
            "[services.a]\nrequires = [\n\"b\",\n[services.b]\n]\n",
            "[services.a]\nrequires = [ # [x]\n\"b\", # ]\n]\n[services.b]\n",
            "[services.a]\nname = \"\"\"x\\\"\"\"\n[services.b]\n\"\"\"\n",
            "[services.a]\nname = \"\"\"x\"\"\"\"\n[services.b]\n",
            "[services.a]\nname = 'x\"'\n[services.b]\n",
            "[services.a]\nname = \"x'\"\n[services.b]\nname = \"]\"\n[services.c]\n",
        ] {
            let text = format!("{HEAD}{body}");
            same_as_whole(&text);
        }
    }

    #[test]
    fn uncertain_shapes_fall_back() {
        for text in [
            "services.a.kind = \"x\"\n[topology]\nname = \"t\"\n",
            "services = { a = {} }\n[topology]\nname = \"t\"\n",
            "[topology]\nname = \"t\"\n[services]\na = {}\n[services.b]\n",
            "[topology]\nname = \"t\"\n[services.\"a\"]\n",
            "[topology]\nname = \"t\"\n[[services]]\n",
            "[topology]\nname = \"t\"\n[topolgy]\n",
            "[topology]\nname = \"t\"\n[services.a] x = 1\n",
        ] {
            assert!(!plain(text, 0..text.len()), "{text}");
            assert!(!same_as_whole(text), "{text}");
        }
    }

    #[test]
    fn entries_split_over_pieces_fall_back() {
        for body in [
            "[services.a]\n[services.b]\n[services.a.boot]\nminutes = 1\n",
            "[services.a]\n[services.b]\n[services.a]\n",
            "[groups.g]\nmembers = []\n[services.a]\n[groups.g]\nmembers = []\n",
        ] {
            let text = format!("{HEAD}{body}");
            assert!(plain(&text, 0..text.len()));
            assert!(!same_as_whole(&text), "{text}");
        }
        let twice = format!("{HEAD}[services.a]\n{HEAD}");
        assert!(!same_as_whole(&twice));
    }

    /// When the direct reader accepts a text, `toml` accepts it too and
    /// gives exactly the same structs and spans.
    fn fast_agrees(text: &str) -> bool {
        let Some(fast) = fast::parse(text, 0..text.len()) else {
            return false;
        };
        let whole = toml::from_str::<RawFile>(text);
        match (merge(vec![fast]), whole) {
            (Some(f), Ok(w)) => assert_eq!(dump(&f), dump(&w), "{text:?}"),
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
        "wants = []\nprobe = \"tcp://h:1\"\nrunbook = \"r\"\n\n",
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
        let (mut accepted, mut split_ok) = (0, 0);
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
            split_ok += usize::from(same_as_whole(&text));
        }
        eprintln!("accepted {accepted} split {split_ok}");
        // Many edits keep the plain shape.
        assert!(accepted > 300, "{accepted}");
        assert!(split_ok > 300, "{split_ok}");
    }

    #[test]
    fn pieces_the_reader_leaves_go_to_toml() {
        let text = format!(
            "{FEATURES}\n[services.z]\nname = \"tab\\there\"\nrequires = [\"a\"]\n\
             [groups.q]\nmembers = [\"z\", \"a\"]\nmin_up = 1_0\n[services.y]\nkind = 'k'\n"
        );
        assert!(!fast_agrees(&text));
        assert!(same_as_whole(&text));
        let raw = parse(&text).unwrap();
        let z = &raw.services.0.last().unwrap();
        assert_eq!(&text[z.0.span()], "z");
        assert_eq!(z.1.get_ref().name.as_deref(), Some("tab\there"));
    }

    #[test]
    fn spans_point_into_the_whole_text() {
        let g = crate::testgen::generate(400, 9);
        let raw = parse_pieces(&g.toml, &cut(&g.toml, 1)).unwrap();
        for (k, _) in &raw.services.0 {
            assert_eq!(&g.toml[k.span()], k.get_ref());
        }
    }
}
