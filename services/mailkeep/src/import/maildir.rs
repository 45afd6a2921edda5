//! The Maildir reader. A folder is any directory holding `cur/` and `new/`;
//! the tree is walked from the root (symlinks not followed, depth bounded).
//! Names: the root is INBOX; Maildir++ names (`.Sub.Folder`, also below a
//! plain directory as mbsync's legacy `Sub/.Folder`) split on dots; plain
//! nested directories (mbsync `SubFolders Verbatim`, and an `INBOX/`
//! directory) keep their path; every level becomes a `/`-separated part.
//! Messages are the files of `cur/` and `new/`, oldest first (mtime, then
//! name); flags come from the `:2,` info and the folder's
//! `dovecot-keywords` file, the internal date from the file's mtime. The
//! `X-TUID` header that mbsync adds to the files it writes (its own
//! bookkeeping, absent from the message on the server) is dropped.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::Context;

use super::flags::{self, KeywordTable};
use super::source::{Failure, SourceItem, SourceMessage, to_crlf, without_header};

/// Deeper trees are not walked (a loop guard; real stores are shallow).
const MAX_DEPTH: usize = 16;
const MESSAGE_DIRS: [&str; 2] = ["cur", "new"];
const KEYWORDS_FILE: &str = "dovecot-keywords";
/// mbsync's tracking header.
const MBSYNC_HEADER: &str = "X-TUID";

/// One Maildir folder and the IMAP name it is imported as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildirFolder {
    pub name: String,
    pub path: PathBuf,
}

/// One message file, not yet read.
#[derive(Debug, Clone)]
pub struct MessageFile {
    pub path: PathBuf,
    mtime: Option<i64>,
}

/// Every folder below `root` (the root itself is INBOX), sorted by name.
pub fn discover(root: &Path) -> anyhow::Result<Vec<MaildirFolder>> {
    let mut found = Vec::new();
    walk(root, root, 0, &mut found)?;
    if found.is_empty() {
        anyhow::bail!(
            "{} holds no Maildir folder (a directory with cur/ and new/)",
            root.display()
        );
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    found: &mut Vec<MaildirFolder>,
) -> anyhow::Result<()> {
    if is_folder(dir) {
        let relative = dir.strip_prefix(root).unwrap_or(dir);
        let name = folder_name(relative)
            .with_context(|| format!("cannot name the Maildir folder {}", dir.display()))?;
        found.push(MaildirFolder {
            name,
            path: dir.to_path_buf(),
        });
    }
    if depth >= MAX_DEPTH {
        return Ok(());
    }
    let entries = fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if !entry.file_type()?.is_dir() || [&"tmp", &"cur", &"new"].iter().any(|n| name == **n) {
            continue;
        }
        walk(root, &entry.path(), depth + 1, found)?;
    }
    Ok(())
}

fn is_folder(dir: &Path) -> bool {
    MESSAGE_DIRS.iter().all(|sub| dir.join(sub).is_dir())
}

/// The IMAP name of the folder at `relative` (to the root); `None` when a
/// part would be empty.
pub fn folder_name(relative: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in relative.iter() {
        let component = component.to_str()?;
        match component.strip_prefix('.') {
            Some(dotted) => parts.extend(dotted.split('.').map(str::to_owned)),
            None => parts.push(component.to_owned()),
        }
    }
    if parts.iter().any(String::is_empty) {
        return None;
    }
    if parts
        .first()
        .is_none_or(|first| first.eq_ignore_ascii_case("INBOX"))
    {
        if parts.is_empty() {
            parts.push(String::new());
        }
        "INBOX".clone_into(&mut parts[0]);
    }
    Some(parts.join("/"))
}

/// The folder's message files, oldest first.
pub fn message_files(folder: &MaildirFolder) -> anyhow::Result<Vec<MessageFile>> {
    let mut files = Vec::new();
    for sub in MESSAGE_DIRS {
        let dir = folder.path.join(sub);
        for entry in fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with('.') || !entry.file_type()?.is_file()
            {
                continue;
            }
            let mtime = entry
                .metadata()?
                .modified()
                .ok()
                .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
                .and_then(|since| i64::try_from(since.as_secs()).ok());
            files.push(MessageFile {
                path: entry.path(),
                mtime,
            });
        }
    }
    files.sort_by(|a, b| (a.mtime, &a.path).cmp(&(b.mtime, &b.path)));
    Ok(files)
}

