//! The terminal progress bar (rate and ETA; hidden when stderr is not a
//! terminal) and the end-of-run summary: imported, skipped (already in the
//! folder) and failed messages with their reasons.

use std::io::{IsTerminal, Read};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::source::Failure;

/// The summary lists at most this many failures one per line.
const LISTED_FAILURES: usize = 50;

/// Counts of one run.
#[derive(Debug, Default)]
pub struct Summary {
    pub imported: u64,
    pub skipped: u64,
    pub failures: Vec<Failure>,
}

impl Summary {
    /// The report printed at the end.
    pub fn render(&self) -> String {
        let mut text = format!(
            "imported {}, skipped {} (already present), failed {}\n",
            self.imported,
            self.skipped,
            self.failures.len()
        );
        for failure in self.failures.iter().take(LISTED_FAILURES) {
            text.push_str(&format!("failed: {}: {}\n", failure.origin, failure.reason));
        }
        if self.failures.len() > LISTED_FAILURES {
            let more = self.failures.len() - LISTED_FAILURES;
            text.push_str(&format!("... and {more} more failures\n"));
        }
        text
    }
}

/// The bar: over bytes of an mbox file, or over Maildir message files.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar over `total` bytes (fed by [`Progress::wrap_read`]).
    pub fn bytes(total: u64) -> Self {
        Self::new(
            total,
            "{bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
        )
    }

    /// A bar over `total` messages (fed by [`Progress::advance`]).
    pub fn messages(total: u64) -> Self {
        Self::new(total, "{bar:40} {pos}/{len} {per_sec} eta {eta} {msg}")
    }

    fn new(total: u64, template: &str) -> Self {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        Self { bar }
    }

    /// `reader`, advancing the bar by the bytes read through it.
    pub fn wrap_read<R: Read>(&self, reader: R) -> impl Read {
        self.bar.wrap_read(reader)
    }

    pub fn advance(&self) {
        self.bar.inc(1);
    }

    pub fn show(&self, summary: &Summary) {
        self.bar.set_message(format!(
            "imported {} skipped {} failed {}",
            summary.imported,
            summary.skipped,
            summary.failures.len()
        ));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_every_count_and_bounds_the_failure_list() {
        let failure = Failure {
            origin: "box message 3 (line 9)".to_owned(),
            reason: "too big".to_owned(),
        };
        let summary = Summary {
            imported: 2,
            skipped: 1,
            failures: vec![failure; LISTED_FAILURES + 2],
        };
        let text = summary.render();
        assert!(text.starts_with("imported 2, skipped 1 (already present), failed 52\n"));
        assert!(text.contains("failed: box message 3 (line 9): too big\n"));
        assert!(text.ends_with("... and 2 more failures\n"));
        assert_eq!(text.lines().count(), 1 + LISTED_FAILURES + 1);
    }
}
