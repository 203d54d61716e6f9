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
