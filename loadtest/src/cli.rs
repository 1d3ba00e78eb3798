//! The command line: our options first, then goose's own (`--host`, `-u`, `-t`, `--report-file`,
//! …) flattened in beside them, so one clap parser reads both and `--help` lists both.

use std::time::Duration;

use clap::{CommandFactory, FromArgMatches};
use goose::config::GooseConfiguration;

use crate::thresholds::Limits;

const ABOUT: &str =
    "Load-tests a Touchstone user-management API: browse, sign-up and admin personas";

const LONG_ABOUT: &str = "\
Load-tests a Touchstone user-management API: browse, sign-up and admin personas.

Before any load, a preflight checks that the host answers, serves this API's OpenAPI document, \
and that the admin logs in; a failure is one line and exit code 2. The run is bounded in time \
whatever the host answers (a request by --timeout, 10 s unless given; each phase by the options \
below), judged against the thresholds (at most 1% failed requests of any one \
name unless --max-error-rate says otherwise), and every user it created is removed at the end, \
after a breach or Ctrl-C too.

Exit codes: 0 every threshold held; 1 a threshold was breached; 2 the host, the arguments or the \
tool failed (preflight, setup, clean-up, an interrupted or abandoned run).";

const EXAMPLE: &str = "\
Example: loadtest -H http://127.0.0.1:8080 -u 16 -r 16 -t 30s --p95-ms 50 --report-file r.json";

#[derive(Clone, clap::Parser)]
#[command(name = "loadtest", about = ABOUT, after_help = EXAMPLE)]
pub struct Cli {
    /// Username of an admin account of the target.
    #[arg(long, env = "TOUCHSTONE_ADMIN_USERNAME", default_value = "admin")]
    pub admin_username: String,
    /// Password of that admin account.
    #[arg(
        long,
        env = "TOUCHSTONE_ADMIN_PASSWORD",
        default_value = "Admin-Passw0rd",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub admin_password: String,
    /// Users created before the run so that browsing has pages to read; removed afterwards.
    #[arg(long, default_value_t = 200)]
    pub seed_users: usize,
    /// Measure the generator instead of the personas: every user only repeats `GET /health`,
    /// nothing is seeded or removed, and no admin account is needed.
    #[arg(long)]
    pub capacity: bool,
    /// Fail when more than this percent of the requests of any one name failed.
    #[arg(long, value_name = "PERCENT", default_value_t = 1.0, value_parser = percent)]
    pub max_error_rate: f64,
    /// Fail when the 95th percentile of any one named request is slower than this.
    #[arg(long, value_name = "MS")]
    pub p95_ms: Option<f64>,
    /// Fail when the 99th percentile of any one named request is slower than this.
    #[arg(long, value_name = "MS")]
    pub p99_ms: Option<f64>,
    /// Stop the load after this long, whatever else is set [default: the ramp-up, --run-time
    /// and ramp-down goose plans, plus --setup-timeout; without --run-time, none].
    #[arg(long, value_name = "TIME", value_parser = timespan)]
    pub max_duration: Option<u64>,
    /// Seconds seeding may take before the run is given up.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub setup_timeout: u64,
    /// Seconds the users get to stop once the load ends before they are abandoned.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub stop_timeout: u64,
    /// Seconds the removal of the run's users may take.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub cleanup_timeout: u64,
    /// Open goose's telnet controller (closed unless asked; `--websocket` opens the other).
    #[arg(long)]
    pub telnet: bool,
    #[command(flatten)]
    pub goose: GooseConfiguration,
}

fn percent(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err("a percent from 0 to 100".into()),
    }
}

fn timespan(text: &str) -> Result<u64, String> {
    goose::util::parse_timespan(text)
        .filter(|s| *s > 0)
        .map(|s| s as u64)
        .ok_or_else(|| "a time such as 90, 90s or 1m30s".into())
}

/// Goose's request timeout when `--timeout` is not given: a hung host costs a user this long.
pub const DEFAULT_TIMEOUT_SECS: f64 = 10.0;

impl Cli {
    /// Parses the command line; `--help` leads with what this tool does, not with goose's docs.
    pub fn parse() -> Cli {
        let command = Cli::command().long_about(LONG_ABOUT);
        let matches = command.get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }

