//! Hand-written `Debug` of the generated messages that carry a secret
//! (`build.rs` skips their derived one), so a logged request never shows it.

use std::fmt;

use crate::metadata::v1::ImportSource;

impl fmt::Debug for ImportSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportSource")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_password_never_prints() {
        let source = ImportSource {
            host: "imap.example.com".into(),
            password: "hunter2".into(),
            ..ImportSource::default()
        };
        let printed = format!("{source:?}");
        assert!(printed.contains("imap.example.com"));
        assert!(!printed.contains("hunter2"));
    }
}
