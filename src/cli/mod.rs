//! The command-line shell: turns parsed arguments into calls of the core and
//! writes the results. `main.rs` only calls [`main`].

mod args;
pub mod env;
mod inputs;
mod waves;

pub use args::{Cli, Command, LiveArgs};
pub use env::glyphs_from_env;

use crate::analysis::Level;
use crate::checklist::RuleSet;
use crate::diag::{Diagnostic, Diagnostics, Source};
use crate::plan::{self, Action, Change, Plan};
use crate::report::{self, Glyphs};
use crate::topology::{self, Date, Topology};
use args::{
    ChangeArgs, CheckArgs, Format, GraphArgs, GraphFormat, LevelArg, ReportArgs, ValidateArgs,
};
use clap::Parser;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit codes: the contract with scripts.
pub mod exit {
    /// Fine.
    pub const OK: u8 = 0;
    /// The risk is at or above `--fail-on` (or `validate --strict` warned).
    pub const RISK: u8 = 1;
    /// Bad input or usage.
    pub const INPUT: u8 = 2;
}

/// What went wrong, as the user must hear it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Input(#[from] Diagnostics),
    #[error("error: {0}")]
    Usage(String),
}

impl From<Diagnostic> for CliError {
    fn from(d: Diagnostic) -> Self {
        CliError::Input(d.into())
    }
}

/// Parses the command line, runs it, and returns the exit code.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(e) = inputs::mistyped_command(&args) {
        let _ = writeln!(std::io::stderr(), "{e}");
        return ExitCode::from(exit::INPUT);
    }
    let cli = Cli::parse_from(args);
    let result = match cli.command {
        Some(Command::Check(a)) => check(&a),
        Some(Command::Validate(a)) => validate(&a),
        Some(Command::Report(a)) => report_cmd(&a),
        Some(Command::Waves(a)) => waves::waves_cmd(&a),
        Some(Command::Graph(a)) => graph_cmd(&a),
        Some(Command::Import(a)) => import_cmd(&a),
        Some(Command::Completions(a)) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "blastradius", &mut out);
            emit(&String::from_utf8_lossy(&out)).map(|()| exit::OK)
        }
        Some(Command::Schema) => emit(&topology::json_schema_text()).map(|()| exit::OK),
        Some(Command::Example(a)) => emit(if a.plan {
            crate::DEMO_PLAN
        } else {
            crate::DEMO_TOPOLOGY
        })
        .map(|()| exit::OK),
        Some(Command::Man) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .map_err(|e| CliError::Usage(format!("cannot render the man page: {e}")))
                .and_then(|()| emit(&String::from_utf8_lossy(&out)))
                .map(|()| exit::OK)
        }
        None => interactive(cli.topology.as_deref(), &cli.tui),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{e}");
            ExitCode::from(exit::INPUT)
        }
    }
}

/// The live sources the flags ask for, from the topology's `[live]` table
/// and the flags' overrides; `None` when no flag asks for live state
/// (`--prometheus`, `--alertmanager` and `--probe-timeout` imply `--live`).
pub fn live_sources(topo: &Topology, a: &LiveArgs) -> Option<crate::live::Sources> {
    a.wanted().then(|| {
        crate::live::Sources::new(
            topo.live.as_ref(),
            crate::live::Overrides {
                prometheus: a.prometheus.clone(),
                alertmanager: a.alertmanager.clone(),
                timeout: a
                    .probe_timeout
                    .map(|ms| std::time::Duration::from_millis(u64::from(ms))),
            },
        )
    })
}

/// The topology as `--live` observes it (observed states stand in for the
/// file's); the file's topology without `--live`. A source that cannot be
/// read is said on standard error, never replaced silently by the file.
pub(crate) fn observed(topo: Topology, a: &LiveArgs) -> Topology {
    let Some(sources) = live_sources(&topo, a) else {
        return topo;
    };
    let obs = crate::live::observe(&topo, &sources, std::time::SystemTime::now());
    warn_partial(&obs);
    topo.with_states(|id| obs.state_of(id))
}

