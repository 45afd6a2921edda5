//! Config loading: defaults, the TOML file, `MAILKEEP_*` overrides and
//! secret handling.
// figment::Jail closures return figment::Result.
#![allow(clippy::result_large_err)]

use super::*;
use figment::Jail;

fn load_in(jail: &Jail, toml: &str) -> Result<Config, ConfigError> {
    let path = jail.directory().join("mailkeep.toml");
    std::fs::write(&path, toml).unwrap();
    Config::load(Some(&path))
}

#[test]
fn defaults_apply_without_a_file() {
    Jail::expect_with(|_jail| {
        let config = Config::load(None).unwrap();
        assert_eq!(config.admin.listen, SocketAddr::from(([0, 0, 0, 0], 8080)));
        assert_eq!(config.gateway.imaps_listen.port(), 993);
        assert_eq!(config.blob.s3_region, "us-east-1");
        assert!(config.metadata.database_url.is_none());
        Ok(())
    });
}

#[test]
fn environment_overrides_the_file() {
    Jail::expect_with(|jail| {
        jail.set_env("MAILKEEP_ADMIN__LISTEN", "127.0.0.1:18080");
        jail.set_env("MAILKEEP_BLOB__MAX_BLOB_BYTES", "1234");
        jail.set_env("MAILKEEP_LOG", "debug");
        jail.set_env("MAILKEEP_TEST_POSTGRES_URL", "postgres://ignored");
        let config = load_in(
            jail,
            r#"
            [admin]
            listen = "127.0.0.1:8081"
            metadata_url = "http://meta:50051"
            [blob]
            max_blob_bytes = 10
            url = "s3://mail"
            "#,
        )
        .unwrap();
        assert_eq!(
            config.admin.listen,
            SocketAddr::from(([127, 0, 0, 1], 18080))
        );
        assert_eq!(config.admin.metadata_url, "http://meta:50051");
        assert_eq!(config.blob.max_blob_bytes, 1234);
        assert_eq!(config.blob.url.as_deref(), Some("s3://mail"));
        Ok(())
    });
}

#[test]
fn telemetry_and_drain_settings_load_from_file_and_environment() {
    Jail::expect_with(|jail| {
        let config = Config::load(None).unwrap();
        assert_eq!(
            config.gateway.drain_timeout,
            mailkeep_gateway::DEFAULT_DRAIN_TIMEOUT.as_secs()
        );
        assert_eq!(config.telemetry.log_format, None);
        assert!(config.telemetry.otlp_endpoint.is_none());
        jail.set_env("MAILKEEP_TELEMETRY__OTLP_ENDPOINT", "http://collector:4317");
        let config = load_in(
            jail,
            "[telemetry]\nlog_format = \"json\"\n[gateway]\ndrain_timeout = 5\n",
        )
        .unwrap();
        assert_eq!(config.telemetry.log_format, Some(LogFormat::Json));
        assert_eq!(
            config.telemetry.otlp_endpoint.as_deref(),
            Some("http://collector:4317")
        );
        assert_eq!(config.gateway.drain_timeout, 5);
        assert!(load_in(jail, "[telemetry]\nlog_format = \"xml\"\n").is_err());
        Ok(())
    });
}

#[test]
fn unknown_keys_are_rejected_in_files_and_environment() {
    Jail::expect_with(|jail| {
        let error = load_in(jail, "[admin]\nlisten_addr = \"127.0.0.1:1\"\n").unwrap_err();
        assert!(error.to_string().contains("listen_addr"), "{error}");
        let error = load_in(jail, "[smtp]\nport = 25\n").unwrap_err();
        assert!(error.to_string().contains("smtp"), "{error}");
        jail.set_env("MAILKEEP_OPS__PORT", "1");
        let error = load_in(jail, "").unwrap_err();
        assert!(error.to_string().contains("port"), "{error}");
        Ok(())
    });
}

#[test]
fn secrets_come_from_a_value_or_a_file_but_not_both() {
    Jail::expect_with(|jail| {
        jail.create_file("token.txt", "from-file\n")?;
        let token_file = jail.directory().join("token.txt");
        let config = load_in(
            jail,
            &format!(
                "[internal]\ntoken_file = {:?}\n",
                token_file.display().to_string()
            ),
        )
        .unwrap();
        let token = config.internal.token().unwrap().unwrap();
        assert_eq!(token.expose(), "from-file");
        assert_eq!(format!("{token:?}"), "Secret(<redacted>)");

        jail.set_env("MAILKEEP_INTERNAL__TOKEN", "from-env");
        let config = load_in(jail, "").unwrap();
        assert_eq!(
            config.internal.token().unwrap().unwrap().expose(),
            "from-env"
        );

        jail.set_env(
            "MAILKEEP_INTERNAL__TOKEN_FILE",
            token_file.display().to_string(),
        );
        let config = load_in(jail, "").unwrap();
        assert!(matches!(
            config.internal.token(),
            Err(ConfigError::SecretTwice { .. })
        ));
        Ok(())
    });
}

