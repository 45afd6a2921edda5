//! The mail transaction (RFC 5321 §3.3, RFC 2033 §4.2): MAIL opens it,
//! each RCPT is resolved through the [`DeliveryBackend`] as it arrives,
//! and the message — a dot-stuffed `DATA` body or `BDAT` chunks (RFC 3030)
//! — is delivered once to every accepted recipient, answered by one reply
//! per recipient in RCPT order.
//!
//! Invariants: a transaction holds at most `max_recipients` recipients and
//! a message of at most `max_message_bytes`; DATA and BDAT never mix in one
//! transaction; whatever the outcome, the transaction ends with its message.

use std::io;

use chrono::{DateTime, Utc};

use super::command::{BodyType, MailParameters, non_ascii_without_smtputf8};
use super::input::{BodyOverflow, Chunk, DotBody, MessageBuffer};
use super::reply::backend_failure;
use super::{LmtpSession, Mode, Reply, Step};
use crate::delivery::{Delivery, Recipient};
use crate::session::{Flow, ResponseSink};

/// One open mail transaction.
#[derive(Debug)]
pub(super) struct Transaction {
    return_path: String,
    parameters: MailParameters,
    recipients: Vec<Recipient>,
    /// What the BDAT chunks so far have brought.
    chunked: Option<MessageBuffer>,
    max_message_bytes: u64,
}

impl Transaction {
    /// The buffer BDAT chunks go to, opened by the first chunk.
    pub(super) fn chunks(&mut self) -> &mut MessageBuffer {
        let max = self.max_message_bytes;
        self.chunked.get_or_insert_with(|| MessageBuffer::new(max))
    }
}

impl LmtpSession {
    /// `MAIL FROM` (RFC 5321 §4.1.1.2, RFC 1870 §6 for SIZE).
    pub(super) fn mail(&mut self, reverse_path: String, parameters: MailParameters) -> Reply {
        if !self.greeted {
            return Reply::bad_sequence("send LHLO first");
        }
        if self.transaction.is_some() {
            return Reply::bad_sequence("nested MAIL command");
        }
        if self.config.auth_secret.is_some() && !self.authenticated {
            return Reply::new(530, "5.7.0", "authentication required");
        }
        if parameters
            .size
            .is_some_and(|size| size > self.config.max_message_bytes)
        {
            return Reply::message_too_big();
        }
        self.transaction = Some(Transaction {
            return_path: reverse_path,
            parameters,
            recipients: Vec::new(),
            chunked: None,
            max_message_bytes: self.config.max_message_bytes,
        });
        Reply::new(250, "2.1.0", "sender OK")
    }

    /// `RCPT TO`: resolved now, so the client learns at once which
    /// recipients will not get the message.
    pub(super) async fn rcpt(&mut self, forward_path: String) -> Reply {
        let Some(transaction) = self.transaction.as_mut() else {
            return Reply::bad_sequence("need MAIL before RCPT");
        };
        if transaction.chunked.is_some() {
            return Reply::bad_sequence("RCPT after BDAT");
        }
        if !forward_path.is_ascii() && !transaction.parameters.smtputf8 {
            return non_ascii_without_smtputf8();
        }
        // RFC 5321 §4.5.3.1.10: 452 4.5.3 for too many recipients.
        if transaction.recipients.len() >= self.config.max_recipients {
            return Reply::new(452, "4.5.3", "too many recipients");
        }
        match self.backend.resolve_recipient(&forward_path).await {
            Ok(recipient) => {
                transaction.recipients.push(recipient);
                Reply::new(250, "2.1.5", format!("<{forward_path}> recipient OK"))
            }
            Err(error) => {
                tracing::debug!(code = %error.code, "lmtp recipient refused");
                for_recipient(
                    backend_failure(error.code, self.config.over_quota),
                    &forward_path,
                )
            }
        }
    }

    /// `DATA`: `354`, then the body (RFC 2033 §4.2: 503 without recipients).
    pub(super) fn start_data(&mut self) -> Reply {
        let Some(transaction) = &self.transaction else {
            return Reply::bad_sequence("need MAIL before DATA");
        };
        if transaction.recipients.is_empty() {
            return Reply::bad_sequence("no valid recipients");
        }
        if transaction.chunked.is_some() {
            return Reply::bad_sequence("DATA after BDAT");
        }
        // RFC 3030 §3: a BINARYMIME body can only arrive by BDAT.
        if transaction.parameters.body == BodyType::BinaryMime {
            return Reply::bad_sequence("BODY=BINARYMIME needs BDAT");
        }
        self.mode = Mode::Data(DotBody::new(
            self.config.max_message_bytes,
            self.config.max_data_line_bytes,
        ));
        Reply::plain(354, vec!["end data with <CR><LF>.<CR><LF>".to_owned()])
    }

