//! TLS client settings for source servers, on aws-lc-rs like every TLS
//! config of the binary: the system's trust anchors (built once), or for a
//! job with `accept_invalid_certs` a verifier that accepts any certificate
//! while still checking the handshake signatures, so the session is
//! encrypted to whoever holds the presented key (test servers with a
//! self-signed certificate).

use std::sync::{Arc, OnceLock};

use anyhow::Context;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

static VERIFIED: OnceLock<Arc<ClientConfig>> = OnceLock::new();
static UNVERIFIED: OnceLock<Arc<ClientConfig>> = OnceLock::new();

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The client config for a source; `accept_invalid_certs` skips the
/// certificate check.
pub fn client_config(accept_invalid_certs: bool) -> anyhow::Result<Arc<ClientConfig>> {
    let cell = if accept_invalid_certs {
        &UNVERIFIED
    } else {
        &VERIFIED
    };
    if let Some(config) = cell.get() {
        return Ok(Arc::clone(config));
    }
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("no tls protocol version available")?;
    let config = if accept_invalid_certs {
        let algorithms = provider().signature_verification_algorithms;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate { algorithms }))
            .with_no_client_auth()
    } else {
        builder
            .with_root_certificates(system_roots()?)
            .with_no_client_auth()
    };
    Ok(Arc::clone(cell.get_or_init(|| Arc::new(config))))
}

fn system_roots() -> anyhow::Result<RootCertStore> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    anyhow::ensure!(
        added > 0,
        "no trusted root certificates found on this system"
    );
    Ok(roots)
}

/// Accepts every certificate; verifies the handshake signatures only.
#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

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
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unverified_config_is_built_once() {
        let first = client_config(true).unwrap();
        let second = client_config(true).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
    }
}
