//! Live state against real components: Debian's `prometheus` (2.42) and
//! `prometheus-alertmanager` (0.25) started on loopback with temporary
//! configs and storage, and probes against listeners this test opens.
//!
//! Without the server binaries the server test says SKIPPED and passes on a
//! developer's machine; under CI (`CI` set) a missing binary fails it, so a
//! CI run never passes without having run it (`.ci/run` installs them).
//! Nothing sleeps for an answer: each wait polls with a deadline.

use blastradius::cli::{Cli, Command as Sub, live_sources};
use blastradius::live::{self, Observations, Source, Sources, Url};
use blastradius::topology::{self, State, Topology};
use clap::Parser;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};
use tempfile::TempDir;

/// Whether a missing server fails the test rather than skipping it: when
/// `CI` is set to anything but empty, `0` or `false`.
fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// A port nobody listens on (bound, then closed).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A listener on loopback answering every request with `response` (a
/// whole HTTP response), on a thread of its own for the test's life.
fn serve(response: &'static str) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = s.write_all(response.as_bytes());
            });
        }
    });
    port
}

/// A listener that writes plain text as soon as a connection opens, before
/// reading anything: what a TLS client meets at a plain-HTTP port.
fn blurts() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let _ = s.write_all(FAIL.as_bytes());
        }
    });
    port
}

/// A listener that accepts every connection and never answers.
fn never_answers() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().flatten() {
            held.push(s);
        }
    });
    port
}

const OK: &str = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
const FAIL: &str =
    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\nboom";
const NOT_JSON: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n<html>hi<";

