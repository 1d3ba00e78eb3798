//! The `conformance` binary as a team meets it in CI: what it says and how it exits against a
//! target that is down, is not this API, refuses the admin, or breaks a clause; its reports; what
//! it never prints; and what it leaves behind, after a failure and after Ctrl-C.

mod helpers;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use helpers::*;

#[test]
fn a_closed_port_is_one_line_and_exit_2() {
    let base = format!("http://127.0.0.1:{}/api/v1", closed_port());
    let out = run(&mut conformance_at(&base));
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(
        out.stderr.contains("does not answer (connection refused)"),
        "{}",
        out.all()
    );
    assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    assert!(!out.all().contains("FAIL"));
}

#[test]
fn an_html_page_is_named_and_nothing_is_checked() {
    let site = Foreign::start(|_, _| {
        (
            200,
            "text/html",
            "<!doctype html><html><head><title>Welcome</title></head></html>".into(),
        )
    });
    let out = run(&mut conformance_at(&site.base));
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(
        out.stderr.contains("HTML page (\"Welcome\")"),
        "{}",
        out.stderr
    );
    assert_eq!(site.count("POST /users"), 0, "nothing is created");
}

#[test]
fn a_wrong_admin_password_costs_one_login_and_is_never_printed() {
    let api = Foreign::start(|method, path| match (method, path) {
        ("POST", "/api/v1/auth/login") => (
            401,
            "application/problem+json",
            r#"{"type":"about:blank","title":"Unauthorized","status":401}"#.into(),
        ),
        _ => (404, "application/json", r#"{"detail":"Not Found"}"#.into()),
    });
    let out = run(&mut conformance_at(&format!("{}/api/v1", api.base)));
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert_eq!(api.count("POST /api/v1/auth/login"), 1);
    assert!(out.stderr.contains("--admin-password"), "{}", out.stderr);
    assert!(!out.all().contains(ADMIN_PASSWORD));
}

#[test]
fn another_app_at_the_url_is_told_apart_from_this_api() {
    // A FastAPI app answers JSON 404s to every path the contract names.
    let app = Foreign::start(|_, _| (404, "application/json", r#"{"detail":"Not Found"}"#.into()));
    let out = run(&mut conformance_at(&app.base));
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(
        out.stderr.contains("not the API's base URL"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_site_root_or_an_openapi_document_is_answered_with_the_base_url() {
    let (_server, target) = reference(&[]);
    let root = target.base.trim_end_matches("/api/v1").to_owned();
    let out = run(&mut conformance_at(&root));
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(
        out.stderr.contains(&format!("--target {root}/api/v1")),
        "{}",
        out.stderr
    );
    let out = run(&mut conformance_at(&format!(
        "{}/openapi.json",
        target.base
    )));
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(
        out.stderr.contains("is an OpenAPI document"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_filter_that_selects_nothing_is_exit_2_with_the_ids() {
    let out = run(conformance_at("http://127.0.0.1:9/api/v1").arg("NOPE-99"));
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(
        out.stderr.contains("USR-04") && out.stderr.contains("HTTP-12"),
        "{}",
        out.stderr
    );
}

#[test]
fn list_prints_the_selected_checks() {
    let out =
        run(conformance_at("http://127.0.0.1:9/api/v1")
            .args(["--list", "auth", "--skip", "AUTH-1"]));
    assert_eq!(out.code, Some(0), "{}", out.all());
    let ids: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(ids.len(), 9, "{}", out.stdout);
    assert!(ids.iter().all(|id| id.starts_with("AUTH-0")));
}

#[test]
fn a_passing_run_writes_reports_that_parse_and_hold_no_secret() {
    let (_server, target) = reference(&[]);
    let dir = tempfile::tempdir().unwrap();
    let out = run(conformance(&target)
        .args(["USR-01", "AUTH-01", "GEN-06", "--report-dir"])
        .arg(dir.path()));
    assert_eq!(out.code, Some(0), "{}", out.all());
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    let xml = roxmltree::Document::parse(&junit).expect("JUnit XML parses");
    let cases: Vec<_> = xml
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 3);
    assert!(xml.descendants().all(|n| !n.has_tag_name("failure")));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["checks"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["checks"][0]["outcome"], "pass");
    assert!(json["checks"][0]["requests"].as_u64() > Some(0));
    assert_eq!(json["users"]["left"], 0);
    assert!(json["logins"].as_u64() > Some(0));
    let cases: Vec<u64> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cases"].as_u64().expect("each check counts its cases"))
        .collect();
    assert!(cases.iter().all(|&n| n >= 1), "{cases:?}");
    assert_eq!(json["cases"].as_u64(), Some(cases.iter().sum()));
    assert!(
        cases.iter().any(|&n| n > 16),
        "no property ran its cases: {cases:?}"
    );
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("| USR-01 | pass |"), "{md}");
    for text in [out.all(), junit, json.to_string(), md] {
        assert!(
            !text.contains(ADMIN_PASSWORD),
            "the admin password is printed"
        );
        assert!(
            !text.contains(target.jwt_secret.as_deref().unwrap()),
            "the secret is printed"
        );
    }
    assert!(out.stdout.contains("seed "), "{}", out.stdout);
}

#[test]
fn a_broken_clause_fails_with_its_request_and_leaves_no_user() {
    let (_server, target) = reference(&["USR-13"]);
    let dir = tempfile::tempdir().unwrap();
    let out = run(conformance(&target)
        .args(["USR-13", "USR-01", "--report-dir"])
        .arg(dir.path()));
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stdout.contains("FAILED USR-13"), "{}", out.stdout);
    assert!(out.stdout.contains("curl -i -X PATCH"), "{}", out.stdout);
    assert!(!out.all().contains(ADMIN_PASSWORD));
    assert!(
        !out.stdout.contains("Tt-ts"),
        "a test user's password is printed"
    );
    assert_eq!(users_left(&target, &prefix(&out.stdout)), 0);
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    let xml = roxmltree::Document::parse(&junit).unwrap();
    assert_eq!(
        xml.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        1
    );
}

#[test]
fn exitfirst_stops_at_the_first_failure_and_still_cleans_up() {
    let (_server, target) = reference(&["USR-01"]);
    let out = run(conformance(&target).args(["users", "--threads", "1", "--exitfirst"]));
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stdout.contains("FAILED USR-01"), "{}", out.stdout);
    assert!(out.stdout.contains(" not run"), "{}", out.stdout);
    assert!(!out.stdout.contains("(interrupted)"), "{}", out.stdout);
    assert_eq!(users_left(&target, &prefix(&out.stdout)), 0);
}

#[test]
fn a_missed_should_clause_warns_unless_strict() {
    let (_server, target) = reference(&["HTTP-12"]);
    let out = run(conformance(&target).arg("HTTP-12"));
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("WARNING"), "{}", out.stdout);
    let out = run(conformance(&target).args(["HTTP-12", "--strict"]));
    assert_eq!(out.code, Some(1), "{}", out.all());
}

#[test]
fn an_admin_token_that_expires_mid_run_is_renewed_for_the_clean_up() {
    let (_server, target) =
        conformance::Embedded::start_with(&[], |c| c.token_ttl_secs = 1).expect("starts");
    let out = run(conformance(&target).args(["USR-0", "--threads", "1"]));
    assert!(out.stdout.contains("none left"), "{}", out.all());
    assert!(!out.stdout.contains("clean-up:"), "{}", out.stdout);
    assert_eq!(users_left(&target, &prefix(&out.stdout)), 0);
}

#[test]
fn ctrl_c_stops_cleans_up_and_reports() {
    let (_server, target) = reference(&[]);
    // The line per finished check tells when checks are under way.
    let mut cmd = conformance(&target);
    cmd.args(["--threads", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("pass") {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "ended early: {seen}"
        );
        seen.push_str(&line);
    }
    let started = Instant::now();
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(started.elapsed() < Duration::from_secs(90));
    assert_eq!(status.code(), Some(2), "{seen}{rest}");
    assert!(rest.contains("(interrupted)"), "{rest}");
    assert!(rest.contains("none left"), "{rest}");
    assert_eq!(users_left(&target, &prefix(&rest)), 0);
}

#[test]
fn an_admin_token_and_extra_headers_stand_in_for_a_login_and_stay_secret() {
    let (_server, target) = reference(&["USR-15"]);
    let token = admin_token(&target);
    let out = run(
        std::process::Command::new(env!("CARGO_BIN_EXE_conformance"))
            .args(["--target", &target.base, "--admin-token", &token])
            .args([
                "--header",
                "X-Gateway-Key: gw-Secret-4242",
                "USR-15",
                "USR-16",
            ]),
    );
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stdout.contains("FAILED USR-15"), "{}", out.stdout);
    assert!(
        out.stdout.contains("X-Gateway-Key: <redacted>"),
        "{}",
        out.stdout
    );
    assert!(!out.all().contains(&token) && !out.all().contains("gw-Secret-4242"));
    assert_eq!(users_left(&target, &prefix(&out.stdout)), 0);
}
