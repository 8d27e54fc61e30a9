//! `onwatch check` for the log sources that are not polled over HTTP the usual way: an
//! Elasticsearch/OpenSearch index (a `_search` of size 0), a command (its program resolves and
//! starts), a file (it can be read).

use super::check::{Probe, redact_userinfo};
use crate::config::{CommandSource, ElasticsearchSource, FileSource};
use crate::sources::elasticsearch::{EsClient, search_body};
use crate::sources::http::HttpClient;
use std::time::Duration;

pub(super) async fn search(
    es: &ElasticsearchSource,
    (timeout, max_response): (Duration, u64),
) -> Probe {
    let result = async {
        let http = es.http();
        let client = HttpClient::new(&http, timeout)
            .map_err(|e| e.to_string())?
            .with_max_body(max_response);
        let client = EsClient::new(&es.url, &es.index, client).map_err(|e| e.to_string())?;
        // The pane's own query with no hits asked for: the index, the query syntax and the
        // fields it sorts on are all checked, and nothing is transferred.
        let body = search_body(
            &es.query,
            &es.time_field,
            &es.tiebreaker,
            None,
            None,
            false,
            0,
        );
        client.search(&body).await.map_err(|e| e.to_string())?;
        let mut detail = format!("_search answers on {}", es.index);
        if http.tls.insecure_skip_verify {
            detail.push_str("; WARNING: TLS verification is off");
        }
        Ok(detail)
    }
    .await;
    Probe {
        kind: "elasticsearch",
        name: es.name.clone(),
        url: redact_userinfo(&es.url),
        result,
    }
}

/// Starts the command and stops it at once (with its process group): a program that is not
/// on PATH or cannot be executed fails here rather than as a restart loop in the cockpit.
pub(super) async fn command(c: &CommandSource) -> Probe {
    let program = c.argv.first().cloned().unwrap_or_default();
    let (tx, _rx) = tokio::sync::mpsc::channel(1);
    let result = match crate::sources::command::start(&c.argv, 64, tx) {
        Ok(running) => {
            drop(running);
            Ok("starts".to_string())
        }
        Err(e) => Err(format!("cannot run {program}: {e}")),
    };
    Probe {
        kind: "command",
        name: c.name.clone(),
        url: program,
        result,
    }
}

pub(super) async fn file(f: &FileSource) -> Probe {
    let result = match tokio::fs::File::open(&f.path).await {
        Ok(file) => match file.metadata().await {
            Ok(m) if m.is_dir() => Err("is a directory".to_string()),
            Ok(m) => Ok(format!("readable, {} bytes", m.len())),
            Err(e) => Err(format!("cannot read: {e}")),
        },
        Err(e) => Err(format!("cannot read: {e}")),
    };
    Probe {
        kind: "file",
        name: f.name.clone(),
        url: f.path.display().to_string(),
        result,
    }
}