/// One core session on the plan, opened once: on the estate as `--live`
/// observes it when asked (a source that cannot be read is said on
/// standard error, never replaced silently by the file).
pub(crate) fn open_session(
    topo: Topology,
    plan: Plan,
    changes: Vec<plan::Named>,
    rules: RuleSet,
    today: Date,
    live: &LiveArgs,
) -> crate::session::Session {
    let sources = live_sources(&topo, live);
    let mut session = crate::session::Session::with_resolved(topo, plan, rules, today, changes);
    if let Some(sources) = sources {
        let obs = crate::live::observe(session.topology(), &sources, std::time::SystemTime::now());
        warn_partial(&obs);
        session.observe(obs, &sources.label);
    }
    session
}

/// Says on standard error which live sources could not be read.
fn warn_partial(obs: &crate::live::Observations) {
    let mut err = std::io::stderr().lock();
    for e in &obs.errors {
        let _ = writeln!(
            err,
            "warning: live state is partial: {} (the file's state stands for what it would have observed)",
            crate::text::inert(e)
        );
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub fn emit(s: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Usage(format!("cannot write output: {e}"))),
    }
}

/// The rules: defaults, then the user's config file, then `--rules`.
///
/// # Errors
/// Located diagnostics for a bad rules file.
pub fn load_rules(extra: Option<&Path>) -> Result<RuleSet, CliError> {
    let mut rules = RuleSet::defaults();
    if let Some(dirs) = directories::ProjectDirs::from("", "", "blastradius") {
        let p = dirs.config_dir().join("rules.toml");
        if p.is_file() {
            let text = inputs::read_rules(&p)?;
            rules.extend_from(&p.display().to_string(), &text)?;
        }
    }
    if let Some(p) = extra {
        let text = inputs::read_rules(p)?;
        rules.extend_from(&p.display().to_string(), &text)?;
    }
    Ok(rules)
}

fn parse_today(s: Option<&str>) -> Result<Date, CliError> {
    match s {
        None => Ok(Date::today_utc()),
        Some(s) => Date::parse(s).ok_or_else(|| {
            CliError::Usage(format!(
                "--today `{}` is not a date; write it as YYYY-MM-DD",
                crate::text::inert(s)
            ))
        }),
    }
}

/// A plan loaded from a file, with its text kept for located errors.
struct LoadedPlan {
    plan: Plan,
    path: Option<PathBuf>,
    text: String,
}

fn load_plan(path: Option<&Path>) -> Result<LoadedPlan, CliError> {
    match path {
        None => Ok(LoadedPlan {
            plan: Plan::default(),
            path: None,
            text: String::new(),
        }),
        Some(p) => {
            let (plan, text) = inputs::read_plan(p)?;
            Ok(LoadedPlan {
                plan,
                path: Some(p.to_path_buf()),
                text,
            })
        }
    }
}

/// The topology to use: the one named on the command line, else the plan's
/// (inside the plan's repository unless `allow_outside`).
fn topology_for(
    explicit: Option<&Path>,
    lp: &LoadedPlan,
    allow_outside: bool,
) -> Result<Topology, CliError> {
    match (explicit, &lp.path) {
        (Some(p), _) => inputs::load_topology(p),
        (None, Some(_)) => Ok(inputs::plan_topology(lp, allow_outside)?.0),
        (None, None) => Err(CliError::Usage(
            "no topology given: name a topology file, or a plan with --plan\n  e.g. blastradius check web-stack.toml --reboot lb-primary (`blastradius example > web-stack.toml` writes the demo)".into(),
        )),
    }
}

/// Resolves the plan's changes (located in its file) and the flags' changes.
fn resolve_all(topo: &Topology, lp: &LoadedPlan) -> Result<Vec<plan::Named>, CliError> {
    let name = lp
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let src = Source::new(&name, &lp.text);
    plan::missing_waves(&lp.plan.changes, Some(&src), "command line")?;
    Ok(plan::resolve(
        topo,
        &lp.plan.changes,
        Some(&src),
        "command line",
    )?)
}

/// A plan with its topology and its changes resolved against it.
struct Loaded {
    lp: LoadedPlan,
    topo: Topology,
    changes: Vec<plan::Named>,
}