    /// `BDAT size [LAST]`: the chunk is read first, answered after.
    pub(super) fn start_chunk(&mut self, size: u64, last: bool) -> Step {
        let refusal = match &self.transaction {
            None => Some(Reply::bad_sequence("need MAIL before BDAT")),
            Some(transaction) if transaction.recipients.is_empty() => {
                Some(Reply::bad_sequence("no valid recipients"))
            }
            Some(_) => None,
        };
        self.mode = Mode::Chunk {
            chunk: Chunk {
                remaining: size,
                last,
            },
            refusal,
        };
        Step::Awaiting
    }

    /// A chunk has been read: its answer, or the message's answers after
    /// `BDAT ... LAST`. A failed chunk ends the transaction (RFC 3030 §2:
    /// the client sends no more chunks after a failure).
    pub(super) async fn finish_chunk(
        &mut self,
        last: bool,
        refusal: Option<Reply>,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        let received = self
            .transaction
            .as_mut()
            .filter(|_| refusal.is_none())
            .map(|transaction| {
                let message = transaction.chunks();
                (message.overflow.is_some(), message.bytes.len())
            });
        let reply = match (refusal, received) {
            (Some(refusal), _) => refusal,
            (None, None) => Reply::bad_sequence("need MAIL before BDAT"),
            (None, Some((true, _))) => Reply::message_too_big(),
            (None, Some((false, _))) if last => {
                let message = self.transaction.as_mut().and_then(|t| t.chunked.take());
                let message = message.unwrap_or_else(|| MessageBuffer::new(0));
                return self.finish_message(message, now, out).await;
            }
            (None, Some((false, total))) => {
                let text = format!("{total} octets received");
                return self.answer(Reply::new(250, "2.0.0", text), out).await;
            }
        };
        self.transaction = None;
        self.answer(reply, out).await
    }

    /// The message is complete: one reply per accepted recipient.
    pub(super) async fn finish_message(
        &mut self,
        message: MessageBuffer,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        let Some(transaction) = self.transaction.take() else {
            return self
                .answer(Reply::bad_sequence("no mail transaction"), out)
                .await;
        };
        let recipients = transaction.recipients;
        let replies: Vec<Reply> = match message.overflow {
            Some(overflow) => {
                let reply = match overflow {
                    BodyOverflow::TooBig => Reply::message_too_big(),
                    BodyOverflow::LineTooLong => {
                        Reply::new(554, "5.6.0", "message has a line that is too long")
                    }
                };
                vec![reply; recipients.len()]
            }
            None => {
                let delivery = Delivery {
                    raw: message.bytes,
                    return_path: transaction.return_path,
                    received_at: now.timestamp(),
                };
                self.deliver(&delivery, &recipients).await
            }
        };
        for (recipient, reply) in recipients.iter().zip(replies) {
            self.count(&reply);
            out.send(&for_recipient(reply, &recipient.address).encode())
                .await?;
        }
        self.consecutive_bad = 0;
        Ok(Flow::Continue)
    }

    async fn deliver(&self, delivery: &Delivery, recipients: &[Recipient]) -> Vec<Reply> {
        let results = self.backend.deliver(delivery, recipients).await;
        tracing::debug!(
            recipients = recipients.len(),
            bytes = delivery.raw.len(),
            "lmtp message delivered"
        );
        let mut results = results.into_iter();
        recipients
            .iter()
            .map(|_| match results.next() {
                Some(Ok(())) => Reply::new(250, "2.0.0", "delivered"),
                Some(Err(error)) => {
                    tracing::warn!(code = %error.code, error = %error.message, "lmtp delivery failed");
                    backend_failure(error.code, self.config.over_quota)
                }
                // The port promises one result per recipient; a short answer is a bug.
                None => backend_failure(mailkeep_common::ErrorCode::Internal, self.config.over_quota),
            })
            .collect()
    }

    fn count(&mut self, reply: &Reply) {
        match reply.code() {
            200..=299 => self.tally.delivered += 1,
            400..=499 => self.tally.deferred += 1,
            _ => self.tally.rejected += 1,
        }
    }
}

/// `<address> text`, so the MTA's log names who the answer is about.
fn for_recipient(reply: Reply, address: &str) -> Reply {
    reply.prefixed(&format!("<{address}>"))
}
