//! The command line: goose's own options (`--host`, `-u`, `-t`, `--report-file`, …) flattened in
//! beside ours, so one clap parser reads both and `--help` lists both.

use goose::config::GooseConfiguration;

use crate::thresholds::Limits;

#[derive(Clone, clap::Parser)]
#[command(
    name = "loadtest",
    about = "Load-tests a Touchstone user-management API: browse, sign-up and admin personas",
    after_help = "Example: loadtest -H http://127.0.0.1:8080 -u 16 -r 16 -t 30s --p95-ms 50"
)]
pub struct Cli {
    /// Username of an admin account of the target.
    #[arg(long, env = "TOUCHSTONE_ADMIN_USERNAME", default_value = "admin")]
    pub admin_username: String,
    /// Password of that admin account.
    #[arg(
        long,
        env = "TOUCHSTONE_ADMIN_PASSWORD",
        default_value = "Admin-Passw0rd",
        hide_env_values = true
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
    #[arg(long, value_name = "PERCENT")]
    pub max_error_rate: Option<f64>,
    /// Fail when the 95th percentile of any one named request is slower than this.
    #[arg(long, value_name = "MS")]
    pub p95_ms: Option<f64>,
    /// Fail when the 99th percentile of any one named request is slower than this.
    #[arg(long, value_name = "MS")]
    pub p99_ms: Option<f64>,
    #[command(flatten)]
    pub goose: GooseConfiguration,
}

impl Cli {
    pub fn limits(&self) -> Limits {
        Limits {
            max_error_rate: self.max_error_rate,
            p95_ms: self.p95_ms,
            p99_ms: self.p99_ms,
        }
    }
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
    fn capacity_mode_needs_only_a_host() {
        let cli = Cli::try_parse_from(["loadtest", "-H", "http://127.0.0.1:8080", "--capacity"])
            .expect("parses");

        assert!(cli.capacity);
    }
}