/// The plan (from --plan) with the flags' changes added, its topology, and
/// the changes resolved against it.
fn plan_and_changes(topology: Option<&Path>, c: &ChangeArgs) -> Result<Loaded, CliError> {
    let mut lp = load_plan(c.plan.as_deref())?;
    let topo = topology_for(topology, &lp, c.allow_outside)?;
    add_flag_changes(&mut lp.plan, c);
    let changes = resolve_all(&topo, &lp)?;
    Ok(Loaded { lp, topo, changes })
}

/// Adds the changes of `--reboot`, `--update` and `--down` to the plan.
pub(crate) fn add_flag_changes(plan: &mut Plan, c: &ChangeArgs) {
    for (ids, action) in [
        (&c.reboot, Action::Reboot),
        (&c.update, Action::Update),
        (&c.down, Action::Down),
    ] {
        for id in ids {
            plan.changes.push(Change {
                service: id.clone(),
                action,
                span: None,
                wave: None,
            });
        }
    }
}

fn import_cmd(a: &args::ImportArgs) -> Result<u8, CliError> {
    let name = a.file.display().to_string();
    let text = crate::fsutil::read_text_file(&a.file)?;
    let out = crate::import::import(a.format, &name, &text)?;
    match &a.output {
        None => emit(&out)?,
        Some(p) => inputs::write_out(p, &out, a.force)?,
    }
    Ok(exit::OK)
}

fn graph_cmd(a: &GraphArgs) -> Result<u8, CliError> {
    let Loaded { lp, topo, changes } = plan_and_changes(a.topology.as_deref(), &a.changes)?;
    let assessment = (!changes.is_empty()).then(|| {
        let today = Date::today_utc();
        crate::analysis::assess_planned(
            &topo,
            &plan::pairs(&changes),
            &plan::also_planned(&changes),
            lp.plan.start_date().unwrap_or(today),
        )
    });
    let out = match a.format {
        GraphFormat::Dot => report::dot(&topo, assessment.as_ref()),
        GraphFormat::Mermaid => report::mermaid(&topo, assessment.as_ref(), None),
    };
    emit(&out)?;
    Ok(exit::OK)
}

fn check(a: &CheckArgs) -> Result<u8, CliError> {
    crate::text::phase("start");
    let Loaded { lp, topo, changes } = plan_and_changes(a.topology.as_deref(), &a.changes)?;
    let rules = load_rules(a.assess.rules.as_deref())?;
    let today = parse_today(a.assess.today.as_deref())?;
    // One session, rendered once: the same the TUI keeps (a plan with
    // waves is assessed wave by wave; live state stands in for the file's).
    let session = open_session(topo, lp.plan.clone(), changes, rules, today, &a.live);
    let (topo, _, mut review, waves) = session.into_parts();
    crate::text::phase("assessed");
    if a.exposure {
        review = review.with_exposure(&topo);
    }
    let out = match a.format {
        Format::Text => {
            let glyphs = if a.ascii {
                Glyphs::ASCII
            } else {
                glyphs_from_env()
            };
            let mut t = report::text(&topo, &lp.plan, &review, env::width(), glyphs);
            if !waves.is_empty() {
                t.push_str(&report::waves_section_text(&topo, &waves, env::width()));
            }
            t
        }
        Format::Json => report::json_with_waves(&topo, &review, &waves),
        Format::Markdown => {
            let mut m = report::markdown(&topo, &lp.plan, &review);
            if !waves.is_empty() {
                m.push_str(&report::waves_section_markdown(&topo, &waves, true));
            }
            m
        }
        Format::Alertmanager => {
            let out = report::alertmanager(&lp.plan, &review, &a.alert_label)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            // With live state, what these silences would mute right now,
            // on standard error: the output stays what amtool imports.
            if review.live.is_some() {
                let now = report::would_silence_now(&topo, &review);
                let mut err = std::io::stderr().lock();
                if now.is_empty() {
                    let _ = writeln!(
                        err,
                        "note: no alert fires now for the services these silences cover"
                    );
                } else {
                    let _ = writeln!(err, "note: these silences would mute alerts firing now:");
                    for l in now {
                        let _ = writeln!(err, "  {}", crate::text::inert(&l));
                    }
                }
            }
            out
        }
    };
    crate::text::phase("rendered");
    emit(&out)?;
    crate::text::phase("written");
    let risk = review.assessment.risk;
    // The process ends here: returning a large estate's memory to the
    // allocator piece by piece would only delay the exit.
    std::mem::forget((topo, review, out, waves));
    Ok(match a.fail_on {
        Some(l) if risk >= level(l) => exit::RISK,
        _ => exit::OK,
    })
}

