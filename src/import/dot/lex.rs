//! The DOT lexer: bytes to tokens, each with its span.

use crate::diag::{Diagnostic, Diagnostics, Source};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// An identifier, numeral, quoted string or HTML string.
    Id {
        value: String,
        quoted: bool,
        html: bool,
    },
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Semi,
    Comma,
    Eq,
    Colon,
    Plus,
    /// `->`
    Arrow,
    /// `--`
    Line,
    Eof,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) span: Range<usize>,
}

impl Token {
    /// True for an unquoted keyword (DOT keywords are case-insensitive).
    pub(super) fn is_keyword(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Id { value, quoted: false, html: false } if value.eq_ignore_ascii_case(kw))
    }
}

pub(super) fn lex(src: &Source<'_>) -> Result<Vec<Token>, Diagnostics> {
    let text = src.text;
    let bytes = text.as_bytes();
    let mut toks = Vec::new();
    // A byte-order mark is not part of the first token.
    let mut i = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    // Only whitespace since the start of the line: a `#` here starts a
    // preprocessor line, which DOT discards.
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b == b'#' && line_start {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        line_start = false;
        if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        if text[i..].starts_with("/*") {
            match text[i + 2..].find("*/") {
                Some(n) => i += 2 + n + 2,
                None => {
                    return Err(Diagnostic::at(src, i..i + 2, "unterminated comment")
                        .with_help("close it with `*/`")
                        .into());
                }
            }
            continue;
        }
        let word_byte = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c >= 0x80;
        let tok = match b {
            b'{' => Tok::LBrace,
            b'}' => Tok::RBrace,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b';' => Tok::Semi,
            b',' => Tok::Comma,
            b'=' => Tok::Eq,
            b':' => Tok::Colon,
            b'+' => Tok::Plus,
            b'-' if bytes.get(i + 1) == Some(&b'>') => Tok::Arrow,
            b'-' if bytes.get(i + 1) == Some(&b'-') => Tok::Line,
            b'"' => {
                let (value, end) = quoted(src, i)?;
                i = end;
                Tok::Id {
                    value,
                    quoted: true,
                    html: false,
                }
            }
            b'<' => {
                let (value, end) = html(src, i)?;
                i = end;
                Tok::Id {
                    value,
                    quoted: true,
                    html: true,
                }
            }
            _ if word_byte(b) || (b == b'-' && bytes.get(i + 1).is_some_and(|c| word_byte(*c))) => {
                i += 1;
                // Unlike Graphviz, a `-` between word characters stays in
                // the word: `app-1` is one node, as its author meant
                // (Graphviz reads `app` and `-1` and warns "badly delimited
                // number").
                while i < bytes.len()
                    && (word_byte(bytes[i])
                        || (bytes[i] == b'-' && bytes.get(i + 1).is_some_and(|c| word_byte(*c))))
                {
                    i += 1;
                }
                Tok::Id {
                    value: text[start..i].to_string(),
                    quoted: false,
                    html: false,
                }
            }
            _ => {
                let c = text[i..].chars().next().unwrap_or('?');
                return Err(Diagnostic::at(
                    src,
                    i..i + c.len_utf8(),
                    format!("unexpected character `{}` in DOT", c.escape_debug()),
                )
                .with_help(
                    "quote ids that contain spaces or punctuation, e.g. \"aws_instance.web[0]\"",
                )
                .into());
            }
        };
        // Punctuation is one byte, arrows two; ids moved `i` past themselves.
        if i == start {
            i += match tok {
                Tok::Arrow | Tok::Line => 2,
                _ => 1,
            };
        }
        toks.push(Token {
            tok,
            span: start..i,
        });
    }
    toks.push(Token {
        tok: Tok::Eof,
        span: bytes.len()..bytes.len(),
    });
    Ok(toks)
}

/// A double-quoted string starting at `start`: its value and the offset after
/// the closing quote. As in Graphviz, `\"` is a quote, a backslash before a
/// newline continues the line, and other backslashes stay as written.
fn quoted(src: &Source<'_>, start: usize) -> Result<(String, usize), Diagnostics> {
    let text = src.text;
    let mut out = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((off, c)) = chars.next() {
        match c {
            '"' => return Ok((out, start + 1 + off + 1)),
            '\\' => match chars.clone().next() {
                Some((_, '"')) => {
                    chars.next();
                    out.push('"');
                }
                Some((_, '\\')) => {
                    chars.next();
                    out.push_str("\\\\");
                }
                Some((_, '\n')) => {
                    chars.next();
                }
                Some((_, '\r')) => {
                    chars.next();
                    if chars.clone().next().is_some_and(|(_, c)| c == '\n') {
                        chars.next();
                    }
                }
                _ => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    Err(Diagnostic::at(src, start..start + 1, "unterminated string")
        .with_help("close the string with `\"`; write a quote inside it as `\\\"`")
        .into())
}

/// An HTML string `<...>` with balanced angle brackets: its inside and the
/// offset after the closing `>`.
fn html(src: &Source<'_>, start: usize) -> Result<(String, usize), Diagnostics> {
    let text = src.text;
    let mut depth = 0usize;
    for (off, c) in text[start..].char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    let end = start + off + 1;
                    return Ok((text[start + 1..end - 1].to_string(), end));
                }
            }
            _ => {}
        }
    }
    Err(
        Diagnostic::at(src, start..start + 1, "unterminated HTML string")
            .with_help("an HTML id or label `<...>` needs as many `>` as `<`")
            .into(),
    )
}
