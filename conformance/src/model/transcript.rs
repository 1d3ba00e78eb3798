//! A failing sequence as numbered curl commands with the answers seen, the password and every
//! token named rather than shown.

use super::run::Run;
use crate::http::Exchange;

impl Run<'_> {
    /// The numbered requests of the sequence so far as curl commands, each with the answer
    /// seen; the password and tokens are named, never shown.
    pub fn transcript(&self) -> String {
        let mut text = String::new();
        for (n, exchange) in self.log.iter().enumerate() {
            let etag = exchange
                .header("etag")
                .map(|t| format!(" (ETag {t})"))
                .unwrap_or_default();
            text.push_str(&format!(
                "\n    {}. {}\n       -> {}{etag}",
                n + 1,
                self.shown(exchange).curl(),
                self.redact(&exchange.summary()).replace('\n', " ")
            ));
        }
        text
    }

    /// The last request sent, as curl with the password and tokens named.
    pub fn last_curl(&self) -> Option<String> {
        self.log.last().map(|exchange| self.shown(exchange).curl())
    }

    fn shown(&self, exchange: &Exchange) -> Exchange {
        let mut shown = exchange.clone();
        for (_, value) in shown.request.headers.iter_mut() {
            *value = self.redact(value);
        }
        if let Some(body) = &shown.request.body {
            shown.request.body = Some(self.redact(&String::from_utf8_lossy(body)).into());
        }
        shown
    }

    /// `text` with the password and every token replaced by their names.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.replace(&self.ctx.password(), "$PASSWORD");
        if let Ok(admin) = self.ctx.admin() {
            text = text.replace(&admin.token, "$ADMIN_TOKEN");
        }
        for (token, name) in &self.tokens {
            text = text.replace(token, name);
        }
        text
    }
}