fn level(l: LevelArg) -> Level {
    match l {
        LevelArg::Low => Level::Low,
        LevelArg::Medium => Level::Medium,
        LevelArg::High => Level::High,
        LevelArg::Critical => Level::Critical,
    }
}

fn validate(a: &ValidateArgs) -> Result<u8, CliError> {
    crate::text::phase("start");
    let today = parse_today(a.today.as_deref())?;
    let mut failed = false;
    let mut warned = false;
    // The report in parts, written one after the other: a million-service
    // estate's lines are tens of megabytes, not copied again into one.
    let mut out: Vec<String> = Vec::new();
    let mut err = String::new();
    for (at, path) in a.topologies.iter().enumerate() {
        let last = at + 1 == a.topologies.len();
        let name = path.display().to_string();
        // Read once: the tables it opens say what it is.
        let loaded = crate::fsutil::read_text_file(path)
            .map_err(CliError::from)
            .and_then(|text| {
                if inputs::Tables::kind_of(&text).is_plan() {
                    Ok(None)
                } else {
                    inputs::topology_text(&name, &text).map(Some)
                }
            });
        if let Ok(None) = loaded {
            match validate_plan(path, a.allow_outside) {
                Ok(line) => out.push(line),
                Err(e) => {
                    failed = true;
                    err.push_str(&format!("{e}\n\n"));
                }
            }
            continue;
        }
        match loaded {
            Err(d) => {
                failed = true;
                err.push_str(&format!("{d}\n\n"));
            }
            Ok(None) => {}
            Ok(Some(t)) => {
                crate::text::phase("loaded");
                // Three analyses on the two cores. One core: the lint
                // (which needs no walk), then the standing risks. The
                // other: the one standing walk, then the single points of
                // failure (what one failure would take down today), the
                // longest of the three. Each with its lines. (A thread
                // each let the risks take CPU from the single points, and
                // the run ended with one core idle.) Every estate with an
                // entry point has single points (the entry point itself),
                // so these inform and do not count as risks for --strict.
                let walked = std::sync::OnceLock::new();
                let (
                    ((warnings, warning_lines), (risk, standing, standing_lines)),
                    (exposed, exposure_lines),
                ) = std::thread::scope(|s| {
                    let (ready, walk_done) = std::sync::mpsc::channel::<()>();
                    let (t, walked) = (&t, &walked);
                    let side = s.spawn(move || {
                        let warnings = topology::lint(t);
                        let mut lines = String::new();
                        for w in &warnings {
                            push_finding_line(&mut lines, "warning", w.kind, &w.message);
                        }
                        // The walk is done when its signal comes; if the
                        // other side panicked instead, the signal never
                        // comes and this side ends (the panic goes on).
                        let mut judged = (Level::Low, 0usize, String::new());
                        if walk_done.recv().is_ok() {
                            let st = walked.get().expect("the walk is done");
                            let (risk, count, slines) = &mut judged;
                            *risk = crate::analysis::each_standing_risk(
                                t,
                                st,
                                today,
                                |kind, _, message| {
                                    *count += 1;
                                    push_finding_line(slines, "standing", kind, message);
                                },
                            );
                        }
                        ((warnings, lines), judged)
                    });
                    let st = walked.get_or_init(|| crate::analysis::Standing::new(t));
                    let _ = ready.send(());
                    let exposed = crate::analysis::standing_exposure_of(t, st);
                    let mut lines = String::new();
                    for (kind, message) in report::standing_exposure_lines(t, &exposed) {
                        push_finding_line(&mut lines, "standing", kind, &message);
                    }
                    (join(side), (exposed, lines))
                });
                crate::text::phase("linted and judged");
                warned |= !warnings.is_empty() || standing > 0;
                out.push(format!(
                    "{}: ok, {} service{}, {} group{}, {} warning{}, {} standing risk{} (risk before any change: {})\n",
                    crate::text::inert(&name),
                    t.services().len(),
                    if t.services().len() == 1 { "" } else { "s" },
                    t.groups().len(),
                    if t.groups().len() == 1 { "" } else { "s" },
                    warnings.len(),
                    if warnings.len() == 1 { "" } else { "s" },
                    standing,
                    if standing == 1 { "" } else { "s" },
                    risk.as_str().to_uppercase()
                ));
                out.extend([warning_lines, standing_lines, exposure_lines]);
                // After the last file the process ends: its estate's memory
                // is not handed back piece by piece. Earlier files' are, or
                // `validate topologies/*.toml` would hold them all.
                if last {
                    std::mem::forget((t, walked, warnings, exposed));
                }
            }
        }
    }
    for part in &out {
        emit(part)?;
    }
    if !err.is_empty() {
        let _ = write!(std::io::stderr(), "{err}");
    }
    Ok(if failed {
        exit::INPUT
    } else if warned && a.strict {
        exit::RISK
    } else {
        exit::OK
    })
}

