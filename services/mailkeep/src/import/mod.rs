//! `mailkeep import`: an operator tool that copies a Maildir tree or an mbox
//! file into an account, talking to the metadata and blob services directly
//! with the internal secret of the configuration (`[internal]`, and the
//! `gateway.metadata_url` / `gateway.blob_url` unless overridden by flags).
//! It streams: one message in memory at a time per reader, uploaded in
//! batches (see [`upload::Batch`]).
//! It is resumable: a message whose exact bytes (SHA-256, the blob id) are
//! already in the target folder is skipped, one stored copy per source
//! copy, so a second run imports nothing and duplicates in the source stay
//! duplicates. It exits nonzero when any message failed.

mod args;
mod flags;
mod maildir;
mod mbox;
mod progress;
pub mod source;
pub mod upload;

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use anyhow::Context;

pub use self::args::ImportArgs;
use self::args::Source;
use self::maildir::MaildirFolder;
use self::progress::{Progress, Summary};
use self::source::{Failure, SourceItem, SourceMessage};
use self::upload::{Batch, FolderTarget, Target};
use crate::config::Config;

/// Runs one import and prints its summary on stdout.
pub async fn run(args: ImportArgs, config: &Config) -> anyhow::Result<()> {
    let (local_part, domain) = args.address()?;
    let token = config.internal.token()?;
    let metadata_url = args
        .metadata_url
        .clone()
        .unwrap_or_else(|| config.gateway.metadata_url.clone());
    let blob_url = args
        .blob_url
        .clone()
        .unwrap_or_else(|| config.gateway.blob_url.clone());
    let max_bytes = usize::try_from(args.max_message_bytes).unwrap_or(usize::MAX);
    let mut target = Target::connect(
        &metadata_url,
        &blob_url,
        token.as_ref().map_or("", |secret| secret.expose()),
        local_part,
        domain,
    )
    .await?;
    let mut summary = Summary::default();
    match args.source() {
        Source::Mbox { file, folder } => {
            import_mbox(&mut target, &file, &folder, max_bytes, &mut summary).await?;
        }
        Source::Maildir(root) => {
            import_maildir(&mut target, &root, max_bytes, &mut summary).await?;
        }
    }
    print!("{}", summary.render());
    if !summary.failures.is_empty() {
        anyhow::bail!("{} messages were not imported", summary.failures.len());
    }
    Ok(())
}

async fn import_mbox(
    target: &mut Target,
    file: &Path,
    folder: &str,
    max_bytes: usize,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let input = File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let progress = Progress::bytes(input.metadata()?.len());
    let reader = BufReader::new(progress.wrap_read(input));
    let label = file.display().to_string();
    let messages = mbox::MboxReader::new(reader, &label, max_bytes);
    import_folder(target, folder, messages, &progress, summary).await;
    progress.finish();
    Ok(())
}

async fn import_maildir(
    target: &mut Target,
    root: &Path,
    max_bytes: usize,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let folders = maildir::discover(root)?;
    let mut listed: Vec<(MaildirFolder, Vec<maildir::MessageFile>)> = Vec::new();
    for folder in folders {
        let files = maildir::message_files(&folder)?;
        listed.push((folder, files));
    }
    let total = listed.iter().map(|(_, files)| files.len() as u64).sum();
    let progress = Progress::messages(total);
    for (folder, files) in &listed {
        let keywords = maildir::keywords(folder);
        let messages = files.iter().map(|file| {
            progress.advance();
            maildir::read(file, &keywords, max_bytes)
        });
        import_folder(target, &folder.name, messages, &progress, summary).await;
    }
    progress.finish();
    Ok(())
}

/// Imports `messages` into the folder `name`; every problem lands in `summary`.
async fn import_folder(
    target: &mut Target,
    name: &str,
    mut messages: impl Iterator<Item = SourceItem>,
    progress: &Progress,
    summary: &mut Summary,
) {
    let mut folder = match target.open_folder(name).await {
        Ok(folder) => folder,
        Err(error) => {
            summary.failures.push(Failure {
                origin: format!("folder {name}"),
                reason: format!("{error:#}"),
            });
            return;
        }
    };
    let mut batch = Batch::default();
    // Reading files blocks; the runtime keeps the RPC tasks on other workers.
    while let Some(item) = tokio::task::block_in_place(|| messages.next()) {
        match item {
            Err(failure) => summary.failures.push(failure),
            Ok(message) if folder.take_existing(&message.raw) => summary.skipped += 1,
            Ok(message) => {
                batch.push(message);
                if batch.is_full() {
                    send(target, &folder, batch.take(), summary).await;
                    progress.show(summary);
                }
            }
        }
    }
    send(target, &folder, batch.take(), summary).await;
    progress.show(summary);
}

/// Appends `messages`; only the messages at fault are reported.
async fn send(
    target: &Target,
    folder: &FolderTarget,
    messages: Vec<SourceMessage>,
    summary: &mut Summary,
) {
    if messages.is_empty() {
        return;
    }
    let origins: Vec<String> = messages
        .iter()
        .map(|message| message.origin.clone())
        .collect();
    let outcomes = match target.append_isolating(folder, messages).await {
        Ok(outcomes) => outcomes,
        Err(error) => vec![Err(format!("{error:#} (folder {})", folder.name)); origins.len()],
    };
    for (origin, outcome) in origins.into_iter().zip(outcomes) {
        match outcome {
            Ok(()) => summary.imported += 1,
            Err(reason) => summary.failures.push(Failure { origin, reason }),
        }
    }
}
