//! What the environment says about the terminal: width and character set.
//! Read from variables only, so the core and tests stay terminal-free.

use crate::report::Glyphs;

/// True when the locale or terminal cannot be trusted with Unicode:
/// `TERM=linux` (the kernel console) or a locale that is set and not UTF-8.
/// An unset locale is taken as UTF-8-capable, as nearly every terminal
/// emulator is.
pub fn ascii_only() -> bool {
    ascii_only_from(|k| std::env::var(k).ok())
}

fn ascii_only_from(get: impl Fn(&str) -> Option<String>) -> bool {
    if get("TERM").as_deref() == Some("linux") {
        return true;
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|k| get(k))
        .find(|v| !v.is_empty());
    match locale {
        None => false,
        Some(l) => {
            let l = l.to_ascii_lowercase();
            !(l.contains("utf-8") || l.contains("utf8"))
        }
    }
}

/// Unicode or ASCII glyphs, from the environment.
pub fn glyphs_from_env() -> Glyphs {
    if ascii_only() {
        Glyphs::ASCII
    } else {
        Glyphs::UNICODE
    }
}

/// The width for text output: `COLUMNS` when set and sane, else 80.
pub fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|&c| (40..=400).contains(&c))
        .unwrap_or(80)
}

#[cfg(test)]
mod tests {
    use super::ascii_only_from;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(a, _)| *a == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn locale_decides_the_charset() {
        assert!(!ascii_only_from(env(&[])));
        assert!(!ascii_only_from(env(&[("LANG", "en_US.UTF-8")])));
        assert!(ascii_only_from(env(&[("LANG", "C")])));
        assert!(ascii_only_from(env(&[
            ("LC_ALL", "POSIX"),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(ascii_only_from(env(&[
            ("TERM", "linux"),
            ("LANG", "en_US.UTF-8")
        ])));
        assert!(!ascii_only_from(env(&[
            ("LC_ALL", ""),
            ("LANG", "de_DE.utf8")
        ])));
    }
}
