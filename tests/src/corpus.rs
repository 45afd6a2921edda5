//! The reference corpus of issue 2: `gen_mbox.py OUT 400 20240601` from
//! `$MAILKEEP_SHARED_DIR/corpus` (default `../shared` beside the
//! repository), generated once into a cache directory and reused while its
//! SHA-256 matches the one the corpus README publishes. Invariant: a path
//! this module returns holds exactly the published bytes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

use crate::python;

pub const COUNT: u32 = 400;
pub const SEED: u32 = 20240601;
const GENERATE_LIMIT: Duration = Duration::from_secs(300);

/// `$MAILKEEP_SHARED_DIR/corpus`.
pub fn corpus_dir() -> PathBuf {
    let shared = std::env::var_os("MAILKEEP_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    shared.join("corpus")
}

/// The SHA-256 the corpus README gives for the reference corpus.
pub fn published_sha256() -> anyhow::Result<String> {
    let readme_path = corpus_dir().join("README.md");
    let readme = std::fs::read_to_string(&readme_path)
        .with_context(|| format!("cannot read {}", readme_path.display()))?;
    readme
        .split('`')
        .find(|word| word.len() == 64 && word.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
        .with_context(|| format!("{} names no SHA-256", readme_path.display()))
}

/// The reference corpus in `cache_dir`, generated when missing or stale.
pub fn reference_corpus(cache_dir: &Path) -> anyhow::Result<PathBuf> {
    let expected = published_sha256()?;
    let path = cache_dir.join(format!("corpus-{COUNT}-{SEED}.mbox"));
    if path.is_file() && sha256_of(&path)? == expected {
        return Ok(path);
    }
    std::fs::create_dir_all(cache_dir)?;
    let partial = cache_dir.join(format!("corpus-{COUNT}-{SEED}.{}.tmp", std::process::id()));
    let generator = corpus_dir().join("gen_mbox.py");
    let (generator, partial_arg) = (generator.to_string_lossy(), partial.to_string_lossy());
    let output = python::run(
        &[
            &generator,
            &partial_arg,
            &COUNT.to_string(),
            &SEED.to_string(),
        ],
        &[],
        GENERATE_LIMIT,
    )?;
    if !output.success {
        bail!("gen_mbox.py failed\n{}", output.describe());
    }
    let actual = sha256_of(&partial)?;
    if actual != expected {
        bail!(
            "the generated corpus has SHA-256 {actual}, the corpus README says {expected} \
             (the README's figure is for Python 3.11; MAILKEEP_TEST_PYTHON may be another version)"
        );
    }
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

fn sha256_of(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}
