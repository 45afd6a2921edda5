//! Reads one counter or gauge from a role's ops `/metrics` (Prometheus
//! text), summed over its label sets; a metric not yet registered reads 0.

use std::net::SocketAddr;

use anyhow::Context;

/// The value of `name` on the ops listener at `ops`.
pub async fn metric_value(ops: SocketAddr, name: &str) -> anyhow::Result<f64> {
    let text = reqwest::get(format!("http://{ops}/metrics"))
        .await?
        .error_for_status()?
        .text()
        .await?;
    let mut total = 0.0;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        if !(rest.starts_with(' ') || rest.starts_with('{')) {
            continue;
        }
        let value = rest.rsplit(' ').next().context("metric without a value")?;
        total += value
            .parse::<f64>()
            .with_context(|| format!("bad value in {line:?}"))?;
    }
    Ok(total)
}
