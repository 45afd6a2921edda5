//! Fuzzes the command parser on arbitrary bytes: it must never panic, and a
//! tag it reports (in a command or an error) must be the input's prefix.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailkeep_gateway_core::parser::parse_command;

fuzz_target!(|data: &[u8]| {
    let tag = match parse_command(data) {
        Ok(command) => Some(command.tag),
        Err(error) => error.tag,
    };
    if let Some(tag) = tag {
        assert!(data.starts_with(tag.0.as_bytes()));
        assert_eq!(data.get(tag.0.len()), Some(&b' '));
    }
});
