//! Nothing lost: a writer killed at any moment leaves either the old file or
//! the new one, never a torn one.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

/// A topology big enough that writing its report takes a moment.
fn big_topology(n: usize) -> String {
    let mut t = String::from("[topology]\nname = \"big\"\n\n");
    for i in 0..n {
        let _ = writeln!(
            t,
            "[services.s{i}]\nname = \"Service {i} with a longish display name\"\nteam = \"team-{}\"\nrequires = [{}]\n",
            i % 17,
            if i > 0 {
                format!("\"s{}\"", i / 2)
            } else {
                String::new()
            }
        );
    }
    t
}

#[test]
fn a_report_writer_killed_at_any_moment_leaves_a_whole_file_or_none() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.toml"), big_topology(4000)).unwrap();
    std::fs::write(
        dir.path().join("p.plan.toml"),
        "[plan]\ntitle = \"t\"\ntopology = \"big.toml\"\n[[change]]\nservice = \"s0\"\naction = \"reboot\"\n",
    )
    .unwrap();
    let out = dir.path().join("record.md");
    let bin = env!("CARGO_BIN_EXE_blastradius");
    let mut complete = 0;
    for round in 0..60u64 {
        let mut child = Command::new(bin)
            .args([
                "report",
                "p.plan.toml",
                "-o",
                "record.md",
                "--force",
                "--today",
                "2023-06-08",
            ])
            .current_dir(dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill at a different moment each round: not waiting for anything,
        // only spreading the kills over the writer's run.
        std::thread::sleep(Duration::from_micros((round * 7919) % 60_000));
        let _ = child.kill();
        let _ = child.wait();
        if let Ok(text) = std::fs::read_to_string(&out) {
            assert!(
                text.starts_with("# Change record") && text.contains("## Sign-off"),
                "round {round}: a torn report survived ({} bytes)",
                text.len()
            );
            complete += 1;
        }
    }
    // And a writer left alone finishes the job.
    let ok = Command::new(bin)
        .args([
            "report",
            "p.plan.toml",
            "-o",
            "record.md",
            "--force",
            "--today",
            "2023-06-08",
        ])
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .status()
        .unwrap();
    assert!(ok.success());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("## Sign-off")
    );
    eprintln!("{complete} of 60 killed rounds found a complete earlier report");
}

#[test]
fn repeated_plan_saves_leave_one_parseable_file_and_no_temporaries() {
    // Every save replaces the whole file; none leaves a temporary behind.
    use blastradius::plan::{Action, Plan};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.plan.toml");
    let mut plan = Plan::default();
    for i in 0..200 {
        plan.set_change(&format!("s{i}"), Some(Action::Reboot));
        plan.save(&p).unwrap();
        let back = Plan::load(&p).unwrap().0;
        assert_eq!(back.changes.len(), i + 1);
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "temporary files left: {leftovers:?}");
}

/// Our temporary files in `dir`.
fn temps_in(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".blastradius-") && n.ends_with(".tmp"))
        .collect()
}

/// A folder with a plan on the bundled topology's copy.
fn plan_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::copy(
        format!("{root}/topologies/web-stack.toml"),
        dir.path().join("web-stack.toml"),
    )
    .unwrap();
    std::fs::copy(
        format!("{root}/topologies/web-stack.plan.toml"),
        dir.path().join("p.plan.toml"),
    )
    .unwrap();
    dir
}

#[test]
fn a_writer_stopped_by_a_signal_mid_write_leaves_no_temporary_file() {
    let dir = plan_dir();
    let bin = env!("CARGO_BIN_EXE_blastradius");
    for (sig, name) in [(15, "TERM"), (1, "HUP"), (2, "INT")] {
        let mut child = Command::new(bin)
            .args(["report", "p.plan.toml", "-o", "record.md"])
            .current_dir(dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            // Holds the writer between its temporary file and the rename.
            .env("BLASTRADIUS_TEST_STALL_WRITE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Poll (with a deadline) until the temporary file is there.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while temps_in(dir.path()).is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "no temporary file appeared"
            );
            std::thread::yield_now();
        }
        let killed = Command::new("kill")
            .args([&format!("-{name}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(128 + sig), "SIG{name}: exit 128 + n");
        assert_eq!(temps_in(dir.path()), Vec::<String>::new(), "SIG{name}");
        assert!(!dir.path().join("record.md").exists(), "SIG{name}");
    }
}

#[test]
fn a_stale_temporary_file_is_removed_by_the_next_write_and_a_fresh_one_is_not() {
    let dir = plan_dir();
    let stale = dir.path().join(".blastradius-Ab12Cd.tmp");
    let fresh = dir.path().join(".blastradius-Ef34Gh.tmp");
    let not_ours = dir.path().join("notes.blastradius-Ij56Kl.tmp");
    for p in [&stale, &fresh, &not_ours] {
        std::fs::write(p, "left by a killed writer").unwrap();
    }
    let two_days_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 24 * 60 * 60);
    for p in [&stale, &not_ours] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(two_days_ago)
            .unwrap();
    }
    // A folder of that name is not a temporary file of ours.
    let folder = dir.path().join(".blastradius-olddir.tmp");
    std::fs::create_dir(&folder).unwrap();
    let ok = Command::new(env!("CARGO_BIN_EXE_blastradius"))
        .args(["report", "p.plan.toml", "-o", "record.md"])
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success());
    assert!(
        !stale.exists(),
        "a temporary file of ours older than a day goes"
    );
    assert!(fresh.exists(), "a fresh one may belong to a live writer");
    assert!(not_ours.exists(), "only our own name pattern is ours");
    assert!(folder.is_dir(), "only regular files are removed");
}
