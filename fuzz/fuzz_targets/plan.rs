//! Any text given as a plan: parsing never panics, and what parses saves and
//! parses back to the same plan.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match blastradius::plan::Plan::parse("fuzz.plan.toml", text) {
        Ok(plan) => {
            let saved = plan.to_toml();
            let back = blastradius::plan::Plan::parse("saved", &saved)
                .unwrap_or_else(|e| panic!("saved plan does not parse: {e}\n{saved}"));
            let strip = |p: &blastradius::plan::Plan| {
                let mut p = p.clone();
                p.changes.iter_mut().for_each(|c| c.span = None);
                p
            };
            assert_eq!(strip(&back), strip(&plan), "{saved}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