    pub fn limits(&self) -> Limits {
        Limits {
            max_error_rate: Some(self.max_error_rate),
            p95_ms: self.p95_ms,
            p99_ms: self.p99_ms,
        }
    }

    /// The request timeout, goose's and the tool's own client's.
    pub fn timeout(&self) -> Result<Duration, String> {
        match self.goose.timeout.as_deref() {
            None => Ok(Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS)),
            Some(t) => t
                .parse::<f64>()
                .ok()
                .filter(|s| *s > 0.0 && *s < 86_400.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| format!("--timeout {t:?} is not a number of seconds")),
        }
    }

    /// How long the load may take: `--max-duration`, else what goose plans for a `--run-time`
    /// (starting users, the run time, stopping them) plus the seeding's bound. `None` when the
    /// run has no planned end (no `--run-time`), as goose's own.
    pub fn bound(&self) -> Result<Option<Duration>, String> {
        if let Some(max) = self.max_duration {
            return Ok(Some(Duration::from_secs(max)));
        }
        let Some(run_time) = &self.goose.run_time else {
            return Ok(None);
        };
        let secs = |flag: &str, text: &str| {
            goose::util::parse_timespan(text)
                .map(|s| s as f64)
                .ok_or_else(|| format!("{flag} {text:?} is not a time such as 30s or 1m30s"))
        };
        let rate = |flag: &str, text: &Option<String>| match text {
            None => Ok(None),
            Some(r) => r
                .parse::<f64>()
                .ok()
                .filter(|r| *r > 0.0)
                .map(Some)
                .ok_or_else(|| format!("{flag} {r:?} is not a positive number")),
        };
        let users = self.goose.users.unwrap_or_else(num_cpus) as f64;
        let ramp_up = match &self.goose.increase_time {
            Some(t) => secs("--increase-time", t)?,
            None => users / rate("--increase-rate", &self.goose.increase_rate)?.unwrap_or(1.0),
        };
        let ramp_down = match (&self.goose.decrease_time, &self.goose.decrease_rate) {
            (Some(t), _) => secs("--decrease-time", t)?,
            (None, r) => rate("--decrease-rate", r)?.map_or(0.0, |r| users / r),
        };
        let planned = ramp_up + secs("--run-time", run_time)? + ramp_down;
        Ok(Some(Duration::from_secs_f64(
            planned + self.setup_timeout as f64 + 2.0,
        )))
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn our_flags_and_gooses_are_read_from_one_command_line() {
        let cli = Cli::try_parse_from([
            "loadtest",
            "-H",
            "http://127.0.0.1:8080",
            "-u",
            "16",
            "-t",
            "30s",
            "--report-file",
            "r.html",
            "--p95-ms",
            "50",
            "--max-error-rate",
            "0.5",
            "--admin-username",
            "root",
        ])
        .expect("parses");

        assert_eq!(cli.goose.host.as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(cli.goose.users, Some(16));
        assert_eq!(cli.goose.run_time.as_deref(), Some("30s"));
        assert_eq!(cli.admin_username, "root");
        assert_eq!(cli.limits().p95_ms, Some(50.0));
        assert_eq!(cli.limits().max_error_rate, Some(0.5));
        assert_eq!(cli.limits().p99_ms, None);
        assert!(!cli.capacity);
    }

    #[test]
    fn the_error_rate_is_judged_unless_set_otherwise() {
        let cli = Cli::try_parse_from(["loadtest"]).expect("parses");

        assert_eq!(cli.limits().max_error_rate, Some(1.0));
        assert!(Cli::try_parse_from(["loadtest", "--max-error-rate", "101"]).is_err());
    }

    #[test]
    fn the_bound_covers_the_ramp_up_the_run_time_and_the_setup() {
        let cli =
            Cli::try_parse_from(["loadtest", "-u", "8", "-r", "4", "-t", "1m"]).expect("parses");

        let bound = cli.bound().expect("valid").expect("bounded");

        assert_eq!(bound.as_secs(), 2 + 60 + 60 + 2);
        let open = Cli::try_parse_from(["loadtest"]).expect("parses");
        assert_eq!(open.bound().expect("valid"), None);
    }

    #[test]
    fn capacity_mode_needs_only_a_host() {
        let cli = Cli::try_parse_from(["loadtest", "-H", "http://127.0.0.1:8080", "--capacity"])
            .expect("parses");

        assert!(cli.capacity);
    }
}
