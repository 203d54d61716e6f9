//! Located diagnostics: the file, line and column of a problem, the offending
//! snippet, and what to do about it.
//!
//! Every error a user can cause by writing a file goes through [`Diagnostic`],
//! so they all look the same whichever part of the loader found them.

use std::fmt;
use std::ops::Range;

/// A problem found in one input file, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line, 0 when the problem has no location in the text.
    pub line: usize,
    /// 1-based column in characters, 0 when unlocated.
    pub column: usize,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The line of text the problem is on (without its newline).
    pub snippet: String,
    /// Characters of `snippet` to underline: `(start column, width)`, 1-based.
    pub underline: (usize, usize),
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at a byte span of `source`.
    pub fn at(source: &Source<'_>, span: Range<usize>, message: impl Into<String>) -> Self {
        let (line, column, snippet, width) = source.locate(span);
        let (snippet, underline) = window(snippet, column, width);
        Diagnostic {
            file: source.name.to_string(),
            line,
            column,
            message: message.into(),
            snippet,
            underline,
            help: None,
        }
    }

    /// A diagnostic about the file as a whole (no line to point at).
    pub fn whole_file(file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            snippet: String::new(),
            underline: (0, 0),
            help: None,
        }
    }

    /// Adds advice on how to fix the problem.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// Renders in the style of rustc/cargo, which operators already read daily:
    ///
    /// ```text
    /// error: unknown service `db-primay` in `requires`
    ///   --> web.toml:12:13
    ///    |
    /// 12 | requires = ["db-primay"]
    ///    |             ^^^^^^^^^^^
    ///    = help: did you mean `db-primary`?
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", crate::text::inert(&self.message))?;
        if self.line == 0 {
            write!(f, "  --> {}", crate::text::inert(&self.file))?;
        } else {
            let gutter = self.line.to_string().len();
            let pad = " ".repeat(gutter);
            writeln!(
                f,
                "{pad}--> {}:{}:{}",
                crate::text::inert(&self.file),
                self.line,
                self.column
            )?;
            writeln!(f, "{pad} |")?;
            writeln!(f, "{} | {}", self.line, crate::text::inert(&self.snippet))?;
            let (start, width) = self.underline;
            write!(
                f,
                "{pad} | {}{}",
                " ".repeat(start.saturating_sub(1)),
                "^".repeat(width.max(1))
            )?;
        }
        if let Some(help) = &self.help {
            let pad = " ".repeat(if self.line == 0 {
                1
            } else {
                self.line.to_string().len()
            });
            let mut lines = help.lines();
            write!(
                f,
                "\n{pad} = help: {}",
                crate::text::inert(lines.next().unwrap_or(""))
            )?;
            for l in lines {
                if l.trim().is_empty() {
                    writeln!(f)?;
                } else {
                    write!(f, "\n{pad}   {}", crate::text::inert(l))?;
                }
            }
        }
        Ok(())
    }
}

/// Several diagnostics about one or more files, reported together so a user
/// can fix a whole file in one pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

/// Errors shown at most; the rest are counted on one line. A file with ten
/// thousand copies of one mistake needs the first few to be fixed, not a
/// terminal full of them (DESIGN.md "Files and limits").
pub const MAX_SHOWN: usize = 50;

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().take(MAX_SHOWN).enumerate() {
            if i > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        let rest = self.0.len().saturating_sub(MAX_SHOWN);
        if rest > 0 {
            write!(
                f,
                "\n\nerror: {rest} more error{} not shown ({} in all); fix the ones above and run again",
                if rest == 1 { "" } else { "s" },
                self.0.len()
            )?;
        }
        Ok(())
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// A named text being loaded, able to turn byte offsets into lines and columns.
pub struct Source<'a> {
    /// The name shown to the user (the path as given).
    pub name: &'a str,
    /// The whole text.
    pub text: &'a str,
    /// The byte offset of each line's start, built on the first error
    /// located (codespan's line table): every later error is found by a
    /// binary search instead of a rescan of the text before it, which made
    /// ten thousand errors in one file cost minutes.
    lines: std::sync::OnceLock<Vec<usize>>,
}

impl<'a> Source<'a> {
    /// Wraps a text with the name to show in diagnostics.
    pub fn new(name: &'a str, text: &'a str) -> Self {
        Source {
            name,
            text,
            lines: std::sync::OnceLock::new(),
        }
    }

