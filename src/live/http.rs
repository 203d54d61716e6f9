//! The HTTP client: `ureq`, blocking, one agent per refresh.
//!
//! Every call is bounded by one global timeout (resolving, connecting, the
//! TLS handshake, the headers and the body together), so a server that
//! accepts and never answers costs the timeout and no more.

use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;
use ureq::Agent;
use ureq::tls::{RootCerts, TlsConfig};

/// Bytes read at most from a server's answer: a million-series `up` is
/// about 150 MB of JSON, more than any estate this tool reads.
const BODY_LIMIT: u64 = 256 * 1024 * 1024;

/// An agent whose every call ends within `timeout`.
///
/// Status codes are answers, not errors (a probe's 500 is `degraded`);
/// redirects are not followed (a probe's 3xx is `up`, and a server's API
/// does not redirect); nothing is kept alive between calls (a probe opens
/// its own connection, as a health check must). TLS is verified against
/// the host's trust store, so an estate's private CA counts as it does
/// for curl on the same machine.
pub(super) fn agent(timeout: Duration) -> Agent {
    Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_idle_connections(0)
        .user_agent(concat!("blastradius/", env!("CARGO_PKG_VERSION")))
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::PlatformVerifier)
                .unversioned_rustls_crypto_provider(Arc::new(
                    rustls::crypto::ring::default_provider(),
                ))
                .build(),
        )
        .build()
        .into()
}

/// GETs `url` and returns its body when the status is 2xx.
///
/// # Errors
/// Why there is no body: no answer (with [`describe`]'s words), another
/// status (with the start of the body), or a body over the limit.
pub(super) fn get_ok(agent: &Agent, url: &str, timeout: Duration) -> Result<Vec<u8>, String> {
    let mut resp = agent
        .get(url)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| describe(&e, timeout))?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(BODY_LIMIT)
        .read_to_vec()
        .map_err(|e| describe(&e, timeout));
    if !(200..300).contains(&status) {
        let said = body
            .ok()
            .map(|b| {
                String::from_utf8_lossy(&b[..b.len().min(200)])
                    .trim()
                    .to_string()
            })
            .filter(|s| !s.is_empty())
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        return Err(format!("HTTP {status}{said}"));
    }
    body
}

/// A short reason for a failed call, in an operator's words.
pub(super) fn describe(e: &ureq::Error, timeout: Duration) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("no answer within {} ms", timeout.as_millis()),
        // A handshake that fails comes as an I/O error wrapping rustls'.
        ureq::Error::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
            Some(tls) => format!("TLS: {tls}"),
            None => io_reason(io),
        },
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::Rustls(tls) => format!("TLS: {tls}"),
        ureq::Error::Tls(tls) => format!("TLS: {tls}"),
        other => other.to_string(),
    }
}

/// The words for an I/O error, without the OS error number.
pub(super) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        ErrorKind::ConnectionRefused => "connection refused".to_string(),
        ErrorKind::ConnectionReset => "connection reset".to_string(),
        ErrorKind::ConnectionAborted => "connection aborted".to_string(),
        ErrorKind::TimedOut | ErrorKind::WouldBlock => "timed out".to_string(),
        ErrorKind::UnexpectedEof => "connection closed without an answer".to_string(),
        ErrorKind::HostUnreachable => "host unreachable".to_string(),
        ErrorKind::NetworkUnreachable => "network unreachable".to_string(),
        _ => e.to_string(),
    }
}