/// The folder's keyword table; empty when it has no `dovecot-keywords`.
pub fn keywords(folder: &MaildirFolder) -> KeywordTable {
    fs::read_to_string(folder.path.join(KEYWORDS_FILE))
        .map(|text| KeywordTable::parse(&text))
        .unwrap_or_default()
}

/// Reads one message file, failing it when it is over `max_bytes`.
pub fn read(file: &MessageFile, keywords: &KeywordTable, max_bytes: usize) -> SourceItem {
    let origin = file.path.display().to_string();
    let failure = |reason: String| Failure {
        origin: origin.clone(),
        reason,
    };
    let size = fs::metadata(&file.path)
        .map_err(|error| failure(format!("cannot read: {error}")))?
        .len();
    if size > max_bytes as u64 {
        return Err(failure(format!("larger than the {max_bytes} byte limit")));
    }
    let bytes = fs::read(&file.path).map_err(|error| failure(format!("cannot read: {error}")))?;
    let file_name = file
        .path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(SourceMessage {
        raw: without_header(&to_crlf(&bytes), MBSYNC_HEADER),
        internal_date: file.mtime,
        internal_date_offset: 0,
        flags: flags::from_maildir_name(&file_name, keywords),
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_gateway_core::backend::SystemFlags;

    fn make_folder(path: &Path) {
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(path.join(sub)).unwrap();
        }
    }

    #[test]
    fn maildir_plus_plus_and_nested_names() {
        let name = |path: &str| folder_name(Path::new(path));
        assert_eq!(name("").as_deref(), Some("INBOX"));
        assert_eq!(name(".Sent").as_deref(), Some("Sent"));
        assert_eq!(name(".Sub.Folder").as_deref(), Some("Sub/Folder"));
        assert_eq!(name("Sub/Folder").as_deref(), Some("Sub/Folder"));
        assert_eq!(name("Sub/.Folder").as_deref(), Some("Sub/Folder"));
        assert_eq!(name("inbox").as_deref(), Some("INBOX"));
        assert_eq!(name(".INBOX.Lists").as_deref(), Some("INBOX/Lists"));
        assert_eq!(name("..Broken"), None);
        assert_eq!(name(".Trailing."), None);
    }

    #[test]
    fn discovers_folders_and_reads_flags_dates_and_bytes() {
        let root = tempfile::tempdir().unwrap();
        make_folder(root.path());
        make_folder(&root.path().join(".Work.Reports"));
        make_folder(&root.path().join("Archive"));
        fs::create_dir_all(root.path().join("not-a-folder")).unwrap();
        let folders = discover(root.path()).unwrap();
        let names: Vec<&str> = folders.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Archive", "INBOX", "Work/Reports"]);

        let inbox = &folders[1];
        fs::write(inbox.path.join("dovecot-keywords"), "0 $Important\n").unwrap();
        fs::write(
            inbox.path.join("cur/1.a.host,U=1:2,RSa"),
            "Subject: a\nX-TUID: zR8CHRHHUlg9\n\nx\n",
        )
        .unwrap();
        fs::write(inbox.path.join("new/2.b.host"), "Subject: b\r\n\r\ny\r\n").unwrap();
        fs::write(inbox.path.join("cur/.hidden"), "no").unwrap();
        let files = message_files(inbox).unwrap();
        assert_eq!(files.len(), 2);
        let table = keywords(inbox);
        let mut read_all: Vec<SourceMessage> = files
            .iter()
            .map(|file| read(file, &table, 1024).unwrap())
            .collect();
        read_all.sort_by(|a, b| a.raw.cmp(&b.raw));
        assert_eq!(read_all[0].raw, b"Subject: a\r\n\r\nx\r\n");
        assert_eq!(
            read_all[0].flags.system.0,
            SystemFlags::SEEN | SystemFlags::ANSWERED
        );
        assert_eq!(read_all[0].flags.keywords, ["$Important"]);
        assert_eq!(read_all[1].raw, b"Subject: b\r\n\r\ny\r\n");
        assert_eq!(read_all[1].flags.system.0, 0);
        assert!(
            read_all[1]
                .internal_date
                .is_some_and(|date| date > 1_600_000_000)
        );

        let failure = read(&files[0], &table, 4).unwrap_err();
        assert!(failure.reason.contains("4 byte limit"), "{failure:?}");
    }

    #[test]
    fn a_tree_without_folders_is_an_error() {
        let root = tempfile::tempdir().unwrap();
        let error = discover(root.path()).unwrap_err();
        assert!(error.to_string().contains("no Maildir folder"), "{error}");
    }
}
