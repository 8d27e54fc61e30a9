//! TLS for connections reqwest does not make (the Loki tail's WebSocket), built as reqwest
//! builds its own: the same rustls and crypto provider, the platform verifier over the system
//! roots plus `tls.ca_file`, and `tls.insecure_skip_verify` skipping the certificate check.

use super::http::BuildError;
use crate::config::TlsOptions;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use std::path::Path;
use std::sync::Arc;

/// Reads a source's `tls.ca_file`; the error names the file, never its content.
pub fn read_ca_file(path: &Path) -> Result<Vec<u8>, BuildError> {
    std::fs::read(path).map_err(|e| BuildError::CaFile {
        path: path.display().to_string(),
        reason: e.kind().to_string(),
    })
}

/// The client configuration for a source's TLS options.
pub fn client_config(tls: &TlsOptions) -> Result<Arc<ClientConfig>, BuildError> {
    // reqwest's choice too: an installed default provider, else aws-lc-rs.
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError::Client(e.to_string()))?
        .dangerous();
    let builder = if tls.insecure_skip_verify {
        builder.with_custom_certificate_verifier(Arc::new(AnyCertificate(
            provider.signature_verification_algorithms,
        )))
    } else {
        let extra = match &tls.ca_file {
            Some(path) => ca_certificates(path)?,
            None => Vec::new(),
        };
        let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider)
            .map_err(|e| BuildError::Client(e.to_string()))?;
        builder.with_custom_certificate_verifier(Arc::new(verifier))
    };
    Ok(Arc::new(builder.with_no_client_auth()))
}

fn ca_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, BuildError> {
    let bad = |reason: String| BuildError::CaFile {
        path: path.display().to_string(),
        reason,
    };
    let pem = read_ca_file(path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("no PEM certificate in it".into()));
    }
    Ok(certs)
}

/// `insecure_skip_verify`: any certificate for any name is accepted (the user opted in); the
/// handshake signatures are still checked, so the peer holds the key of what it presented.
#[derive(Debug)]
struct AnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_that_is_missing_or_holds_no_certificate_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let missing = TlsOptions {
            ca_file: Some(dir.path().join("nope.pem")),
            insecure_skip_verify: false,
        };
        let e = client_config(&missing).unwrap_err().to_string();
        assert!(
            e.starts_with("cannot read CA file ") && e.contains("nope.pem"),
            "{e}"
        );
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = client_config(&TlsOptions {
            ca_file: Some(empty),
            insecure_skip_verify: false,
        })
        .unwrap_err()
        .to_string();
        assert!(e.ends_with("no PEM certificate in it"), "{e}");
        assert!(client_config(&TlsOptions::default()).is_ok());
    }
}
