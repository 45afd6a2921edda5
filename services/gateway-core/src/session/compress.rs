//! COMPRESS (RFC 4978 §3): the session's half of COMPRESS=DEFLATE. The
//! session answers and tells the driver to wrap the stream in raw deflate
//! ([`Flow::Compress`]); the driver owns the compression itself.
//!
//! Invariants: compression starts at most once per connection (a second
//! COMPRESS is BAD: §3's Result list gives BAD for "COMPRESS already
//! active", and NO `[COMPRESSIONACTIVE]` only for compression in another
//! layer, which our TLS never negotiates); nothing the client pipelined
//! after the command survives the switch, as after STARTTLS.

use std::io;

use super::{Completion, Flow, ResponseSink, Session, Step};
use crate::command::Tag;

/// The one mechanism RFC 4978 defines.
const DEFLATE: &str = "DEFLATE";

impl Session {
    pub(super) async fn start_compression(
        &mut self,
        tag: &Tag,
        mechanism: &str,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Step> {
        if !mechanism.eq_ignore_ascii_case(DEFLATE) {
            let refusal = Completion::bad(format!("unknown compression mechanism {mechanism}"));
            return Ok(Step::Reply(refusal.into()));
        }
        if self.compression_active {
            let refusal = Completion::bad("COMPRESS is already active");
            return Ok(Step::Reply(refusal.into()));
        }
        out.send(&Completion::ok("DEFLATE active").encode(&tag.0))
            .await?;
        self.framer.clear();
        self.compression_active = true;
        self.consecutive_bad = 0;
        Ok(Step::Done(Flow::Compress))
    }
}