#[test]
fn the_example_config_documents_valid_keys() {
    Jail::expect_with(|_jail| {
        let example =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/config/mailkeep.example.toml");
        let config = Config::load(Some(&example)).unwrap();
        assert_eq!(config.gateway.imap_listen.port(), 143);
        assert_eq!(
            config.blob.max_blob_bytes,
            mailkeep_blob::DEFAULT_MAX_BLOB_BYTES
        );
        Ok(())
    });
}

#[test]
fn a_missing_secret_file_and_a_missing_config_file_are_errors() {
    Jail::expect_with(|jail| {
        let config = load_in(
            jail,
            "[admin]\nbootstrap_token_file = \"/nonexistent/token\"\n",
        )
        .unwrap();
        assert!(matches!(
            config.admin.bootstrap_token(),
            Err(ConfigError::SecretFile { .. })
        ));
        let missing = jail.directory().join("nope.toml");
        assert!(matches!(
            Config::load(Some(&missing)),
            Err(ConfigError::MissingFile { .. })
        ));
        Ok(())
    });
}

#[test]
fn the_metadata_secrets_key_comes_from_the_environment_or_a_file() {
    Jail::expect_with(|jail| {
        assert!(
            Config::load(None)
                .unwrap()
                .metadata
                .secrets_key()
                .unwrap()
                .is_none()
        );
        jail.set_env("MAILKEEP_METADATA__SECRETS_KEY", "a2V5");
        let config = Config::load(None).unwrap();
        assert_eq!(
            config.metadata.secrets_key().unwrap().unwrap().expose(),
            "a2V5"
        );
        jail.create_file("secrets-key", "ZmlsZQ==\n")?;
        let file = jail.directory().join("secrets-key");
        jail.set_env("MAILKEEP_METADATA__SECRETS_KEY", "");
        jail.set_env(
            "MAILKEEP_METADATA__SECRETS_KEY_FILE",
            file.display().to_string(),
        );
        let config = Config::load(None).unwrap();
        assert_eq!(
            config.metadata.secrets_key().unwrap().unwrap().expose(),
            "ZmlsZQ=="
        );
        Ok(())
    });
}

#[test]
fn the_imports_table_has_defaults_overrides_and_bounds() {
    Jail::expect_with(|jail| {
        let defaults = Config::load(None).unwrap().imports.validated().unwrap();
        assert_eq!((defaults.workers, defaults.lease_seconds), (1, 30));
        jail.set_env("MAILKEEP_IMPORTS__LEASE_SECONDS", "3");
        let config = load_in(jail, "[imports]\nworkers = 0\npoll_interval_seconds = 1\n").unwrap();
        let imports = config.imports.validated().unwrap();
        assert_eq!((imports.workers, imports.lease_seconds), (0, 3));
        assert_eq!(imports.poll_interval, std::time::Duration::from_secs(1));
        jail.set_env("MAILKEEP_IMPORTS__LEASE_SECONDS", "2");
        assert!(Config::load(None).unwrap().imports.validated().is_err());
        Ok(())
    });
}

#[test]
fn the_literal_extension_is_one_capability_name() {
    Jail::expect_with(|jail| {
        let config = Config::load(None).unwrap();
        assert_eq!(config.gateway.literal_extension, LiteralExtension::Plus);
        let config = load_in(jail, "[gateway]\nliteral_extension = \"LITERAL-\"\n").unwrap();
        assert_eq!(config.gateway.literal_extension, LiteralExtension::Minus);
        jail.set_env("MAILKEEP_GATEWAY__LITERAL_EXTENSION", "LITERAL+");
        let config = load_in(jail, "[gateway]\nliteral_extension = \"LITERAL-\"\n").unwrap();
        assert_eq!(config.gateway.literal_extension, LiteralExtension::Plus);
        for refused in ["LITERAL", "literal-", "BOTH"] {
            jail.set_env("MAILKEEP_GATEWAY__LITERAL_EXTENSION", refused);
            assert!(matches!(Config::load(None), Err(ConfigError::Invalid(_))));
        }
        Ok(())
    });
}
