//! Each behaviour of the `loadtest` binary, tested on the real binary spawned as a process.

mod fake;
mod helpers;

use std::sync::atomic::Ordering;
use std::time::Duration;

use fake::{Fake, fake};
use helpers::{ADMIN_PASSWORD, LIMIT, Reference, SHORT, closed_port, finish, loadtest};
use serde_json::Value;

#[test]
fn a_run_against_the_reference_server_passes_and_writes_its_verdict_into_the_reports() {
    let server = Reference::start();
    let dir = tempfile::tempdir().expect("a temp dir");
    let (json, md) = (dir.path().join("r.json"), dir.path().join("r.md"));

    let run = finish(
        loadtest(&server.host, &SHORT)
            .arg("--report-file")
            .arg(&json)
            .arg("--report-file")
            .arg(&md),
        LIMIT,
    );

    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("load test PASSED"), "{}", run.stdout);
    assert!(!run.all().contains(ADMIN_PASSWORD));
    assert!(
        !run.all().contains("[INFO]"),
        "goose's log is quiet: {}",
        run.all()
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("json"))
        .expect("the JSON report parses");
    let verdict = &report["loadtest"];
    assert_eq!(verdict["verdict"], "passed");
    assert_eq!(verdict["exit_code"], 0);
    let rules = verdict["thresholds"].as_array().expect("thresholds");
    assert!(!rules.is_empty());
    assert!(
        rules
            .iter()
            .all(|r| r["metric"] == "error_rate_percent" && r["limit"] == 1.0)
    );
    assert_eq!(verdict["users"]["left"], 0);
    assert_eq!(verdict["users"]["created"], verdict["users"]["removed"]);
    assert!(
        report["raw_metrics"].is_object(),
        "goose's own report is kept"
    );
    let markdown = std::fs::read_to_string(&md).expect("markdown");
    assert!(markdown.contains("## Thresholds") && markdown.contains("**Verdict: passed**"));
    assert_eq!(server.users_left(), 0);
}

#[test]
fn goose_records_as_errors_exactly_the_requests_it_counts_as_failed() {
    let server = Reference::start();
    let dir = tempfile::tempdir().expect("a temp dir");
    let json = dir.path().join("r.json");

    let run = finish(
        loadtest(&server.host, &SHORT)
            .arg("--report-file")
            .arg(&json),
        LIMIT,
    );

    assert_eq!(run.code, 0, "{}", run.all());
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("json"))
        .expect("the JSON report parses");
    let failed: u64 = report["raw_request_metrics"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r["number_of_failures"].as_u64().expect("a count"))
        .sum();
    let errors: u64 = report["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| e["occurrences"].as_u64().expect("a count"))
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(errors, failed, "{}", report["errors"]);
}

#[test]
fn a_closed_port_fails_the_preflight_in_one_line() {
    let run = finish(&mut loadtest(&closed_port(), &SHORT), LIMIT);

    assert_eq!(run.code, 2, "{}", run.all());
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("preflight: cannot connect to"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("load: started"));
}

#[test]
fn a_web_site_is_named_and_gets_no_load() {
    let site = fake(Fake::Html);

    let run = finish(&mut loadtest(&site.host, &SHORT), LIMIT);

    assert_eq!(run.code, 2, "{}", run.all());
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("does not look like a Touchstone API"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("text/html"), "{}", run.stderr);
    assert_eq!(
        site.requests.load(Ordering::Relaxed),
        1,
        "only the preflight's request"
    );
}

