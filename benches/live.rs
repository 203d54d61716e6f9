//! A live refresh of 1,000 probes with a 2 s timeout on loopback, half of
//! them to a listener that accepts and never answers, 64 at a time
//! (DESIGN.md's target: under 35 s of wall, under 50 MB of extra memory).
//!
//! One refresh is measured first, with its peak memory above the resident
//! set before it (Linux: `VmHWM` after a reset through `clear_refs`); then
//! criterion takes its ten samples. Each takes about 16 s: 500 silent
//! probes, 64 at a time, cost ceil(500 / 64) = 8 rounds of 2 s.

use blastradius::live::{self, Sources};
use blastradius::topology;
use criterion::{Criterion, criterion_group, criterion_main};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant, SystemTime};

const PROBES: usize = 1_000;
const TIMEOUT: Duration = Duration::from_secs(2);

/// A listener that answers `200 OK` to every request.
fn answers() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf);
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            });
        }
    });
    port
}

/// A listener that accepts every connection and never answers; each
/// connection is held until the prober gives up and closes it.
fn never_answers() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 2048];
                while s.read(&mut buf).is_ok_and(|n| n > 0) {}
            });
        }
    });
    port
}

/// The topology: 250 tcp and 250 http probes that succeed, 500 http
/// probes to the silent listener.
fn estate() -> topology::Topology {
    let (ok, silent) = (answers(), never_answers());
    let mut text = String::from("[topology]\nname = \"probes\"\n[live]\ntimeout_ms = 2000\n");
    for i in 0..PROBES {
        let probe = match i % 4 {
            0 => format!("tcp://127.0.0.1:{ok}"),
            1 => format!("http://127.0.0.1:{ok}/health"),
            _ => format!("http://127.0.0.1:{silent}/health"),
        };
        text += &format!("[services.s{i:04}]\nprobe = \"{probe}\"\n");
    }
    topology::load("probes.toml", &text).unwrap()
}

/// A line of `/proc/self/status`, in kB.
fn status_kb(key: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn refresh(c: &mut Criterion) {
    let topo = estate();
    let sources = Sources::of(&topo);
    assert_eq!(sources.timeout, TIMEOUT);

    // Once, with its memory.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kb("VmRSS:");
    let start = Instant::now();
    let obs = live::observe(&topo, &sources, SystemTime::now());
    let wall = start.elapsed();
    let peak = status_kb("VmHWM:");
    let up = obs
        .observed
        .iter()
        .filter(|o| o.state == topology::State::Up)
        .count();
    eprintln!(
        "live refresh: {PROBES} probes ({up} up) in {:.1} s; peak memory {} above the {} before",
        wall.as_secs_f64(),
        match (before, peak) {
            (Some(b), Some(p)) => format!("{:.1} MB", p.saturating_sub(b) as f64 / 1024.0),
            _ => "unknown".to_string(),
        },
        before.map_or("unknown".to_string(), |b| format!(
            "{:.1} MB",
            b as f64 / 1024.0
        )),
    );

    let mut group = c.benchmark_group("live refresh");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(1));
    group.bench_function("1000 probes, 500 silent, 2 s timeout", |b| {
        b.iter(|| live::observe(&topo, &sources, SystemTime::now()));
    });
    group.finish();
}

criterion_group!(benches, refresh);
criterion_main!(benches);