fn topo(text: &str) -> Topology {
    topology::load("live.toml", text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn detail(obs: &Observations, topo: &Topology, id: &str, source: Source) -> (State, String) {
    let n = topo.lookup(id).unwrap();
    let o = obs
        .of(n)
        .iter()
        .find(|o| o.source == source)
        .unwrap_or_else(|| panic!("no {} observation of {id}: {obs:#?}", source.as_str()));
    (o.state, o.detail.clone())
}

#[test]
fn probes_against_listeners_this_test_opens() {
    let up_tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let up_port = up_tcp.local_addr().unwrap().port();
    let (ok, fail, hang, closed) = (serve(OK), serve(FAIL), never_answers(), closed_port());
    let plain = blurts();
    let redirect = serve("HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n");
    let t = topo(&format!(
        "[topology]\nname = \"probes\"\n\
         [live]\ntimeout_ms = 800\n\
         [services.tcp-up]\nprobe = \"tcp://127.0.0.1:{up_port}\"\n\
         [services.tcp-name]\nprobe = \"tcp://localhost:{up_port}\"\n\
         [services.tcp-closed]\nprobe = \"tcp://127.0.0.1:{closed}\"\n\
         [services.http-ok]\nprobe = \"http://127.0.0.1:{ok}/health\"\n\
         [services.http-302]\nprobe = \"http://127.0.0.1:{redirect}/\"\n\
         [services.http-500]\nprobe = \"http://127.0.0.1:{fail}/health\"\n\
         [services.http-hang]\nprobe = \"http://127.0.0.1:{hang}/health\"\n\
         [services.http-closed]\nprobe = \"http://127.0.0.1:{closed}/\"\n\
         [services.tls-plain]\nprobe = \"https://127.0.0.1:{plain}/\"\n\
         [services.tls-hang]\nprobe = \"https://127.0.0.1:{hang}/\"\n\
         [services.no-name]\nprobe = \"tcp://no-such-host.invalid:80\"\n\
         [services.quiet]\n"
    ));
    let sources = Sources::of(&t);
    assert_eq!(sources.timeout, Duration::from_millis(800));
    let start = Instant::now();
    let obs = live::observe(&t, &sources, SystemTime::now());
    let took = start.elapsed();
    // Every probe runs at once: the slow ones cost one timeout together.
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    assert_eq!(obs.sources, ["probe"]);
    assert!(!obs.partial, "{obs:#?}");
    let d = |id| detail(&obs, &t, id, Source::Probe);
    assert_eq!(d("tcp-up").0, State::Up);
    assert_eq!(d("tcp-name").0, State::Up);
    assert_eq!(d("tcp-closed"), (State::Down, "connection refused".into()));
    assert_eq!(d("http-ok"), (State::Up, "HTTP 200 OK".into()));
    assert_eq!(d("http-302"), (State::Up, "HTTP 302 Found".into()));
    assert_eq!(
        d("http-500"),
        (State::Degraded, "HTTP 500 Internal Server Error".into())
    );
    assert_eq!(
        d("http-hang"),
        (State::Down, "no answer within 800 ms".into())
    );
    assert_eq!(d("http-closed"), (State::Down, "connection refused".into()));
    let (state, why) = d("tls-plain");
    assert_eq!(state, State::Down);
    assert!(why.starts_with("TLS"), "{why}");
    assert_eq!(
        d("tls-hang"),
        (State::Down, "no answer within 800 ms".into())
    );
    let (state, why) = d("no-name");
    assert_eq!(state, State::Down);
    assert!(why.contains("cannot resolve"), "{why}");
    let quiet = t.lookup("quiet").unwrap();
    assert_eq!(obs.state_of(quiet), None);
    assert_eq!(obs.observed.len(), 11);
}

#[test]
fn failing_servers_make_a_partial_answer_never_a_hang() {
    let (fail, hang, junk, closed) = (serve(FAIL), never_answers(), serve(NOT_JSON), closed_port());
    let ok = serve(OK);
    let t = topo(&format!(
        "[topology]\nname = \"partial\"\n[services.web]\nprobe = \"http://127.0.0.1:{ok}/\"\n"
    ));
    let url = |port: u16| Some(Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap());
    let cases = [
        (
            url(fail),
            url(closed),
            "HTTP 500: boom",
            "connection refused",
        ),
        (
            url(junk),
            url(hang),
            "not a Prometheus",
            "no answer within 700 ms",
        ),
        (
            url(hang),
            url(junk),
            "no answer within 700 ms",
            "not an Alertmanager",
        ),
    ];
    for (prometheus, alertmanager, prom_says, am_says) in cases {
        let sources = Sources {
            prometheus,
            alertmanager,
            label: "service".into(),
            timeout: Duration::from_millis(700),
        };
        let start = Instant::now();
        let obs = live::observe(&t, &sources, SystemTime::now());
        assert!(
            start.elapsed() < Duration::from_millis(2000),
            "{:?}",
            start.elapsed()
        );
        assert!(obs.partial);
        assert_eq!(obs.sources, ["probe", "prometheus", "alertmanager"]);
        // Prometheus once, Alertmanager's alerts and silences each once.
        assert_eq!(obs.errors.len(), 3, "{:#?}", obs.errors);
        assert!(obs.errors[0].starts_with("prometheus http://127.0.0.1:"));
        assert!(obs.errors[0].contains(prom_says), "{}", obs.errors[0]);
        assert!(obs.errors[1].starts_with("alertmanager http://127.0.0.1:"));
        assert!(obs.errors[1].contains("alerts: "), "{}", obs.errors[1]);
        assert!(obs.errors[1].contains(am_says), "{}", obs.errors[1]);
        assert!(obs.errors[2].contains("silences: "), "{}", obs.errors[2]);
        // The rest stands.
        assert_eq!(
            detail(&obs, &t, "web", Source::Probe),
            (State::Up, "HTTP 200 OK".into())
        );
    }
}

#[test]
fn flags_override_the_live_table() {
    let t = topo(
        "[topology]\nname = \"t\"\n[live]\nprometheus = \"http://p:9090\"\nlabel = \"app\"\n[services.a]\n",
    );
    let live_of = |argv: &[&str]| {
        let cli = Cli::try_parse_from(argv).unwrap();
        match cli.command {
            Some(Sub::Check(a)) => live_sources(&t, &a.live),
            Some(Sub::Report(a)) => live_sources(&t, &a.live),
            None => live_sources(&t, &cli.tui.live),
            _ => unreachable!(),
        }
    };
    assert_eq!(live_of(&["br", "check", "t.toml"]), None);
    let s = live_of(&["br", "check", "t.toml", "--live"]).unwrap();
    assert_eq!(s.prometheus.unwrap().as_str(), "http://p:9090");
    assert_eq!((s.alertmanager, s.label.as_str()), (None, "app"));
    assert_eq!(s.timeout, Duration::from_millis(2000));
    let s = live_of(&[
        "br",
        "report",
        "p.toml",
        "--prometheus",
        "https://q/prom",
        "--alertmanager",
        "http://am:9093",
        "--probe-timeout",
        "150",
    ])
    .unwrap();
    assert_eq!(s.prometheus.unwrap().as_str(), "https://q/prom");
    assert_eq!(s.alertmanager.unwrap().as_str(), "http://am:9093");
    assert_eq!(s.timeout, Duration::from_millis(150));
    assert!(live_of(&["br", "t.toml", "--live"]).is_some());
    for bad in [
        &["br", "check", "t.toml", "--prometheus", "prometheus:9090"][..],
        &["br", "check", "t.toml", "--alertmanager", "ftp://x"],
        &["br", "check", "t.toml", "--probe-timeout", "0"],
        &["br", "check", "t.toml", "--probe-timeout", "600001"],
    ] {
        assert!(Cli::try_parse_from(bad).is_err(), "{bad:?}");
    }
}

/// A server process, killed and waited for on drop: at the end of the
/// test, on a failed assertion, on a panic. Its logs are kept for the
/// message of a failed start.
struct Server {
    child: Child,
    name: &'static str,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `bin` with `args`, or `None` (SKIPPED) when it is not
    /// installed outside CI.
    ///
    /// # Panics
    /// Under CI when `bin` is missing: there, skipping is failing.
    fn start(name: &'static str, bin: &str, args: &[String], dir: &Path) -> Option<Server> {
        if !Path::new(bin).exists() {
            assert!(
                !under_ci(),
                "{bin} is not installed and CI is set: the live tests must run here \
                 (.ci/run installs prometheus and prometheus-alertmanager)"
            );
            eprintln!(
                "SKIPPED: {bin} is not installed \
                 (apt-get install prometheus prometheus-alertmanager)"
            );
            return None;
        }
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        // Killed with the test process even when it is killed itself.
        #[cfg(target_os = "linux")]
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
        Some(Server { child, name, log })
    }

    /// Polls `url` until it answers 200, for at most 60 s.
    fn wait_ready(&mut self, url: &str) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(2)))
            .build()
            .into();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited ({status}):\n{}", self.name, self.logs());
            }
            if agent.get(url).call().is_ok_and(|r| r.status() == 200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready at {url} after 60 s:\n{}",
                self.name,
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn post_json(url: &str, body: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body)
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = r.status();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    assert!(status.is_success(), "POST {url}: {status} {text}\n{body}");
    text
}

