//! Fuzzes the framer: the first two bytes pick the chunk size and whether
//! raw lines are taken between commands; the rest is the client's stream.
//! Nothing may panic, buffered commands stay within the limits, and every
//! framed command goes through the parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailkeep_gateway_core::framing::{FrameEvent, Framer, FramingLimits};
use mailkeep_gateway_core::parser::parse_command;

const LIMITS: FramingLimits = FramingLimits {
    max_line_bytes: 256,
    max_literal_bytes: 1024,
};

fuzz_target!(|data: &[u8]| {
    let [chunk, raw_lines, stream @ ..] = data else {
        return;
    };
    let chunk_size = usize::from(*chunk).max(1);
    let mut framer = Framer::new(LIMITS);
    for piece in stream.chunks(chunk_size) {
        framer.push(piece);
        while let Some(event) = framer.next_command() {
            if let FrameEvent::Command(raw) = event {
                assert!(raw.len() <= LIMITS.max_line_bytes + LIMITS.max_literal_bytes as usize);
                // Only the absence of panics matters here.
                let _ = parse_command(&raw);
            }
            if raw_lines % 2 == 1
                && let Some(Ok(line)) = framer.next_line()
            {
                assert!(line.len() < LIMITS.max_line_bytes);
            }
        }
    }
});