/// What a scoped thread returned, or its panic carried on.
fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// `  what[kind]: message` and a newline, the message made inert.
fn push_finding_line(out: &mut String, what: &str, kind: &str, message: &str) {
    out.push_str("  ");
    out.push_str(what);
    out.push('[');
    out.push_str(kind);
    out.push_str("]: ");
    out.push_str(&crate::text::inert(message));
    out.push('\n');
}

/// Checks a plan: it parses, its topology loads, its changes resolve.
///
/// A file with `[plan]` or `[[change]]` and no `[topology]` is a plan: a
/// glob like `topologies/*.toml` picks plans up too, and they deserve a
/// check rather than "unknown field `change`".
fn validate_plan(path: &Path, allow_outside: bool) -> Result<String, CliError> {
    let lp = load_plan(Some(path))?;
    let topo = topology_for(None, &lp, allow_outside)?;
    let changes = resolve_all(&topo, &lp)?;
    Ok(format!(
        "{}: plan ok, {} change{} on topology `{}`\n",
        crate::text::inert(&path.display().to_string()),
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        crate::text::inert(&topo.name)
    ))
}

fn report_cmd(a: &ReportArgs) -> Result<u8, CliError> {
    let lp = load_plan(Some(&a.plan))?;
    let topo = topology_for(a.topology.as_deref(), &lp, a.allow_outside)?;
    let changes = resolve_all(&topo, &lp)?;
    let rules = load_rules(a.assess.rules.as_deref())?;
    let today = parse_today(a.assess.today.as_deref())?;
    let session = open_session(topo, lp.plan.clone(), changes, rules, today, &a.live);
    let (topo, _, review, waves) = session.into_parts();
    // The approval record always says what else can fail during the window.
    let review = review.with_exposure(&topo);
    let mut md = report::markdown(&topo, &lp.plan, &review);
    if !waves.is_empty() {
        md.push_str(&report::waves_section_markdown(&topo, &waves, true));
    }
    match &a.output {
        None => emit(&md)?,
        Some(p) => inputs::write_out(p, &md, a.force)?,
    }
    Ok(exit::OK)
}

/// No subcommand: the TUI on a topology (the built-in demo by default).
fn interactive(topology: Option<&Path>, t: &args::TuiArgs) -> Result<u8, CliError> {
    // A mistyped command is said first: without a terminal it would
    // otherwise read "not a terminal".
    if let Some(p) = topology
        && !p.exists()
        && p.extension().is_none()
    {
        let word = p.display().to_string();
        let help = crate::diag::did_you_mean(
            &word,
            ["check", "validate", "report"],
            "give a topology file, or one of the commands: check, validate, report",
        );
        return Err(Diagnostic::whole_file(&word, "no such file or command")
            .with_help(help)
            .into());
    }
    #[cfg(feature = "tui")]
    if let Some(why) = crate::tui::unsuitable_terminal() {
        return Err(CliError::Usage(format!(
            "{why}.\n  For a text assessment: blastradius check TOPOLOGY --reboot ID ...\n  For the approval record: blastradius report PLAN"
        )));
    }
    let rules = load_rules(t.rules.as_deref())?;
    let lp = load_plan(t.plan.as_deref())?;
    let (topo, path) = match (topology, &lp.path) {
        (None, None) => (
            topology::load(crate::DEMO_NAME, crate::DEMO_TOPOLOGY)?,
            None,
        ),
        (Some(p), _) => (inputs::load_topology(p)?, Some(p.to_path_buf())),
        (None, Some(_)) => {
            let (topo, tp) = inputs::plan_topology(&lp, t.allow_outside)?;
            (topo, Some(tp))
        }
    };
    // A plan given on the command line must name real services.
    resolve_all(&topo, &lp)?;
    run_tui(topo, path, lp, rules, t)
}

