//! Any text given as a topology: loading never panics, and what loads lints.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match blastradius::topology::load("fuzz.toml", text) {
            Ok(t) => {
                let _ = blastradius::topology::lint(&t);
            }
            Err(e) => {
                // Rendering the diagnostics must not panic either.
                let _ = e.to_string();
            }
        }
    }
});
