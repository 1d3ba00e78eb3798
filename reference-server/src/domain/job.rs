//! Background jobs (CONTRACT §15): a user's data export, accepted at once and made later, and
//! the welcome notification a sign-up queues in its own transaction (the outbox).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::links::BASE;
use crate::violations::Violations;

/// Where a job stands; it only ever moves forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Running,
    Done,
    Failed,
}

impl Status {
    pub fn finished(self) -> bool {
        matches!(self, Status::Done | Status::Failed)
    }
}

/// What a job does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The user's data, for them to download.
    #[default]
    Export,
    /// The notification that welcomes a new user.
    Welcome,
}

/// A stored job, its result with it once it has one.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub id: u64,
    #[serde(default)]
    pub kind: Kind,
    pub user_id: u64,
    pub status: Status,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// The export, once done.
    pub result: Option<Value>,
    /// Why it failed, once failed.
    pub error: Option<String>,
}

/// Where a job is served.
pub fn job_path(id: u64) -> String {
    format!("{BASE}/jobs/{id}")
}

impl Job {
    pub fn new(id: u64, user_id: u64, kind: Kind) -> Job {
        Job {
            id,
            kind,
            user_id,
            status: Status::Pending,
            created_at: OffsetDateTime::now_utc(),
            finished_at: None,
            result: None,
            error: None,
        }
    }

    /// The job as the notification it delivers (JOB-04).
    pub fn notification(&self) -> NotificationView {
        NotificationView {
            kind: "welcome",
            status: match self.status {
                Status::Done => "sent",
                Status::Failed => "failed",
                Status::Pending | Status::Running => "pending",
            },
            created_at: self.created_at,
            sent_at: self.finished_at.filter(|_| self.status == Status::Done),
        }
    }

    pub fn view(&self, v: &Violations) -> JobView<'_> {
        let this = super::links::href(v, job_path(self.id));
        let done = self.status == Status::Done;
        JobView {
            id: self.id,
            kind: "export",
            user_id: self.user_id,
            status: self.status,
            created_at: self.created_at,
            finished_at: self.finished_at,
            error: self.error.as_deref(),
            links: JobLinks {
                result: done.then(|| format!("{this}/result")),
                this,
            },
        }
    }
}

/// The representation of a notification (JOB-04).
#[derive(Serialize)]
pub struct NotificationView {
    pub kind: &'static str,
    pub status: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
}

/// The representation of a job (CONTRACT §15).
#[derive(Serialize)]
pub struct JobView<'a> {
    pub id: u64,
    pub kind: &'static str,
    pub user_id: u64,
    pub status: Status,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    pub error: Option<&'a str>,
    pub links: JobLinks,
}

#[derive(Serialize)]
pub struct JobLinks {
    #[serde(rename = "self")]
    pub this: String,
    /// Only once the job is done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}