#[cfg(feature = "tui")]
fn run_tui(
    topo: Topology,
    path: Option<PathBuf>,
    lp: LoadedPlan,
    rules: RuleSet,
    t: &args::TuiArgs,
) -> Result<u8, CliError> {
    use crate::tui::{app, persist, theme::Theme};
    // A plan opened with --plan autosaves to a file of its own: the
    // topology's autosaved work is neither replaced nor mixed in.
    let located = match &lp.path {
        Some(pp) => persist::locate_plan(pp),
        None => persist::locate(&topo.name, path.as_deref()),
    };
    let start = match &located {
        persist::Autosave::To(shared) => persist::start(shared, lp.path.as_deref()),
        persist::Autosave::Off(why) => persist::Start {
            autosave: persist::Autosave::Off(why.clone()),
            lock: None,
            restored: None,
            last: None,
            message: Some(why.clone()),
            other: None,
        },
    };
    let mut start = start;
    let plan = match (start.restored.take(), lp.path.is_some(), path.is_none()) {
        (Some(plan), _, _) => plan,
        (None, true, _) => {
            start
                .message
                .get_or_insert_with(|| "plan loaded; edits autosave".into());
            lp.plan
        }
        (None, false, true) => {
            start.message.get_or_insert_with(|| {
                "demo: the seed outage's change is marked; space, u, x mark; ? help".into()
            });
            Plan::parse("web-stack.plan.toml (embedded demo)", crate::DEMO_PLAN)?
        }
        (None, false, false) => Plan::default(),
    };
    // One session, opened once: a restored autosave may name services the
    // topology lost since; those changes are dropped and said.
    // The service list's order is sorted on the other core while the
    // session walks the estate.
    let (session, dropped, order) = crate::session::Session::open_lenient_with(
        topo,
        plan,
        rules,
        Date::today_utc(),
        app::natural_order,
    );
    if dropped > 0 {
        start.message = Some(format!(
            "{dropped} change(s) of the saved plan no longer fit the topology: dropped"
        ));
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::new(!no_color, t.ascii || env::ascii_only());
    let sources = live_sources(session.topology(), &t.live);
    let mut app = app::App::on_ordered(
        session,
        app::Source {
            path,
            plan: lp.path.clone(),
        },
        start,
        theme,
        order,
    );
    if let Some(sources) = sources {
        app = app.with_live(sources);
    }
    let stopped = crate::tui::run(app, !t.no_mouse)
        .map_err(|e| CliError::Usage(format!("terminal error: {e}")))?;
    Ok(match stopped {
        None => exit::OK,
        Some(sig) => 128u8.saturating_add(sig as u8),
    })
}

/// Built without the TUI: print the assessment instead.
#[cfg(not(feature = "tui"))]
fn run_tui(
    topo: Topology,
    _path: Option<PathBuf>,
    lp: LoadedPlan,
    rules: RuleSet,
    t: &args::TuiArgs,
) -> Result<u8, CliError> {
    let changes = resolve_all(&topo, &lp)?;
    let review = Review::new(&topo, &lp.plan, &changes, &rules, Date::today_utc());
    let glyphs = if t.ascii {
        Glyphs::ASCII
    } else {
        glyphs_from_env()
    };
    emit(&report::text(
        &topo,
        &lp.plan,
        &review,
        env::width(),
        glyphs,
    ))?;
    Ok(exit::OK)
}
