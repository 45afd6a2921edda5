//! How `mailkeep admin import` shows a job: [`describe`] for `show`,
//! `create` and `cancel`, and [`follow`], which polls the job every second
//! until it ends (a progress bar on a terminal, one line per poll otherwise,
//! only the final JSON with `--json`) and fails (exit 1) unless the job
//! completed.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reqwest::Method;
use serde_json::Value;

use super::client::{ApiClient, ApiRequest, CliError};
use super::imports::imports_path;

/// How often `--follow` asks for the job.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How often the progress bar is redrawn.
const BAR_REDRAW: Duration = Duration::from_millis(200);
/// The states after which a job never changes again.
const ENDED: [&str; 3] = ["completed", "failed", "cancelled"];

fn text<'a>(job: &'a Value, field: &str) -> &'a str {
    job[field].as_str().unwrap_or("-")
}

fn count(value: &Value) -> u64 {
    value.as_u64().unwrap_or(0)
}

/// Messages imported, skipped or failed so far.
fn processed(progress: &Value) -> u64 {
    count(&progress["messages_imported"])
        + count(&progress["messages_skipped"])
        + count(&progress["messages_failed"])
}

/// The split of the processed messages.
fn outcome_counts(progress: &Value) -> String {
    format!(
        "imported {}, skipped {}, failed {}",
        count(&progress["messages_imported"]),
        count(&progress["messages_skipped"]),
        count(&progress["messages_failed"]),
    )
}

/// The rate, the ETA and the folder being worked on (the first one not
/// done).
fn pace(progress: &Value) -> String {
    let eta = progress["eta_seconds"]
        .as_u64()
        .map_or_else(|| "-".to_owned(), |seconds| format!("{seconds}s"));
    let folder = progress["folders"]
        .as_array()
        .and_then(|folders| folders.iter().find(|folder| folder["done"] != true))
        .and_then(|folder| folder["source"].as_str())
        .unwrap_or("-");
    format!(
        "{:.1} msg/s, eta {eta}, folder {folder}",
        progress["rate_messages_per_second"].as_f64().unwrap_or(0.0),
    )
}

/// `processed/total messages, <counts>, <pace>`.
fn progress_line(job: &Value) -> String {
    let progress = &job["progress"];
    format!(
        "{}/{} messages, {}, {}",
        processed(progress),
        count(&progress["messages_total"]),
        outcome_counts(progress),
        pace(progress)
    )
}

/// A job for a terminal: one `field  value` line per aspect.
pub fn describe(job: &Value) -> String {
    let source = &job["source"];
    let rules: Vec<String> = job["folders"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|rule| {
                    let target = rule["target"].as_str().unwrap_or("(skip)");
                    format!("{} -> {target}", text(rule, "source"))
                })
                .collect()
        })
        .unwrap_or_default();
    let lines = [
        ("id", text(job, "id").to_owned()),
        ("account", text(job, "login").to_owned()),
        ("state", text(job, "state").to_owned()),
        (
            "source",
            format!(
                "{}:{} ({}) as {}",
                text(source, "host"),
                count(&source["port"]),
                text(source, "tls"),
                text(source, "username")
            ),
        ),
        (
            "folders",
            if rules.is_empty() {
                "-".to_owned()
            } else {
                rules.join(", ")
            },
        ),
        ("since", text(job, "since").to_owned()),
        ("before", text(job, "before").to_owned()),
        ("created_at", text(job, "created_at").to_owned()),
        ("started_at", text(job, "started_at").to_owned()),
        ("finished_at", text(job, "finished_at").to_owned()),
        ("progress", progress_line(job)),
        ("error", text(job, "error").to_owned()),
    ];
    let mut out: String = lines
        .iter()
        .map(|(key, value)| format!("{key:<11}  {value}\n"))
        .collect();
    for error in job["errors"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{:<11}  {}\n",
            "warning",
            error.as_str().unwrap_or("")
        ));
    }
    out
}

/// How `--follow` shows each poll.
enum Display {
    Bar(ProgressBar),
    Lines,
    Quiet,
}

impl Display {
    fn new(json: bool) -> Self {
        if json {
            return Display::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            return Display::Lines;
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
            bar.set_style(style);
        }
        // Several setters per poll: a steady redraw shows their joint
        // result instead of whichever one the draw rate limit let through.
        bar.enable_steady_tick(BAR_REDRAW);
        Display::Bar(bar)
    }

    fn show(&self, job: &Value) {
        match self {
            Display::Bar(bar) => {
                let progress = &job["progress"];
                bar.set_length(count(&progress["messages_total"]));
                bar.set_position(processed(progress));
                bar.set_message(format!(
                    "{} {}, {}",
                    text(job, "state"),
                    pace(progress),
                    outcome_counts(progress)
                ));
            }
            Display::Lines => println!("{} {}", text(job, "state"), progress_line(job)),
            Display::Quiet => {}
        }
    }

    fn finish(&self) {
        if let Display::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Polls the job in `answer` until it ends, then prints it; an error (exit
/// 1) unless it completed.
pub async fn follow(client: &ApiClient, json: bool, answer: Option<Value>) -> Result<(), CliError> {
    let mut job = answer.ok_or_else(|| CliError::Other("the answer has no job".to_owned()))?;
    let path = imports_path(text(&job, "login"), Some(text(&job, "id")))?;
    let display = Display::new(json);
    while !ENDED.contains(&text(&job, "state")) {
        display.show(&job);
        tokio::time::sleep(POLL_INTERVAL).await;
        let request = ApiRequest {
            method: Method::GET,
            segments: path.clone(),
            ..ApiRequest::default()
        };
        job = client
            .send(&request)
            .await?
            .ok_or_else(|| CliError::Other("the answer has no job".to_owned()))?;
    }
    display.finish();
    if json {
        println!("{job:#}");
    } else {
        print!("{}", describe(&job));
    }
    match text(&job, "state") {
        "completed" => Ok(()),
        state => Err(CliError::Other(format!("the import ended {state}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_description_names_progress_rate_eta_and_current_folder() {
        let job = json!({
            "id": "j1", "login": "alice@ex.test", "state": "running",
            "source": {"host": "h", "port": 993, "tls": "tls", "username": "a"},
            "folders": [{"source": "Spam", "target": null}],
            "progress": {"messages_total": 10, "messages_imported": 3, "messages_skipped": 1,
                         "messages_failed": 0, "rate_messages_per_second": 2.0, "eta_seconds": 3,
                         "folders": [{"source": "INBOX", "done": true},
                                     {"source": "Sent", "done": false}]},
            "errors": ["Sent: message 4 too large"]
        });
        assert_eq!(
            progress_line(&job),
            "4/10 messages, imported 3, skipped 1, failed 0, 2.0 msg/s, eta 3s, folder Sent"
        );
        let text = describe(&job);
        assert!(text.contains("source       h:993 (tls) as a\n"), "{text}");
        assert!(text.contains("folders      Spam -> (skip)\n"), "{text}");
        assert!(
            text.ends_with("warning      Sent: message 4 too large\n"),
            "{text}"
        );
    }
}
