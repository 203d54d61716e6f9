//! Text helpers shared by every output: making user-written strings inert on a
//! terminal, and wrapping to a width.

use std::borrow::Cow;

/// True for characters that must never reach a terminal raw: control
/// characters (they can move the cursor, change colours, set the title...),
/// bidirectional overrides (they can make text read differently from what it
/// is) and invisible zero-width characters (they can make two ids look equal).
pub fn is_hazardous(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{FEFF}'              // zero-width no-break space (BOM)
        )
}

/// The string with every hazardous character shown as an escape such as
/// `\u{1b}`, so names from a topology file cannot act on the terminal.
pub fn inert(s: &str) -> Cow<'_, str> {
    // Printable ASCII, as nearly every line is: one quick pass.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(is_hazardous) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hazardous(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A share of users as a percentage: `0.3` -> `30%`, `0.125` -> `12.5%`.
pub fn percent(x: f64) -> String {
    let p = x * 100.0;
    let s = format!("{p:.1}");
    let s = s.strip_suffix(".0").unwrap_or(&s);
    format!("{s}%")
}

/// Greedy word wrap to `width` characters; words longer than the width are
/// split. Returns at least one (possibly empty) line.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in s.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            lines.push(word.drain(..width).collect());
        }
        if len > 0 && len + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        len += word.len();
        line.extend(word);
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Shortens `s` to at most `width` characters, ending with an ellipsis when
/// something was cut.
pub fn truncate(s: &str, width: usize, ellipsis: &str) -> String {
    let count = s.chars().count();
    if count <= width {
        return s.to_string();
    }
    let keep = width.saturating_sub(ellipsis.chars().count());
    let mut out: String = s.chars().take(keep).collect();
    out.push_str(ellipsis);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_made_inert() {
        assert_eq!(inert("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(inert("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(inert("plain"), "plain");
    }

    #[test]
    fn wraps_at_width() {
        let w = wrap("one two three four five six", 10);
        assert_eq!(w, vec!["one two", "three four", "five six"]);
        assert!(w.iter().all(|l| l.chars().count() <= 10));
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("abcdefghijkl", 8), vec!["abcdefgh", "ijkl"]);
    }

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate("abcdef", 4, "…"), "abc…");
        assert_eq!(truncate("abc", 4, "…"), "abc");
    }
}

/// Natural order: runs of digits compare by their value, the rest byte by
/// byte, so `app-2` comes before `app-10` and `app-101` before `app-1000`.
/// Equal values with different zero padding fall back to plain order, so
/// the order is total.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        if x[i].is_ascii_digit() && y[j].is_ascii_digit() {
            let si = i;
            while i < x.len() && x[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < y.len() && y[j].is_ascii_digit() {
                j += 1;
            }
            // Compare the digit runs by value without parsing (they may be
            // longer than any integer): strip leading zeros, then length,
            // then digits.
            let p = trim_zeros(&x[si..i]);
            let q = trim_zeros(&y[sj..j]);
            let by_value = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
            if by_value != Ordering::Equal {
                return by_value;
            }
        } else {
            match x[i].cmp(&y[j]) {
                Ordering::Equal => {
                    i += 1;
                    j += 1;
                }
                other => return other,
            }
        }
    }
    (x.len() - i).cmp(&(y.len() - j)).then_with(|| a.cmp(b))
}

/// A byte string whose byte order is [`natural_cmp`]'s order for ids
/// whose digit runs have at most 9 significant digits: each digit run
/// becomes one byte in `'0'..='9'` saying how many significant digits it
/// has (a digit against any other character compares as before), then
/// those digits; a zero byte and the id itself break ties as
/// `natural_cmp` does. Longer runs get the byte of 9: callers check the
/// order the keys give.
pub fn natural_key(id: &str) -> Vec<u8> {
    let b = id.as_bytes();
    let mut out = Vec::with_capacity(2 * b.len() + 2);
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let digits = trim_zeros(&b[start..i]);
            out.push(b'0' + digits.len().min(9) as u8);
            out.extend_from_slice(digits);
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out.push(0);
    out.extend_from_slice(b);
    out
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let start = d.iter().position(|&c| c != b'0').unwrap_or(d.len());
    &d[start..]
}

#[cfg(test)]
mod natural_tests {
    use super::natural_cmp;

    #[test]
    fn numbers_in_ids_sort_by_value() {
        let mut v = vec![
            "app-1000", "app-101", "app-2", "app-10", "app-b", "app-a", "app-02",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "app-02", "app-2", "app-10", "app-101", "app-1000", "app-a", "app-b"
            ]
        );
        assert_eq!(natural_cmp("x", "x"), std::cmp::Ordering::Equal);
        assert_eq!(natural_cmp("x1", "x"), std::cmp::Ordering::Greater);
    }

    /// The keys order ids exactly as `natural_cmp` does, up to 9
    /// significant digits a run: on short random ids over an alphabet of
    /// digits (zeros too), separators, letters and a non-ASCII letter,
    /// every pair compares the same both ways.
    #[test]
    fn natural_keys_order_as_natural_cmp() {
        use super::natural_key;
        let alphabet = [
            "0", "1", "2", "9", "-", ".", "_", "a", "b", "Z", "é", "00", "10",
        ];
        let mut rng = crate::testgen::Rng::new(7);
        let ids: Vec<String> = (0..600)
            .map(|_| {
                (0..rng.range(0, 6))
                    .map(|_| alphabet[rng.below(alphabet.len())])
                    .collect()
            })
            .collect();
        for a in &ids {
            for b in &ids {
                assert_eq!(
                    natural_key(a).cmp(&natural_key(b)),
                    natural_cmp(a, b),
                    "{a:?} {b:?}"
                );
            }
        }
    }
}

/// A time as RFC 3339 in UTC, to the second: `2026-11-29T21:30:04Z`.
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let day = crate::topology::Date::from_days_since_epoch(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{day}T{:02}:{:02}:{:02}Z", s / 3600, (s / 60) % 60, s % 60)
}

/// With `BLASTRADIUS_PHASES` set, writes to standard error how long the
/// process has run when it reaches `phase`: where the time of a large load
/// goes, measured by whoever has the large file (see the README's scale
/// table).
pub fn phase(phase: &str) {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    let start =
        START.get_or_init(|| std::env::var_os("BLASTRADIUS_PHASES").map(|_| Instant::now()));
    if let Some(t) = start {
        eprintln!("phase {:>8.1} ms  {phase}", t.elapsed().as_secs_f64() * 1e3);
    }
}
