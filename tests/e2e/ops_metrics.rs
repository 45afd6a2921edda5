//! Issue 6 acceptance: after a short IMAP session on `mailkeep dev`, the
//! ops port's `/metrics` has the command counters by name and result, the
//! latency histograms with buckets, logins, sessions, gRPC and build info.

use anyhow::Context;
use mailkeep_tests::deployment::Deployment;
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::provision::AdminClient;

/// The value of the sample `name{labels}` in Prometheus text, where every
/// `key="value"` of `labels` must appear (in any order).
pub fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .find(|(series, _)| {
            let (series_name, series_labels) = series.split_once('{').unwrap_or((series, ""));
            series_name == name
                && labels
                    .iter()
                    .all(|(key, value)| series_labels.contains(&format!("{key}=\"{value}\"")))
        })
        .and_then(|(_, value)| value.parse().ok())
}

#[tokio::test]
async fn a_short_session_shows_in_the_command_metrics() -> anyhow::Result<()> {
    let deployment = Deployment::dev().await?;
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "metrics").await?;

    let mut client =
        ImapLines::logged_in(deployment.imap(), &account.login, &account.password).await?;
    client
        .append("a1", "Subject: metrics\r\n\r\nhello\r\n")
        .await?;
    client.ok("a2", "FETCH 1 BODY[]").await?;
    client.send("a3 FETCH\r\n").await?;
    let bad = client.until("a3 ").await?;
    assert!(
        bad.last().is_some_and(|line| line.starts_with("a3 BAD")),
        "{bad:?}"
    );
    client.ok("a4", "LOGOUT").await?;

    let url = format!("http://{}/metrics", deployment.gateways()[0].ops);
    let text = reqwest::get(&url).await?.text().await?;
    let value = |name: &str, labels: &[(&str, &str)]| {
        sample(&text, name, labels).with_context(|| format!("no {name}{labels:?} in\n{text}"))
    };
    let commands = "mailkeep_imap_commands_total";
    assert_eq!(
        value(commands, &[("command", "LOGIN"), ("result", "ok")])?,
        1.0
    );
    assert_eq!(
        value(commands, &[("command", "SELECT"), ("result", "ok")])?,
        1.0
    );
    assert_eq!(
        value(commands, &[("command", "APPEND"), ("result", "ok")])?,
        1.0
    );
    assert_eq!(
        value(commands, &[("command", "FETCH"), ("result", "ok")])?,
        1.0
    );
    assert_eq!(
        value(commands, &[("command", "FETCH"), ("result", "bad")])?,
        1.0
    );
    assert_eq!(
        value(commands, &[("command", "LOGOUT"), ("result", "ok")])?,
        1.0
    );

    let duration = "mailkeep_imap_command_duration_seconds";
    assert_eq!(
        value(&format!("{duration}_count"), &[("command", "FETCH")])?,
        2.0
    );
    assert_eq!(
        value(
            &format!("{duration}_bucket"),
            &[("command", "FETCH"), ("le", "+Inf")]
        )?,
        2.0
    );
    value(
        &format!("{duration}_bucket"),
        &[("command", "LOGIN"), ("le", "0.005")],
    )?;
    assert!(
        !text.contains("quantile="),
        "histograms must not render as summaries"
    );

    assert_eq!(
        value("mailkeep_imap_logins_total", &[("result", "success")])?,
        1.0
    );
    assert_eq!(
        value("mailkeep_imap_sessions", &[("listener", "imap")])?,
        0.0
    );
    assert_eq!(value("mailkeep_imap_idle_sessions", &[])?, 0.0);
    assert_eq!(
        value(
            "mailkeep_gateway_connections_total",
            &[("listener", "imap")]
        )?,
        1.0
    );
    let grpc = [
        ("service", "metadata"),
        ("method", "Authenticate"),
        ("code", "OK"),
    ];
    assert_eq!(value("mailkeep_grpc_server_requests_total", &grpc)?, 1.0);
    value(
        "mailkeep_grpc_server_duration_seconds_bucket",
        &[("service", "blob"), ("method", "Get"), ("le", "+Inf")],
    )?;
    value(
        "mailkeep_grpc_client_duration_seconds_count",
        &[("service", "metadata"), ("method", "fetch_messages")],
    )?;
    value(
        "mailkeep_sql_query_duration_seconds_count",
        &[("operation", "authenticate")],
    )?;
    assert_eq!(value("mailkeep_build_info", &[])?, 1.0);
    assert_eq!(value("mailkeep_draining", &[])?, 0.0);
    assert!(!text.contains(&account.login), "no per-user label");
    deployment.finish().await
}
