//! The end-to-end test binary: the acceptance scenario in `dev` mode and
//! with separate roles ([`acceptance`]), bad input over a real socket
//! ([`bad_input`]), the Python oracle's own tests ([`python_oracle`]), and
//! the imap-codec response oracle they share ([`codec_oracle`]).

mod acceptance;
mod bad_input;
mod codec_oracle;
mod python_oracle;
