//! Sets `MAILKEEP_GIT_DESCRIBE` to `git describe --always --dirty` of the
//! checkout, or to nothing when git or `.git` is absent (a Docker build
//! context), so `mailkeep --version` falls back to the crate version.

use std::process::Command;

fn main() {
    let describe = Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().to_owned())
        .unwrap_or_default();
    println!("cargo:rustc-env=MAILKEEP_GIT_DESCRIBE={describe}");
    // Re-run on a new commit or branch (an absent path is ignored).
    println!("cargo:rerun-if-changed=../../.git/HEAD");
    println!("cargo:rerun-if-changed=../../.git/refs");
}
