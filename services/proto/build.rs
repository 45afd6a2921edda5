//! Compiles `proto/` with protox (pure Rust), so no `protoc` binary is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../proto");
    let files = [
        "mailkeep/metadata/v1/metadata.proto",
        "mailkeep/metadata/v1/admin.proto",
        "mailkeep/metadata/v1/imports.proto",
        "mailkeep/blob/v1/blob.proto",
    ];
    let descriptors = protox::compile(files, [root])?;
    tonic_prost_build::configure()
        // Holds a source password: `Debug` is written by hand (`redacted`).
        .skip_debug([".mailkeep.metadata.v1.ImportSource"])
        .compile_fds(descriptors)?;
    println!("cargo:rerun-if-changed={root}");
    Ok(())
}
