//! Runs the Python oracle's own unit tests (`tests/e2e/test_*.py`), so
//! that the expected ENVELOPE and BODYSTRUCTURE the scenario compares
//! against are themselves tested, on small known messages and on the whole
//! reference corpus.

use std::time::Duration;

use anyhow::bail;
use mailkeep_tests::python;

use crate::acceptance::shared_corpus;

const LIMIT: Duration = Duration::from_secs(300);

#[test]
fn the_python_oracle_passes_its_own_tests() -> anyhow::Result<()> {
    let corpus = shared_corpus()?;
    let corpus = corpus.to_string_lossy();
    let output = python::run(
        &["-m", "unittest", "discover", "-s", ".", "-p", "test_*.py"],
        &[("MAILKEEP_E2E_CORPUS", &corpus)],
        LIMIT,
    )?;
    if !output.success {
        bail!("the oracle's unit tests failed\n{}", output.describe());
    }
    Ok(())
}
