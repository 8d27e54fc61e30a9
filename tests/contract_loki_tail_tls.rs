//! The Loki live tail over TLS against a local `wss://` server on 127.0.0.1 whose certificate is
//! signed by a CA made in the test: the tail honours `tls.ca_file` and `tls.insecure_skip_verify`
//! as the HTTP client does, and says why when it does not trust the server.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
use futures::SinkExt;
use onwatch::config::{HttpOptions, TlsOptions};
use onwatch::domain::health::SourceError;
use onwatch::sources::loki_tail::{TailConnector, TailEnd, TailFrame};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// The CA's PEM, and a server for the tail whose certificate (for 127.0.0.1) it signed. Each
/// connection gets one Loki tail message, then a normal close.
async fn tls_server() -> (String, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that does not trust us ends the handshake: nothing to serve.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut ws = tokio_tungstenite::accept_async(tls).await.unwrap();
                let frame = r#"{"streams":[{"stream":{"app":"api"},"values":[["1795834800000000000","over tls"]]}]}"#;
                ws.send(Message::Text(frame.into())).await.unwrap();
                let close = CloseFrame {
                    code: 1000.into(),
                    reason: "".into(),
                };
                let _ = ws.send(Message::Close(Some(close))).await;
            });
        }
    });
    (format!("https://{addr}"), ca.pem())
}

async fn connect(url: &str, tls: TlsOptions) -> (TailEnd, Vec<TailFrame>) {
    let opts = HttpOptions {
        tls,
        ..Default::default()
    };
    let connector = TailConnector::new(url, &opts).unwrap();
    let mut frames = Vec::new();
    let end = tokio::time::timeout(
        Duration::from_secs(20),
        connector.run(r#"{app="api"}"#, 0, 10, |f| frames.push(f)),
    )
    .await
    .expect("the tail ends within the deadline");
    (end, frames)
}

#[tokio::test]
async fn contract_loki_tail_tls_trusts_the_ca_file_or_an_explicit_opt_in_only() {
    let (url, ca_pem) = tls_server().await;
    assert!(url.starts_with("https://127.0.0.1:"));

    // Without the CA: refused, and the message says it is the certificate and what to set.
    let (end, frames) = connect(&url, TlsOptions::default()).await;
    let TailEnd::Error(SourceError::Unreachable(why)) = end else {
        panic!("expected a TLS failure, got {end:?}");
    };
    assert!(
        why.starts_with("TLS: ") && why.contains("certificate"),
        "{why}"
    );
    assert!(why.contains("tls.ca_file"), "{why}");
    assert!(frames.is_empty());

    // With the CA file: the tail's message arrives, then the server's close.
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let (end, frames) = connect(
        &url,
        TlsOptions {
            ca_file: Some(ca_file),
            insecure_skip_verify: false,
        },
    )
    .await;
    assert_eq!(end, TailEnd::Closed(Some(1000)));
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].entries[0].line, "over tls");

    // insecure_skip_verify: accepted without the CA (the user opted in).
    let (end, frames) = connect(
        &url,
        TlsOptions {
            ca_file: None,
            insecure_skip_verify: true,
        },
    )
    .await;
    assert_eq!(end, TailEnd::Closed(Some(1000)));
    assert_eq!(frames[0].entries[0].line, "over tls");
}
