//! The command line, defined once: parsing, `--help` and (later) completions
//! and the man page all come from these definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Examples:
  blastradius                                   open the TUI on the built-in demo
  blastradius example > web-stack.toml          the demo topology as a file, to start from
  blastradius example --plan > web-stack.plan.toml
  blastradius topologies/web-stack.toml         open the TUI on a topology
  blastradius check topologies/web-stack.toml --reboot lb-primary
  blastradius check --plan topologies/web-stack.plan.toml --format json
  blastradius validate topologies/*.toml
  blastradius report topologies/web-stack.plan.toml -o change-record.md
  blastradius report topologies/web-stack.plan.toml -o change-record.md --force
  blastradius waves topologies/k8s-shop.toml --update pool=general -o night.plan.toml

Exit codes: 0 fine, 1 risk at or above --fail-on, 2 bad input or usage.\n`waves` exits 1 when a change is over --max-risk even alone.";

/// Maintenance risk assessment: before you reboot or update, see who goes
/// down, which failovers will not save you, and what to do about it.
#[derive(Debug, Parser)]
#[command(
    name = "blastradius",
    version,
    about,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Topology to open in the TUI (default: the built-in demo, the seed
    /// outage's stack)
    pub topology: Option<PathBuf>,

    #[command(flatten)]
    pub tui: TuiArgs,
}

/// Options of the interactive mode.
#[derive(Debug, Args, Default)]
pub struct TuiArgs {
    /// Open a saved plan (its topology comes from the plan file)
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,

    /// Draw with ASCII characters only (automatic on TERM=linux or a
    /// non-UTF-8 locale)
    #[arg(long)]
    pub ascii: bool,

    /// Do not capture the mouse
    #[arg(long)]
    pub no_mouse: bool,

    /// Extra checklist rules, added to the defaults and your config file
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Let a plan's `topology` lie outside the plan's repository (the
    /// nearest folder above the plan with `.git`): only for plans you trust
    #[arg(long)]
    pub allow_outside: bool,

    #[command(flatten)]
    pub live: LiveArgs,
}

/// Where the estate's current state is read (DESIGN.md, "Live state").
#[derive(Debug, Args, Default, Clone)]
pub struct LiveArgs {
    /// Read the estate's current state (probes, Prometheus, Alertmanager)
    /// instead of trusting the file's `state`; the topology's `[live]` table
    /// says where
    #[arg(long)]
    pub live: bool,

    /// Prometheus base URL, instead of `[live]` prometheus (implies --live)
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub prometheus: Option<crate::live::Url>,

    /// Alertmanager base URL, instead of `[live]` alertmanager (implies
    /// --live)
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub alertmanager: Option<crate::live::Url>,

    /// Bound of each probe and query in milliseconds, instead of `[live]`
    /// timeout_ms (default 2000; implies --live)
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u32).range(1..=600_000))]
    pub probe_timeout: Option<u32>,
}

impl LiveArgs {
    /// True when any flag asks for live state.
    pub fn wanted(&self) -> bool {
        self.live
            || self.prometheus.is_some()
            || self.alertmanager.is_some()
            || self.probe_timeout.is_some()
    }
}

fn parse_url(s: &str) -> Result<crate::live::Url, String> {
    crate::live::Url::parse(s)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess a change: blast radius, findings, checklist, alert plan
    Check(CheckArgs),
    /// Lint topologies: errors, and standing risks such as single points of
    /// failure
    Validate(ValidateArgs),
    /// Write the Markdown record of a plan for the change-approval meeting
    Report(ReportArgs),
    /// Split a plan's changes into the fewest waves that each stay at or
    /// below a risk level; exit 1 when a change is over it even alone
    Waves(WavesArgs),
    /// Draw the topology, or a change's blast radius, as Graphviz DOT or
    /// Mermaid
    Graph(GraphArgs),
    /// Start a topology from a Graphviz DOT graph (e.g. `terraform graph`) or
    /// a Backstage catalog
    Import(ImportArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    Man,
    /// Print the JSON Schema of the topology format, for editors
    Schema,
    /// Print the built-in demo topology (the seed outage's stack), or its
    /// plan with --plan: a complete example to start from on any machine
    Example(ExampleArgs),
}

#[derive(Debug, Args)]
pub struct ExampleArgs {
    /// Print the demo's change plan instead of its topology
    #[arg(long)]
    pub plan: bool,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people, readable at 80 columns
    Text,
    /// Stable machine-readable shape, "version": 2
    Json,
    /// The change-approval record
    Markdown,
    /// Alertmanager silences for the changed services only, for the plan's
    /// window (`amtool silence import`)
    Alertmanager,
}

/// Risk levels, for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    Low,
    Medium,
    High,
    Critical,
}

/// Options shared by the commands that assess a plan.
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Extra checklist rules, added to the defaults and your config file
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Measure failover test ages as of this date (YYYY-MM-DD) when the plan
    /// has no start; default: today
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

/// The changes to assess: a plan file and/or flags.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Reboot this service (repeatable)
    #[arg(long, value_name = "ID")]
    pub reboot: Vec<String>,

    /// Update this service (repeatable)
    #[arg(long, value_name = "ID")]
    pub update: Vec<String>,

    /// What-if: assume this service fails during the window (repeatable)
    #[arg(long, value_name = "ID")]
    pub down: Vec<String>,

    /// A plan file; flags add to its changes
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,

    /// Let a plan's `topology` lie outside the plan's repository (the
    /// nearest folder above the plan with `.git`): only for plans you trust
    #[arg(long)]
    pub allow_outside: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The topology file (optional when --plan names one)
    pub topology: Option<PathBuf>,

    #[command(flatten)]
    pub changes: ChangeArgs,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// With --format alertmanager: the alert label that names the service
    #[arg(long, value_name = "LABEL", default_value = "service", value_parser = label_name)]
    pub alert_label: String,

    /// Exit 1 when the risk is at or above this level (for CI gates)
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<LevelArg>,

    /// Use ASCII arrows in text output
    #[arg(long)]
    pub ascii: bool,

    /// Also list what else can fail during the window: each service whose
    /// failure would take more users down, and the users at stake
    #[arg(long)]
    pub exposure: bool,

    #[command(flatten)]
    pub assess: AssessArgs,

    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Topology files to check
    #[arg(required = true)]
    pub topologies: Vec<PathBuf>,

    /// Exit 1 when there are warnings or standing risks
    #[arg(long)]
    pub strict: bool,

    /// Measure failover test ages as of this date (YYYY-MM-DD); default: today
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,

    /// Let a plan's `topology` lie outside the plan's repository (the
    /// nearest folder above the plan with `.git`): only for plans you trust
    #[arg(long)]
    pub allow_outside: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The plan file
    pub plan: PathBuf,

    /// Use this topology instead of the one the plan names
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,

    /// Write the report to FILE (atomically) instead of standard output;
    /// `-` is standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace FILE if it exists (it keeps its permissions)
    #[arg(long, requires = "output")]
    pub force: bool,

    /// Let a plan's `topology` lie outside the plan's repository (the
    /// nearest folder above the plan with `.git`): only for plans you trust
    #[arg(long)]
    pub allow_outside: bool,

    #[command(flatten)]
    pub assess: AssessArgs,

    #[command(flatten)]
    pub live: LiveArgs,
}

/// Output formats of `waves`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WavesFormat {
    /// Wave by wave, what goes and what to wait for, at 80 columns
    Text,
    /// Stable machine-readable shape, "version": 2
    Json,
    /// For the change record
    Markdown,
}

#[derive(Debug, Args)]
pub struct WavesArgs {
    /// The topology file (optional when --plan names one)
    pub topology: Option<PathBuf>,

    #[command(flatten)]
    pub changes: ChangeArgs,

    /// The highest risk a wave may have, assessed alone
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = LevelArg::Medium)]
    pub max_risk: LevelArg,

    /// Output format
    #[arg(long, value_enum, default_value_t = WavesFormat::Text)]
    pub format: WavesFormat,

    /// Write the plan with `wave = N` on each change to PLAN (atomically);
    /// `-` is standard output
    #[arg(short, long, value_name = "PLAN")]
    pub output: Option<PathBuf>,

    /// Replace PLAN if it exists (it keeps its permissions)
    #[arg(long, requires = "output")]
    pub force: bool,

    /// Use ASCII arrows in text output
    #[arg(long)]
    pub ascii: bool,

    #[command(flatten)]
    pub live: LiveArgs,

    #[command(flatten)]
    pub assess: AssessArgs,
}

/// Formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz: `blastradius graph t.toml | dot -Tsvg > t.svg`
    Dot,
    /// Mermaid flowchart, for GitHub, GitLab and wikis
    Mermaid,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The topology file (optional when --plan names one)
    pub topology: Option<PathBuf>,

    /// With changes (flags or --plan), only the blast radius, coloured by
    /// status
    #[command(flatten)]
    pub changes: ChangeArgs,

    /// Output format
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file is
    #[arg(value_enum)]
    pub format: crate::import::Format,

    /// The file to import
    pub file: PathBuf,

    /// Write the topology to FILE (atomically) instead of standard output;
    /// `-` is standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace FILE if it exists (it keeps its permissions)
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// `--alert-label`: a Prometheus label name, or a usage error saying what
/// one is (an empty or regex-looking label would silence what it should not).
fn label_name(s: &str) -> Result<String, String> {
    if crate::report::valid_label_name(s) {
        Ok(s.to_string())
    } else {
        Err(
            "a Prometheus label name: letters, digits and `_`, not starting with a digit or `__` (e.g. service)"
                .to_string(),
        )
    }
}
