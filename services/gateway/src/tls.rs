//! TLS for the IMAP listeners: loading a PEM certificate chain and key into a
//! rustls `ServerConfig` (aws-lc-rs provider, ALPN `imap`, RFC 7301 / RFC
//! 9051 §11.1), and the self-signed certificate `mailkeep dev` creates on
//! first start. Invariant: a generated key file is never readable by others
//! (mode 0600), and an existing certificate/key pair is reused, never
//! overwritten.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mailkeep_common::ErrorCode;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// The ALPN protocol id of IMAP over TLS (RFC 9051 §11.1, IANA registry).
pub const ALPN_IMAP: &[u8] = b"imap";

/// File names `generate_self_signed` writes inside its directory.
const SELF_SIGNED_CERT_FILE: &str = "tls-cert.pem";
const SELF_SIGNED_KEY_FILE: &str = "tls-key.pem";

/// Why a TLS configuration could not be loaded or generated.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read pem file {path}: {source}")]
    Pem {
        path: PathBuf,
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    #[error("no certificate in {path}")]
    NoCertificate { path: PathBuf },
    #[error("certificate and key are not usable together: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("cannot generate a self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl TlsError {
    pub fn code(&self) -> ErrorCode {
        match self {
            TlsError::Pem { .. } | TlsError::NoCertificate { .. } | TlsError::Rustls(_) => {
                ErrorCode::InvalidArgument
            }
            TlsError::Generate(_) | TlsError::Write { .. } => ErrorCode::Internal,
        }
    }
}

/// Loads a PEM certificate chain (leaf first) and a PEM private key (PKCS#8,
/// PKCS#1 or SEC1) into a server configuration.
pub fn load_tls(cert_pem_file: &Path, key_pem_file: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let pem_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TlsError::Pem { path, source }
    };
    let certificates = CertificateDer::pem_file_iter(cert_pem_file)
        .map_err(pem_error(cert_pem_file))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error(cert_pem_file))?;
    if certificates.is_empty() {
        return Err(TlsError::NoCertificate {
            path: cert_pem_file.to_path_buf(),
        });
    }
    let key = PrivateKeyDer::from_pem_file(key_pem_file).map_err(pem_error(key_pem_file))?;

    // An explicit provider, so the config does not depend on which provider
    // the process installed as its default (ARCHITECTURE.md §2: aws-lc-rs).
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certificates, key)?;
    config.alpn_protocols = vec![ALPN_IMAP.to_vec()];
    Ok(Arc::new(config))
}

/// Returns `(cert_path, key_path)` of a self-signed certificate for
/// `hostnames` inside `dir`, generating it when the pair is not there yet.
pub fn generate_self_signed(
    dir: &Path,
    hostnames: &[String],
) -> Result<(PathBuf, PathBuf), TlsError> {
    let cert_path = dir.join(SELF_SIGNED_CERT_FILE);
    let key_path = dir.join(SELF_SIGNED_KEY_FILE);
    if cert_path.is_file() && key_path.is_file() {
        return Ok((cert_path, key_path));
    }
    fs::create_dir_all(dir).map_err(|source| TlsError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let generated = rcgen::generate_simple_self_signed(hostnames.to_vec())?;
    // The key goes first: a crash in between leaves no certificate, so the
    // next start regenerates both instead of pairing a cert with a lost key.
    write_file(
        &key_path,
        generated.signing_key.serialize_pem().as_bytes(),
        0o600,
    )?;
    write_file(&cert_path, generated.cert.pem().as_bytes(), 0o644)?;
    tracing::info!(cert = %cert_path.display(), "generated a self-signed tls certificate");
    Ok((cert_path, key_path))
}

/// Writes `contents` to `path` (replacing it) with exactly `mode`.
fn write_file(path: &Path, contents: &[u8], mode: u32) -> Result<(), TlsError> {
    let write = || -> io::Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        let mut file = options.open(path)?;
        // `mode` applies only at creation; a leftover file keeps its own.
        #[cfg(unix)]
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))?;
        #[cfg(not(unix))]
        let _ = mode;
        file.write_all(contents)?;
        file.sync_all()
    };
    write().map_err(|source| TlsError::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["localhost".to_owned(), "127.0.0.1".to_owned()]
    }

    #[test]
    fn a_generated_certificate_loads_with_imap_alpn() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = generate_self_signed(dir.path(), &names()).unwrap();
        let config = load_tls(&cert, &key).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"imap".to_vec()]);
    }

    #[cfg(unix)]
    #[test]
    fn the_generated_key_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (_, key) = generate_self_signed(dir.path(), &names()).unwrap();
        let mode = fs::metadata(key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn an_existing_pair_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = generate_self_signed(dir.path(), &names()).unwrap();
        let first = (fs::read(&cert).unwrap(), fs::read(&key).unwrap());
        let (cert_again, key_again) = generate_self_signed(dir.path(), &names()).unwrap();
        assert_eq!((cert_again.clone(), key_again.clone()), (cert, key));
        assert_eq!(
            (fs::read(cert_again).unwrap(), fs::read(key_again).unwrap()),
            first
        );
    }

    #[test]
    fn a_lone_key_is_replaced_by_a_new_pair() {
        let dir = tempfile::tempdir().unwrap();
        let key_path = dir.path().join(SELF_SIGNED_KEY_FILE);
        fs::write(&key_path, b"stale").unwrap();
        let (cert, key) = generate_self_signed(dir.path(), &names()).unwrap();
        assert_ne!(fs::read(&key).unwrap(), b"stale");
        assert!(load_tls(&cert, &key).is_ok());
    }

    #[test]
    fn files_without_pem_items_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        fs::write(&empty, b"not pem at all\n").unwrap();
        let (_, key) = generate_self_signed(dir.path(), &names()).unwrap();
        let error = load_tls(&empty, &key).unwrap_err();
        assert!(matches!(error, TlsError::NoCertificate { .. }), "{error}");
        assert_eq!(error.code(), ErrorCode::InvalidArgument);

        let (cert, _) = generate_self_signed(dir.path(), &names()).unwrap();
        let error = load_tls(&cert, &empty).unwrap_err();
        assert!(matches!(error, TlsError::Pem { .. }), "{error}");
    }

    #[test]
    fn a_missing_file_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let error = load_tls(&missing, &missing).unwrap_err();
        assert!(error.to_string().contains("missing.pem"), "{error}");
    }
}
