//! Prometheus metrics of one server: requests by route template and status, their latency, and
//! the store's size. Each server records into a recorder of its own rather than the process-wide
//! one, so that servers sharing a process (tests, the in-process suite) never mix their counts.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use http::Method;
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::auth::Cost;

/// Upper bounds of the latency histogram, in seconds: from a cached read to a slow password hash.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The series of one method, route template and status.
type Series = (&'static str, &'static str, u16);

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    /// Each series' handles, registered at its first request: a lookup by labels in the recorder
    /// builds and hashes a key of owned labels, a cost that would otherwise come with every
    /// request.
    series: RwLock<HashMap<Series, (Counter, Histogram)>>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets(LATENCY_BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        Metrics {
            recorder,
            handle,
            series: RwLock::default(),
        }
    }
}

impl Metrics {
    /// Counts one answered request. `route` is a template, never a raw path, and the method one
    /// of a fixed few, so that the number of series stays bounded whatever clients send.
    pub fn request(&self, method: &Method, route: &'static str, status: u16, took: Duration) {
        let method = method_label(method.as_str());
        let seconds = took.as_secs_f64();
        let known = self.series.read().unwrap_or_else(|e| e.into_inner());
        if let Some((count, latency)) = known.get(&(method, route, status)) {
            count.increment(1);
            latency.record(seconds);
            return;
        }
        drop(known);
        let labels = [
            ("method", method.to_owned()),
            ("route", route.to_owned()),
            ("status", status.to_string()),
        ];
        let handles = metrics::with_local_recorder(&self.recorder, || {
            (
                metrics::counter!("touchstone_http_requests_total", &labels),
                metrics::histogram!("touchstone_http_request_duration_seconds", &labels),
            )
        });
        handles.0.increment(1);
        handles.1.record(seconds);
        self.series
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert((method, route, status), handles);
    }

    /// Counts one Argon2 verification of a login, by the parameters it ran with: an unknown
    /// username is checked against a dummy hash, so it shows in the same series as a wrong
    /// password (AUTH-03).
    pub fn password_verified(&self, cost: Cost) {
        let labels = [
            ("m_cost", cost.m_kib.to_string()),
            ("t_cost", cost.t.to_string()),
            ("p_cost", cost.p.to_string()),
        ];
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!("touchstone_password_verifications_total", &labels).increment(1);
        });
    }

    /// Folds the latency samples recorded so far into their histograms.
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// The exposition text, with the store's figures read now.
    pub fn render(&self, store: StoreFigures) -> String {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::gauge!("touchstone_users").set(store.users as f64);
            metrics::counter!("touchstone_store_durable_writes_total")
                .absolute(store.durable_writes);
            metrics::counter!("touchstone_store_flushes_total").absolute(store.flushes);
        });
        self.handle.render()
    }
}

/// The method as a label: those of RFC 9110 and PATCH as themselves, any other `_OTHER` (as
/// OpenTelemetry's HTTP conventions have it). A method is any token a client cares to send, and
/// each would otherwise be series of its own for as long as the server runs.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method)
        .unwrap_or("_OTHER")
}

/// What `/metrics` reports of the store.
#[derive(Clone, Copy, Debug, Default)]
pub struct StoreFigures {
    pub users: u64,
    /// Writes acknowledged only once on disk.
    pub durable_writes: u64,
    /// Flushes that made them so; far fewer than the writes under concurrency (group commit).
    pub flushes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_template_and_status() {
        let m = Metrics::default();

        m.request(
            &Method::GET,
            "/api/v1/users/{id}",
            200,
            Duration::from_millis(2),
        );
        m.request(
            &Method::GET,
            "/api/v1/users/{id}",
            200,
            Duration::from_millis(3),
        );
        m.request(
            &Method::GET,
            "/api/v1/users/{id}",
            404,
            Duration::from_millis(1),
        );
        let text = m.render(StoreFigures {
            users: 7,
            durable_writes: 9,
            flushes: 3,
        });

        assert!(text.contains(
            r#"touchstone_http_requests_total{method="GET",route="/api/v1/users/{id}",status="200"} 2"#
        ));
        assert!(text.contains(r#"status="404"} 1"#));
        assert!(text.contains("touchstone_http_request_duration_seconds_bucket"));
        assert!(text.contains("touchstone_users 7"));
        assert!(text.contains("touchstone_store_durable_writes_total 9"));
        assert!(text.contains("touchstone_store_flushes_total 3"));
    }

    #[test]
    fn methods_outside_the_standard_share_one_label() {
        let m = Metrics::default();

        m.request(&Method::PATCH, "unrouted", 404, Duration::from_millis(1));
        m.request(
            &Method::from_bytes(b"FROB").unwrap(),
            "unrouted",
            404,
            Duration::from_millis(1),
        );
        m.request(
            &Method::from_bytes(b"FROB2").unwrap(),
            "unrouted",
            404,
            Duration::from_millis(1),
        );
        let text = m.render(StoreFigures::default());

        assert!(text.contains(r#"method="PATCH""#));
        assert!(text.contains(
            r#"touchstone_http_requests_total{method="_OTHER",route="unrouted",status="404"} 2"#
        ));
        assert!(!text.contains("FROB"));
    }

    #[test]
    fn servers_do_not_share_counts() {
        let (a, b) = (Metrics::default(), Metrics::default());

        a.request(&Method::GET, "/health", 200, Duration::from_millis(1));

        assert!(
            !b.render(StoreFigures::default())
                .contains("touchstone_http_requests_total")
        );
    }
}
