//! Escalation webhooks: a JSON body POSTed to a URL, with the answer classified for retrying
//! (2xx delivered, 429 and 5xx and transport failures retried, other 4xx refused). What the
//! server answers is kept short and masked (it may echo the URL's or the body's credentials).

use std::time::Duration;
use url::Url;

/// How a POST ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// 2xx, with the start of the body.
    Accepted { status: u16, body: String },
    /// 4xx other than 408/429: sending it again will not help.
    Refused { status: u16, body: String },
    /// 429: retry after the server's `Retry-After` when it gave one.
    RateLimited { retry_after: Option<Duration> },
    /// 5xx, 408, timeout, refused connection: retry.
    Failed(String),
}

/// A client for JSON POSTs with a timeout; redirects are not followed.
#[derive(Clone, Debug)]
pub struct JsonPoster {
    client: reqwest::Client,
    timeout: Duration,
    /// `[general] max_response`: the answer is read no further (its status still decides).
    max_response: u64,
}

impl JsonPoster {
    pub fn new(timeout: Duration, max_response: u64) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("onwatch/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.without_url().to_string())?;
        Ok(Self {
            client,
            timeout,
            max_response,
        })
    }

    /// POSTs `body` (already JSON text) to `url`.
    pub async fn post(&self, url: &Url, body: String) -> Delivery {
        let request = self
            .client
            .post(url.clone())
            .header("content-type", "application/json")
            .body(body);
        let response = match tokio::time::timeout(self.timeout, request.send()).await {
            Err(_) => return Delivery::Failed(format!("timed out after {:?}", self.timeout)),
            Ok(Err(e)) => {
                return Delivery::Failed(super::http::short_text(
                    e.without_url().to_string().as_bytes(),
                ));
            }
            Ok(Ok(r)) => r,
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = match tokio::time::timeout(self.timeout, self.read_capped(response)).await {
            Ok(Ok(b)) => super::http::short_text(&b),
            Ok(Err(too_large)) => too_large,
            Err(_) => String::new(),
        };
        match status {
            200..=299 => Delivery::Accepted { status, body },
            429 => Delivery::RateLimited { retry_after },
            408 | 500..=599 => Delivery::Failed(format!("HTTP {status}: {body}")),
            _ => Delivery::Refused { status, body },
        }
    }
}

impl JsonPoster {
    /// The answer's body, or why it was not read: a reply over the cap is dropped unread (the
    /// status has already told whether the event was taken, so the delivery still counts).
    async fn read_capped(&self, mut response: reqwest::Response) -> Result<Vec<u8>, String> {
        let too_large = || super::http::too_large(self.max_response);
        if response
            .content_length()
            .is_some_and(|len| len > self.max_response)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            if (body.len() + chunk.len()) as u64 > self.max_response {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// `Retry-After` in seconds (the HTTP-date form is read as "soon": a minute).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    Some(match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs.min(3600)),
        Err(_) => Duration::from_secs(60),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(""), None);
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::from_secs(60))
        );
    }
}