#[test]
fn another_json_api_is_named_and_gets_no_load() {
    let api = fake(Fake::OtherApi);

    let run = finish(&mut loadtest(&api.host, &SHORT), LIMIT);

    assert_eq!(run.code, 2, "{}", run.all());
    assert!(
        run.stderr.contains("answered 404 application/json"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Not Found"), "{}", run.stderr);
    assert_eq!(api.requests.load(Ordering::Relaxed), 1);
}

#[test]
fn a_wrong_admin_password_is_one_failed_login_and_is_never_printed() {
    let server = Reference::start();
    let wrong = "Wrong-Passw0rd-42";

    let run = finish(
        loadtest(&server.host, &SHORT).args(["--admin-password", wrong]),
        LIMIT,
    );

    assert_eq!(run.code, 2, "{}", run.all());
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("cannot log in (401"), "{}", run.stderr);
    assert!(!run.all().contains(wrong));
    let logins = ["route=\"/api/v1/auth/login\"", "status=\"401\""];
    assert_eq!(server.counted(&logins), 1);
    assert_eq!(
        server.counted(&["route=\"/api/v1/users\"", "status=\"201\""]),
        0
    );
    assert_eq!(server.users_left(), 0);
}

#[test]
fn a_breached_threshold_exits_1_says_so_in_the_report_and_removes_every_user() {
    let server = Reference::start();
    let dir = tempfile::tempdir().expect("a temp dir");
    let json = dir.path().join("r.json");

    let run = finish(
        loadtest(&server.host, &SHORT)
            .args(["--p95-ms", "0.001", "--report-file"])
            .arg(&json),
        LIMIT,
    );

    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("FAIL"), "{}", run.stdout);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("json"))
        .expect("the JSON report parses");
    assert_eq!(report["loadtest"]["verdict"], "failed");
    assert_eq!(report["loadtest"]["exit_code"], 1);
    let rules = report["loadtest"]["thresholds"].as_array().expect("rules");
    assert!(
        rules
            .iter()
            .any(|r| r["metric"] == "p95_ms" && r["passed"] == false)
    );
    assert_eq!(server.users_left(), 0);
}

#[test]
fn an_interrupted_run_stops_and_removes_every_user() {
    let server = Reference::start();
    let mut command = loadtest(
        &server.host,
        &["-u", "3", "-r", "10", "-t", "60s", "--seed-users", "5"],
    );

    let (child, stdout, started) = helpers::start_until(&mut command, "load: started");
    std::thread::sleep(Duration::from_millis(1500));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let run = helpers::wait(child, stdout, started, LIMIT);

    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert!(run.stdout.contains(" 0 left"), "{}", run.stdout);
    assert!(
        run.took < Duration::from_secs(50),
        "it did not wait for the 60 s run time"
    );
    assert_eq!(server.users_left(), 0);
}

#[test]
fn a_host_that_hangs_after_the_preflight_is_stopped_at_its_time_bound() {
    let host = fake(Fake::HangsAfterPreflight);
    let args = [
        "--seed-users",
        "0",
        "-u",
        "2",
        "-r",
        "10",
        "-t",
        "2s",
        "--timeout",
        "1",
        "--stop-timeout",
        "2",
        "--cleanup-timeout",
        "3",
    ];

    let run = finish(&mut loadtest(&host.host, &args), LIMIT);

    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("load test FAILED"), "{}", run.stdout);
    // 2 s of load, 2 s to stop, 3 s to clean up, and slack for a busy machine.
    assert!(run.took < Duration::from_secs(40), "took {:?}", run.took);
}

#[test]
fn a_host_that_drops_every_connection_gets_a_summary_not_a_line_per_request() {
    let host = fake(Fake::DropsAfterPreflight);
    let args = [
        "--seed-users",
        "0",
        "-u",
        "4",
        "-r",
        "10",
        "-t",
        "2s",
        "--cleanup-timeout",
        "3",
    ];

    let run = finish(&mut loadtest(&host.host, &args), LIMIT);

    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("errors: "), "{}", run.stdout);
    assert!(run.all().lines().count() < 80, "{}", run.all());
    assert!(run.took < Duration::from_secs(40), "took {:?}", run.took);
}

#[test]
fn help_leads_with_our_options_and_never_shows_the_password() {
    let run = finish(
        std::process::Command::new(env!("CARGO_BIN_EXE_loadtest"))
            .arg("--help")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped()),
        LIMIT,
    );

    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("Load-tests a Touchstone"),
        "{}",
        run.stdout
    );
    let ours = run.stdout.find("--max-error-rate").expect("ours");
    let gooses = run.stdout.find("--host").expect("goose's");
    assert!(ours < gooses);
    assert!(run.stdout.contains("Exit codes"));
    assert!(!run.stdout.contains(ADMIN_PASSWORD));
}