    /// The start of every line, in order; the first is 0.
    fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// Line (1-based), column (1-based, in characters), the line's text, and
    /// the width in characters of the span clipped to that line.
    ///
    /// # Complexity
    /// O(log lines + the line's length), after the line table is built once.
    fn locate(&self, span: Range<usize>) -> (usize, usize, &'a str, usize) {
        let text = self.text;
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
        let starts = self.line_starts();
        // The last line start at or before `start`.
        let line = starts.partition_point(|&s| s <= start).max(1);
        let line_start = starts[line - 1];
        let line_end = starts
            .get(line)
            .map_or(text.len(), |&next| next - 1)
            .max(line_start);
        let column = text[line_start..start].chars().count() + 1;
        let snippet = text[line_start..line_end].trim_end_matches('\r');
        let width = text[start..end.min(line_end).max(start)].chars().count();
        (line, column, snippet, width)
    }
}

/// Lines longer than this are shown as a window around the problem: a
/// minified or generated file can have a line of megabytes.
const MAX_SNIPPET: usize = 120;

/// The part of a long line around a column, with `…` where it was cut, and
/// the underline moved to match.
fn window(line: &str, column: usize, width: usize) -> (String, (usize, usize)) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_SNIPPET {
        return (line.to_string(), (column, width));
    }
    let col0 = column.saturating_sub(1).min(chars.len());
    let start = col0.saturating_sub(MAX_SNIPPET / 2);
    let end = (start + MAX_SNIPPET).min(chars.len());
    let mut out = String::new();
    let mut shift = 0;
    if start > 0 {
        out.push('…');
        shift = 1;
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    let ucol = col0 - start + shift + 1;
    let uwidth = width.min(end.saturating_sub(col0)).max(1);
    (out, (ucol, uwidth))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The candidate closest to `wanted` by edit distance, if it is close enough
/// to be a plausible typo (at most a third of the word, and at least one edit).
///
/// # Complexity
/// O(candidates) for the length test, and an edit distance only for the
/// candidates whose length is within the limit of `wanted`'s: two words
/// whose lengths differ by more than the limit are further apart than it.
/// A name longer than [`MAX_SUGGESTED`] characters gets no suggestion.
pub fn nearest<'c>(wanted: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let len = wanted.chars().count();
    if len > MAX_SUGGESTED {
        return None;
    }
    let limit = (len / 3).max(2);
    let wanted: Vec<char> = wanted.chars().collect();
    let mut scratch = (Vec::new(), Vec::new(), Vec::new());
    candidates
        .into_iter()
        // Bytes bound characters from above (and by 4x from below): a cheap
        // first cut before counting characters.
        .filter(|c| c.len() + limit >= len && c.len() <= 4 * (len + limit))
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (edit_distance(&wanted, c, &mut scratch), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Names longer than this get no "did you mean": ids are short, and an
/// edit distance costs the product of two lengths.
pub const MAX_SUGGESTED: usize = 256;

/// Levenshtein distance over characters; `scratch` holds buffers reused
/// from one call to the next.
fn edit_distance(a: &[char], b: &str, scratch: &mut (Vec<char>, Vec<usize>, Vec<usize>)) -> usize {
    #[cfg(test)]
    DISTANCES.with(|n| n.set(n.get() + 1));
    let (bc, prev, cur) = scratch;
    bc.clear();
    bc.extend(b.chars());
    prev.clear();
    prev.extend(0..=bc.len());
    cur.clear();
    cur.resize(bc.len() + 1, 0);
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in bc.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(prev, cur);
    }
    prev[bc.len()]
}

#[cfg(test)]
thread_local! {
    /// Edit distances computed on this thread: what the tests of the
    /// suggestions' cost count.
    pub(crate) static DISTANCES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// "did you mean `x`?" for an unknown name, or a fallback hint.
pub fn did_you_mean<'c>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    otherwise: &str,
) -> String {
    match nearest(wanted, candidates) {
        Some(c) => format!("did you mean `{c}`?"),
        None => otherwise.to_string(),
    }
}

/// A `toml` parse or deserialize error as a located diagnostic. A misspelt
/// key or value ("unknown field `requries`") gets "did you mean"; anything
/// else gets `help`.
pub fn from_toml(src: &Source<'_>, e: &toml::de::Error, help: &str) -> Diagnostics {
    let message = e.message().trim();
    let first = message.lines().next().unwrap_or("invalid TOML").to_string();
    let d = match e.span() {
        Some(span) => Diagnostic::at(src, span, first),
        None => Diagnostic::whole_file(src.name, first),
    };
    d.with_help(suggestion_for_unknown(message).unwrap_or_else(|| help.to_string()))
        .into()
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" and "unknown
/// variant" messages: the nearest expected word.
fn suggestion_for_unknown(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (wanted, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    Some(did_you_mean(
        wanted,
        candidates.iter().copied(),
        &format!("expected one of: {}", candidates.join(", ")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_column_in_characters() {
        let text = "a = 1\nbé = \"x\"\nc = 3\n";
        let src = Source::new("f.toml", text);
        let start = text.find("\"x\"").unwrap();
        let d = Diagnostic::at(&src, start..start + 3, "bad");
        assert_eq!((d.line, d.column), (2, 6));
        assert_eq!(d.snippet, "bé = \"x\"");
        assert_eq!(d.underline, (6, 3));
        let shown = d.to_string();
        assert!(shown.contains("--> f.toml:2:6"), "{shown}");
        assert!(shown.contains("2 | bé = \"x\""), "{shown}");
        assert!(shown.contains("  |      ^^^"), "{shown}");
    }

    #[test]
    fn suggests_close_names_only() {
        let ids = ["db-primary", "db-replica", "cache"];
        assert_eq!(nearest("db-primay", ids), Some("db-primary"));
        assert_eq!(nearest("cahce", ids), Some("cache"));
        assert_eq!(nearest("frontend", ids), None);
    }

    #[test]
    fn a_very_long_line_is_shown_as_a_window_around_the_problem() {
        let text = format!("a = [{}x{}]", "1,".repeat(5000), ",2".repeat(5000));
        let at = text.find('x').unwrap();
        let d = Diagnostic::at(&Source::new("f", &text), at..at + 1, "bad");
        assert_eq!(d.column, at + 1);
        assert!(d.snippet.chars().count() <= MAX_SNIPPET + 2);
        let (ucol, w) = d.underline;
        assert_eq!(d.snippet.chars().nth(ucol - 1), Some('x'));
        assert_eq!(w, 1);
    }

    #[test]
    fn suggests_misspelt_field() {
        let h =
            suggestion_for_unknown("unknown field `requries`, expected one of `requires`, `wants`");
        assert_eq!(h.as_deref(), Some("did you mean `requires`?"));
    }

    #[test]
    fn suggestions_skip_candidates_of_a_far_length() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("svc-{i}")).collect();
        let before = DISTANCES.with(|n| n.get());
        assert_eq!(
            nearest("database-primray", ids.iter().map(String::as_str)),
            None
        );
        assert_eq!(DISTANCES.with(|n| n.get()) - before, 0, "pruned by length");
        // Only the candidates within reach by length are measured.
        let mut ids = ids;
        ids.push("database-primary".into());
        let before = DISTANCES.with(|n| n.get());
        assert_eq!(
            nearest("database-primray", ids.iter().map(String::as_str)),
            Some("database-primary")
        );
        assert_eq!(DISTANCES.with(|n| n.get()) - before, 1);
        assert_eq!(nearest(&"x".repeat(MAX_SUGGESTED + 1), ["x"]), None);
    }

    #[test]
    fn many_errors_are_located_through_the_line_table() {
        let text: String = (0..20_000)
            .map(|i| format!("k{i} = [\"é\", \"x\"]\n"))
            .collect();
        let src = Source::new("f", &text);
        let mut at = 0;
        for (i, line) in text.lines().enumerate().step_by(997) {
            let start = text[at..].find(line).unwrap() + at;
            at = start;
            let x = start + line.find('x').unwrap();
            let d = Diagnostic::at(&src, x..x + 1, "bad");
            assert_eq!((d.line, d.snippet.as_str()), (i + 1, line));
            assert_eq!(
                d.column,
                line[..line.find('x').unwrap()].chars().count() + 1
            );
        }
        // The last line without a newline, and the very end.
        let src = Source::new("f", "a\nbc");
        assert_eq!(Diagnostic::at(&src, 3..4, "x").line, 2);
        assert_eq!(Diagnostic::at(&src, 4..4, "x").column, 3);
    }

    #[test]
    fn at_most_fifty_errors_are_shown_then_one_line_counts_the_rest() {
        let all = Diagnostics(
            (0..10_000)
                .map(|i| Diagnostic::whole_file("f.toml", format!("problem {i}")))
                .collect(),
        );
        let shown = all.to_string();
        assert_eq!(shown.matches("error: problem").count(), MAX_SHOWN);
        assert!(
            shown.ends_with(
                "error: 9950 more errors not shown (10000 in all); fix the ones above and run again"
            ),
            "{shown}"
        );
        let few = Diagnostics(vec![Diagnostic::whole_file("f", "one")]).to_string();
        assert!(!few.contains("not shown"), "{few}");
    }

    #[test]
    fn span_past_the_end_does_not_panic() {
        let src = Source::new("f", "ab");
        let d = Diagnostic::at(&src, 10..20, "x");
        assert_eq!(d.line, 1);
    }
}
