//! Pass/fail limits, judged per named request from the metrics goose returns: goose never exits
//! non-zero because requests failed, so CI needs this verdict.

use std::fmt::Write as _;

use goose::metrics::GooseMetrics;

/// The limits a run must stay within; `None` leaves a metric unjudged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Limits {
    /// Failed requests as a percent of all requests of one name.
    pub max_error_rate: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// What one named request (`GET /api/v1/users/{id}`) did during the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    pub name: String,
    pub requests: usize,
    pub failures: usize,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

impl Observed {
    /// Failures as a percent of requests; 0 for a request never made.
    pub fn error_rate(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            100.0 * self.failures as f64 / self.requests as f64
        }
    }
}

/// One limit judged against one request.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub request: String,
    pub metric: &'static str,
    pub limit: f64,
    pub observed: f64,
    pub passed: bool,
}

/// Every named request of the run, in name order.
pub fn observed(metrics: &GooseMetrics) -> Vec<Observed> {
    let mut all: Vec<Observed> = metrics
        .requests
        .iter()
        .map(|(name, m)| Observed {
            name: name.clone(),
            requests: m.success_count + m.fail_count,
            failures: m.fail_count,
            p95_ms: m.raw_data.percentile_us(0.95) as f64 / 1000.0,
            p99_ms: m.raw_data.percentile_us(0.99) as f64 / 1000.0,
        })
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all
}

/// Judges every limit against every request that was made at least once. A limit is an upper
/// bound: reaching it exactly passes.
pub fn judge(limits: &Limits, observed: &[Observed]) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    for o in observed.iter().filter(|o| o.requests > 0) {
        let checks = [
            ("error rate %", limits.max_error_rate, o.error_rate()),
            ("p95 ms", limits.p95_ms, o.p95_ms),
            ("p99 ms", limits.p99_ms, o.p99_ms),
        ];
        for (metric, limit, value) in checks {
            if let Some(limit) = limit {
                verdicts.push(Verdict {
                    request: o.name.clone(),
                    metric,
                    limit,
                    observed: value,
                    passed: value <= limit,
                });
            }
        }
    }
    verdicts
}

impl Verdict {
    /// The metric's name in the JSON report.
    pub fn key(&self) -> &'static str {
        match self.metric {
            "error rate %" => "error_rate_percent",
            "p95 ms" => "p95_ms",
            _ => "p99_ms",
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "request": self.request,
            "metric": self.key(),
            "limit": self.limit,
            "observed": (self.observed * 1000.0).round() / 1000.0,
            "passed": self.passed,
        })
    }
}

/// True when no limit was breached.
pub fn passed(verdicts: &[Verdict]) -> bool {
    verdicts.iter().all(|v| v.passed)
}

/// The verdicts as a plain-text table, the verdict in words so it never rests on colour.
pub fn table(verdicts: &[Verdict]) -> String {
    let width = verdicts
        .iter()
        .map(|v| v.request.len())
        .max()
        .unwrap_or(0)
        .max("request".len());
    let mut out = format!(
        "{:<width$}  {:<12}  {:>10}  {:>10}  verdict\n",
        "request", "metric", "observed", "limit"
    );
    for v in verdicts {
        let verdict = if v.passed { "PASS" } else { "FAIL" };
        let _ = writeln!(
            out,
            "{:<width$}  {:<12}  {:>10.2}  {:>10.2}  {verdict}",
            v.request, v.metric, v.observed, v.limit
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(name: &str, requests: usize, failures: usize, p95: f64, p99: f64) -> Observed {
        Observed {
            name: name.into(),
            requests,
            failures,
            p95_ms: p95,
            p99_ms: p99,
        }
    }

    fn limits() -> Limits {
        Limits {
            max_error_rate: Some(1.0),
            p95_ms: Some(50.0),
            p99_ms: Some(100.0),
        }
    }

    #[test]
    fn requests_within_every_limit_pass() {
        let seen = [request("GET /api/v1/users", 1000, 5, 12.0, 40.0)];

        let verdicts = judge(&limits(), &seen);

        assert_eq!(verdicts.len(), 3);
        assert!(passed(&verdicts));
    }

    #[test]
    fn a_slow_p99_fails_only_its_own_request_and_metric() {
        let seen = [
            request("GET /api/v1/users", 1000, 0, 12.0, 40.0),
            request("POST /api/v1/auth/login", 200, 0, 30.0, 180.0),
        ];

        let verdicts = judge(&limits(), &seen);

        let failed: Vec<_> = verdicts.iter().filter(|v| !v.passed).collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].request, "POST /api/v1/auth/login");
        assert_eq!(failed[0].metric, "p99 ms");
        assert!(!passed(&verdicts));
    }

    #[test]
    fn error_rate_is_a_percent_of_the_requests_of_one_name() {
        let seen = [request("DELETE /api/v1/users/{id}", 50, 1, 1.0, 1.0)];

        let verdicts = judge(&limits(), &seen);

        let rate = verdicts
            .iter()
            .find(|v| v.metric == "error rate %")
            .unwrap();
        assert_eq!(rate.observed, 2.0);
        assert!(!rate.passed);
    }

    #[test]
    fn a_value_equal_to_its_limit_passes() {
        let seen = [request("GET /api/v1/users/me", 100, 1, 50.0, 100.0)];

        assert!(passed(&judge(&limits(), &seen)));
    }

    #[test]
    fn unset_limits_and_requests_never_made_are_not_judged() {
        let only_p95 = Limits {
            p95_ms: Some(10.0),
            ..Limits::default()
        };
        let seen = [
            request("GET /api/v1/users", 10, 10, 5.0, 500.0),
            request("PATCH /api/v1/users/{id}", 0, 0, 0.0, 0.0),
        ];

        let verdicts = judge(&only_p95, &seen);

        assert_eq!(verdicts.len(), 1);
        assert_eq!(verdicts[0].metric, "p95 ms");
        assert!(verdicts[0].passed);
    }

    #[test]
    fn the_table_names_each_verdict_in_words() {
        let seen = [request("GET /api/v1/users", 100, 50, 5.0, 5.0)];

        let text = table(&judge(&limits(), &seen));

        assert!(text.contains("GET /api/v1/users"));
        assert!(text.contains("FAIL"));
        assert!(text.contains("PASS"));
    }
}
