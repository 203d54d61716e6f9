//! Service probes: `tcp://host:port` opens a connection, `http(s)://` GETs.
//!
//! A small pool of scoped threads takes the probes one by one from a shared
//! index, at most [`MAX_PARALLEL`] at a time: no async runtime for what is,
//! at worst, a thousand sockets waiting on their timeouts.

use super::http;
use crate::topology::{NodeId, State};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Probes running at once, at most (DESIGN.md).
pub const MAX_PARALLEL: usize = 64;

/// Stack of a probe thread: a TLS handshake needs far less than the
/// default 2 MiB, and 64 of them should not reserve 128 MiB.
const STACK: usize = 512 * 1024;

/// Runs every probe, at most [`MAX_PARALLEL`] at a time; the answers come
/// in the order of `probes`.
pub(super) fn run_all(
    agent: &ureq::Agent,
    probes: &[(NodeId, &str)],
    timeout: Duration,
) -> Vec<(State, String)> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(_, target)) = probes.get(i) else {
                return mine;
            };
            mine.push((i, probe(agent, target, timeout)));
        }
    };
    let threads = probes.len().min(MAX_PARALLEL);
    let parts: Vec<Vec<(usize, (State, String))>> = std::thread::scope(|s| {
        // A thread that cannot be started (a process limit) only means
        // fewer at a time: this thread works too.
        let helpers: Vec<_> = (1..threads)
            .map_while(|_| {
                std::thread::Builder::new()
                    .name("probe".into())
                    .stack_size(STACK)
                    .spawn_scoped(s, work)
                    .ok()
            })
            .collect();
        let mut parts = vec![work()];
        parts.extend(helpers.into_iter().filter_map(|h| h.join().ok()));
        parts
    });
    let mut out: Vec<Option<(State, String)>> = vec![None; probes.len()];
    for (i, r) in parts.into_iter().flatten() {
        out[i] = Some(r);
    }
    out.into_iter()
        .map(|r| r.unwrap_or((State::Down, "the probe stopped unexpectedly".to_string())))
        .collect()
}

/// One probe.
pub(super) fn probe(agent: &ureq::Agent, target: &str, timeout: Duration) -> (State, String) {
    match target.strip_prefix("tcp://") {
        Some(addr) => tcp(addr, timeout),
        None => get(agent, target, timeout),
    }
}

/// `http(s)://`: up on 2xx and 3xx, degraded on another status, down on
/// no answer (a TLS or certificate failure included).
fn get(agent: &ureq::Agent, url: &str, timeout: Duration) -> (State, String) {
    match agent.get(url).call() {
        Ok(resp) => {
            let status = resp.status();
            let words = status.canonical_reason().unwrap_or("");
            let detail = format!("HTTP {} {words}", status.as_u16())
                .trim_end()
                .to_string();
            if status.is_success() || status.is_redirection() {
                (State::Up, detail)
            } else {
                (State::Degraded, detail)
            }
        }
        Err(e) => (State::Down, http::describe(&e, timeout)),
    }
}

/// `tcp://host:port`: up when a connection opens within `timeout`, name
/// resolution included.
fn tcp(addr: &str, timeout: Duration) -> (State, String) {
    let deadline = Instant::now() + timeout;
    let late = || format!("no connection within {} ms", timeout.as_millis());
    let addrs = match resolve(addr, timeout) {
        Ok(a) => a,
        Err(why) => return (State::Down, why),
    };
    let mut last = format!("`{addr}` has no address");
    for a in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (State::Down, late());
        }
        match TcpStream::connect_timeout(&a, left) {
            Ok(_) => return (State::Up, format!("connected to {a}")),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::TimedOut) => last = late(),
            Err(e) => last = http::io_reason(&e),
        }
    }
    (State::Down, last)
}

/// The addresses of `host:port`, within `timeout`: the system resolver
/// has no timeout of its own, so a name is resolved on a thread of its
/// own, left behind if it hangs.
fn resolve(addr: &str, timeout: Duration) -> Result<Vec<SocketAddr>, String> {
    if let Ok(a) = addr.parse::<SocketAddr>() {
        return Ok(vec![a]);
    }
    let (tx, rx) = mpsc::channel();
    let owned = addr.to_string();
    std::thread::Builder::new()
        .name("resolve".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            let _ = tx.send(owned.to_socket_addrs().map(Vec::from_iter));
        })
        .map_err(|e| format!("cannot resolve `{addr}`: {e}"))?;
    match rx.recv_timeout(timeout) {
        Ok(Ok(a)) => Ok(a),
        Ok(Err(e)) => Err(format!("cannot resolve `{addr}`: {}", http::io_reason(&e))),
        Err(_) => Err(format!(
            "cannot resolve `{addr}` within {} ms",
            timeout.as_millis()
        )),
    }
}
