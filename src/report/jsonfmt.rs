//! Pretty JSON whose strings cannot act on a terminal: what a topology's
//! author wrote reaches `jq`, a CI log or a pager as `\u009b`, never as a
//! raw C1 control or a bidi override.

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, Write};

/// `value` as pretty-printed JSON, every character that
/// [`crate::text::is_hazardous`] names written as a `\uXXXX` escape.
///
/// serde_json escapes only what JSON requires (`"`, `\` and U+0000 to
/// U+001F); C1 controls such as U+009B (a CSI on many terminals), DEL,
/// bidi overrides and isolates, and zero-width characters pass raw. The
/// document means the same to any JSON reader either way.
pub(crate) fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Inert(PrettyFormatter::new()));
    value.serialize(&mut ser).expect("JSON serialises");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// serde_json's pretty formatter, with hazardous characters escaped.
struct Inert<'a>(PrettyFormatter<'a>);

impl Formatter for Inert<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest
            .char_indices()
            .find(|&(_, c)| crate::text::is_hazardous(c))
        {
            writer.write_all(&rest.as_bytes()[..at])?;
            // Every hazardous character is in the Basic Multilingual Plane.
            write!(writer, "\\u{:04x}", c as u32)?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    // The layout is the pretty formatter's.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_controls_and_bidi_overrides_are_escaped_in_json_strings() {
        let s = to_string_pretty(&["a\u{9b}2Jb", "x\u{202e}y\u{2066}z\u{7f}", "plain é"]);
        assert!(s.contains(r#""a\u009b2Jb""#), "{s}");
        assert!(s.contains(r#""x\u202ey\u2066z\u007f""#), "{s}");
        assert!(s.contains("\"plain é\""), "{s}");
        assert!(
            !s.chars().any(|c| crate::text::is_hazardous(c) && c != '\n'),
            "{s}"
        );
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back[0], "a\u{9b}2Jb");
        // The layout is serde_json's pretty one.
        assert_eq!(
            to_string_pretty(&serde_json::json!({"a": [1, 2]})),
            serde_json::to_string_pretty(&serde_json::json!({"a": [1, 2]})).unwrap()
        );
    }
}