/// Posts a silence and returns its id.
fn silence(am: &str, by: &str, comment: &str, matchers: &str) -> String {
    let body = format!(
        r#"{{"matchers":[{matchers}],"startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"{by}","comment":"{comment}"}}"#
    );
    let answer = post_json(&format!("{am}/api/v2/silences"), &body);
    let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
    v["silenceID"].as_str().unwrap().to_string()
}

/// Polls Prometheus until `up` has `n` series with a service label.
fn wait_for_series(prom: &str, n: usize) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(2)))
        .build()
        .into();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(mut r) = agent.get(format!("{prom}/api/v1/query?query=up")).call() {
            last = r.body_mut().read_to_string().unwrap_or_default();
            let v: serde_json::Value = serde_json::from_str(&last).unwrap_or_default();
            let seen = v["data"]["result"].as_array().map_or(0, |a| {
                a.iter()
                    .filter(|s| s["metric"]["service"].is_string())
                    .count()
            });
            if seen >= n {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("Prometheus has not scraped {n} targets after 60 s: {last}");
}

#[test]
fn real_prometheus_and_alertmanager() {
    let dir = TempDir::new().unwrap();
    let (prom_port, am_port, dead) = (closed_port(), closed_port(), closed_port());
    let prom = format!("http://127.0.0.1:{prom_port}");
    let am = format!("http://127.0.0.1:{am_port}");
    // Prometheus scrapes itself (alive) and a closed port (dead); the
    // `service` label comes from the targets' labels.
    let me = format!("127.0.0.1:{prom_port}");
    let gone = format!("127.0.0.1:{dead}");
    std::fs::write(
        dir.path().join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 500ms\n\
             scrape_configs:\n  - job_name: live\n    static_configs:\n\
             \x20     - targets: ['{me}']\n        labels: {{service: app}}\n\
             \x20     - targets: ['{me}', '{gone}']\n        labels: {{service: cache}}\n\
             \x20     - targets: ['{gone}']\n        labels: {{service: db}}\n\
             \x20     - targets: ['{me}']\n        labels: {{service: not-in-topology}}\n\
             \x20     - targets: ['{me}']\n        labels: {{role: unlabelled}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("alertmanager.yml"),
        "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n",
    )
    .unwrap();
    let d = dir.path().display();
    let Some(mut prometheus) = Server::start(
        "prometheus",
        "/usr/bin/prometheus",
        &[
            format!("--config.file={d}/prometheus.yml"),
            format!("--storage.tsdb.path={d}/tsdb"),
            format!("--web.listen-address=127.0.0.1:{prom_port}"),
            "--log.level=warn".into(),
        ],
        dir.path(),
    ) else {
        return;
    };
    let Some(mut alertmanager) = Server::start(
        "alertmanager",
        "/usr/bin/prometheus-alertmanager",
        &[
            format!("--config.file={d}/alertmanager.yml"),
            format!("--storage.path={d}/am"),
            format!("--web.listen-address=127.0.0.1:{am_port}"),
            "--cluster.listen-address=".into(),
            "--log.level=warn".into(),
        ],
        dir.path(),
    ) else {
        return;
    };
    prometheus.wait_ready(&format!("{prom}/-/ready"));
    alertmanager.wait_ready(&format!("{am}/-/ready"));

    // Alerts: one for a service, one silenced, one for an unknown id.
    post_json(
        &format!("{am}/api/v2/alerts"),
        r#"[{"labels":{"alertname":"HighLatency","service":"app"}},
            {"labels":{"alertname":"LbDown","service":"lb"}},
            {"labels":{"alertname":"Gone","service":"retired-box"}},
            {"labels":{"alertname":"NoService"}}]"#,
    );
    let routine = silence(
        &am,
        "oncall",
        "routine reboot behaviour",
        r#"{"name":"service","value":".+","isRegex":true,"isEqual":true}"#,
    );
    let db_only = silence(
        &am,
        "alice",
        "db maintenance",
        r#"{"name":"service","value":"db","isRegex":false,"isEqual":true},{"name":"alertname","value":"Disk.*","isRegex":true,"isEqual":true}"#,
    );
    let lb_only = silence(
        &am,
        "bob",
        "lb noise",
        r#"{"name":"service","value":"lb","isRegex":false}"#,
    );
    // An expired silence is not audited.
    let expired = silence(
        &am,
        "carol",
        "old",
        r#"{"name":"alertname","value":"X","isRegex":false}"#,
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    agent
        .delete(format!("{am}/api/v2/silence/{expired}"))
        .call()
        .unwrap();
    wait_for_series(&prom, 5);

    let t = topo(&format!(
        "[topology]\nname = \"real\"\n\
         [live]\nprometheus = \"{prom}\"\nalertmanager = \"{am}/\"\ntimeout_ms = 3000\n\
         [services.app]\n[services.cache]\n[services.db]\n[services.lb]\n[services.web]\n"
    ));
    let sources = Sources::of(&t);
    let start = Instant::now();
    let obs = live::observe(&t, &sources, SystemTime::now());
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert!(!obs.partial, "{:#?}", obs.errors);
    assert_eq!(obs.sources, ["prometheus", "alertmanager"]);
    let state = |id| obs.state_of(t.lookup(id).unwrap());
    // app: up by Prometheus, but an alert fires.
    assert_eq!(detail(&obs, &t, "app", Source::Prometheus).0, State::Up);
    let (s, why) = detail(&obs, &t, "app", Source::Alertmanager);
    // Silenced by the "routine" silence, and still counted.
    assert_eq!(
        (s, why.as_str()),
        (
            State::Degraded,
            "alert firing: HighLatency (silenced or inhibited)"
        )
    );
    assert_eq!(state("app"), Some(State::Degraded));
    // cache: one target of two answers.
    let (s, why) = detail(&obs, &t, "cache", Source::Prometheus);
    assert_eq!(s, State::Degraded);
    assert!(
        why.starts_with("up: 1 of 2 series at 1, down: 127.0.0.1:"),
        "{why}"
    );
    // db: its only target is gone.
    assert_eq!(state("db"), Some(State::Down));
    // lb: its alert is silenced, and still counts.
    let (s, why) = detail(&obs, &t, "lb", Source::Alertmanager);
    assert_eq!(s, State::Degraded);
    assert!(why.contains("LbDown"), "{why}");
    // web: nobody says anything.
    assert_eq!(state("web"), None);
    // A series and an alert for ids not in the topology.
    assert_eq!(obs.ignored, 2);

    // The active silences, and the audit.
    let mut ids: Vec<&str> = obs.silences.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    let mut want = vec![routine.as_str(), db_only.as_str(), lb_only.as_str()];
    want.sort_unstable();
    assert_eq!(ids, want);
    let r = obs.silences.iter().find(|s| s.id == routine).unwrap();
    assert_eq!(
        (r.created_by.as_str(), r.comment.as_str()),
        ("oncall", "routine reboot behaviour")
    );
    assert_eq!(r.matchers[0].to_string(), "service=~\".+\"");
    let keep_loud = ["app", "cache", "db", "web"];
    let mut audit: Vec<(&str, Vec<&str>)> = live::audit(&obs.silences, "service", &keep_loud)
        .into_iter()
        .map(|(i, muted)| (obs.silences[i].id.as_str(), muted))
        .collect();
    audit.sort();
    let mut want = vec![
        (routine.as_str(), keep_loud.to_vec()),
        (db_only.as_str(), vec!["db"]),
    ];
    want.sort();
    assert_eq!(audit, want);

    // The command line on the same estate: the verdict stands on the
    // observed states, the silences are audited as findings of the plan,
    // and the JSON says what was observed.
    let topo_text = format!(
        "[topology]\nname = \"real\"\n\
         [live]\nprometheus = \"{prom}\"\nalertmanager = \"{am}/\"\ntimeout_ms = 3000\n\
         [services.app]\nusers = 0.5\nrequires = [\"db\"]\n[services.cache]\n[services.db]\n[services.lb]\n[services.web]\n"
    );
    std::fs::write(dir.path().join("real.toml"), &topo_text).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_blastradius"))
            .args(args)
            .current_dir(dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&[
        "check",
        "real.toml",
        "--reboot",
        "web",
        "--live",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["live"]["partial"], false, "{out}");
    assert!(!doc["observed"].as_array().unwrap().is_empty());
    // db is down by Prometheus: the app that requires it is down before
    // the change, and that is the estate's, not the plan's.
    assert_eq!(doc["users"]["before"]["down"], 0.5, "{out}");
    assert_eq!(doc["users"]["added"]["down"], 0.0, "{out}");
    let loud: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "silenced-must-stay-loud")
        .collect();
    let routine_finding = loud
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains(&routine))
        .unwrap_or_else(|| panic!("no finding for the routine silence: {out}"));
    let message = routine_finding["message"].as_str().unwrap();
    assert!(
        message.contains("by oncall") && message.contains("routine reboot behaviour"),
        "{message}"
    );
    assert_eq!(routine_finding["severity"], "high");
    assert_eq!(routine_finding["new"], true);
    assert!(
        doc["checklist"].as_array().unwrap().iter().any(|i| i["id"]
            .as_str()
            .unwrap()
            .starts_with("expire-silence:")
            && i["blocking"] == true),
        "{out}"
    );
    let (_, text, _) = run(&["check", "real.toml", "--reboot", "web", "--live"]);
    assert!(text.contains("LIVE STATE"), "{text}");
    assert!(
        text.contains("db: the file says up, observed down"),
        "{text}"
    );

    // The export round trip: the silences `check --format alertmanager`
    // writes, imported into the real Alertmanager, silence the changed
    // service and nothing the alert plan keeps loud.
    std::fs::write(
        dir.path().join("p.plan.toml"),
        "[plan]\ntitle = \"web reboot\"\ntopology = \"real.toml\"\nstart = 2030-01-01T22:00:00Z\nminutes = 60\n\n[[change]]\nservice = \"web\"\naction = \"reboot\"\n",
    )
    .unwrap();
    let (code, export, err) = run(&["check", "--plan", "p.plan.toml", "--format", "alertmanager"]);
    assert_eq!(code, Some(0), "{err}");
    let silences: Vec<serde_json::Value> = serde_json::from_str(&export).unwrap();
    assert!(!silences.is_empty(), "{export}");
    let mut imported = Vec::new();
    for s in &silences {
        let answer = post_json(&format!("{am}/api/v2/silences"), &s.to_string());
        let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
        imported.push(v["silenceID"].as_str().unwrap().to_string());
    }
    // With --live, what the silences would mute right now is said on
    // standard error (the output stays what amtool imports).
    std::fs::write(
        dir.path().join("app.plan.toml"),
        "[plan]\ntitle = \"app\"\ntopology = \"real.toml\"\nstart = 2030-01-01T22:00:00Z\nminutes = 60\n\n[[change]]\nservice = \"lb\"\naction = \"reboot\"\n",
    )
    .unwrap();
    let (code, out, err) = run(&[
        "check",
        "--plan",
        "app.plan.toml",
        "--format",
        "alertmanager",
        "--live",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        serde_json::from_str::<serde_json::Value>(&out).is_ok(),
        "{out}"
    );
    assert!(err.contains("would mute alerts firing now"), "{err}");
    assert!(err.contains("lb: alert firing: LbDown"), "{err}");
    let (_, json, _) = run(&["check", "--plan", "p.plan.toml", "--format", "json"]);
    let plan_doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let keep_loud: Vec<String> = plan_doc["alerts"]["keep_loud"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for id in &imported {
        // Future silences are pending, not active: read them back by id.
        let mut r = agent
            .get(format!("{am}/api/v2/silence/{id}"))
            .call()
            .unwrap();
        let text = r.body_mut().read_to_string().unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let matchers: Vec<live::Matcher> = v["matchers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| live::Matcher {
                name: m["name"].as_str().unwrap().to_string(),
                op: match (m["isRegex"].as_bool(), m["isEqual"].as_bool()) {
                    (Some(true), Some(false)) => live::MatchOp::NotRegex,
                    (Some(true), _) => live::MatchOp::Regex,
                    (_, Some(false)) => live::MatchOp::NotEqual,
                    _ => live::MatchOp::Equal,
                },
                value: m["value"].as_str().unwrap().to_string(),
            })
            .collect();
        let s = live::Silence {
            id: id.clone(),
            created_by: String::new(),
            comment: String::new(),
            matchers,
            starts_at: String::new(),
            ends_at: String::new(),
        };
        assert!(live::silence_mutes(&s, "service", "web"), "{text}");
        for loud in &keep_loud {
            assert!(
                !live::silence_mutes(&s, "service", loud),
                "{loud} muted: {text}"
            );
        }
    }

    // Alertmanager stops: a clean partial answer, the rest stands.
    drop(alertmanager);
    let start = Instant::now();
    let obs = live::observe(&t, &sources, SystemTime::now());
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert!(obs.partial);
    assert_eq!(obs.errors.len(), 2, "{:#?}", obs.errors);
    assert!(
        obs.errors
            .iter()
            .all(|e| e.starts_with(&format!("alertmanager {am}/: ")) && e.contains("refused")),
        "{:#?}",
        obs.errors
    );
    assert!(obs.silences.is_empty());
    assert_eq!(state_in(&obs, &t, "db"), Some(State::Down));
    assert_eq!(state_in(&obs, &t, "app"), Some(State::Up));
    // The command line says so, and goes on with the rest.
    let (code, out, err) = run(&[
        "check",
        "real.toml",
        "--reboot",
        "web",
        "--live",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning: live state is partial"), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["live"]["partial"], true);
    assert_eq!(doc["live"]["errors"].as_array().unwrap().len(), 2);
    // And through the command line's overrides: Prometheus elsewhere.
    let cli = Cli::try_parse_from(["br", "check", "x.toml", "--prometheus", &am]).unwrap();
    let Some(Sub::Check(a)) = cli.command else {
        unreachable!()
    };
    let obs = live::observe(&t, &live_sources(&t, &a.live).unwrap(), SystemTime::now());
    assert!(
        obs.errors[0].starts_with("prometheus http://127.0.0.1:"),
        "{:#?}",
        obs.errors
    );
    drop(prometheus);
}

fn state_in(obs: &Observations, t: &Topology, id: &str) -> Option<State> {
    obs.state_of(t.lookup(id).unwrap())
}
