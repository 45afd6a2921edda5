//! Command dispatch: routes a parsed command (already checked against the
//! state it needs) to its handler, and completes it: applies the handler's
//! [`Transition`], reports allowed untagged updates (RFC 3501 §7.4.1, before
//! the tagged line), then writes the tagged answer and counts `BAD`s.

use std::io;

use chrono::{DateTime, Utc};

use super::state::{State, Transition};
use super::{
    CommandContext, Completion, Flow, Reply, ResponseSink, Session, Step, append, auth, copy,
    enable, expunge, fetch, list_ext, mailboxes, metadata, notify, quota, search, search_context,
    select, sort, special_use, store,
};
use crate::command::{CommandBody, Tag};
use crate::response::{Line, Status, condition};

impl Session {
    pub(super) async fn dispatch(
        &mut self,
        tag: &Tag,
        body: CommandBody,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Step> {
        use CommandBody as C;
        let reply: Reply = match body {
            C::Capability => {
                let authenticated = self.state.principal().is_some();
                let mut line = Line::untagged();
                let list = auth::capabilities(&self.connection, &self.config, authenticated);
                line.raw(list.as_bytes());
                out.send(&line.finish()).await?;
                Completion::ok("CAPABILITY completed").into()
            }
            C::Noop => Completion::ok("NOOP completed").into(),
            C::Id(_) => {
                // RFC 2971 §3.3.
                let mut line = Line::untagged();
                line.atom("ID").open().string(b"name").string(b"Mailkeep");
                line.string(b"version")
                    .string(env!("CARGO_PKG_VERSION").as_bytes())
                    .close();
                out.send(&line.finish()).await?;
                Completion::ok("ID completed").into()
            }
            C::Logout => {
                self.enter_logout();
                out.send(&condition(None, Status::Bye, None, "logging out"))
                    .await?;
                out.send(&Completion::ok("LOGOUT completed").encode(&tag.0))
                    .await?;
                return Ok(Step::Done(Flow::Close));
            }
            C::StartTls => return self.start_tls(tag, out).await,
            C::Login { username, password } => {
                auth::login(
                    self.backend.as_ref(),
                    &self.connection,
                    &self.config,
                    &username,
                    &password,
                )
                .await
            }
            C::Authenticate {
                mechanism,
                initial_response,
            } => {
                return self
                    .start_authentication(tag, mechanism, initial_response, out)
                    .await;
            }
            C::Idle => return select::start_idle(self, tag.clone(), now, out).await,
            C::Compress(mechanism) => return self.start_compression(tag, &mechanism, out).await,
            body => self.authenticated_command(tag, body, now, out).await?,
        };
        Ok(Step::Reply(reply))
    }

    async fn authenticated_command(
        &mut self,
        tag: &Tag,
        body: CommandBody,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Reply> {
        use CommandBody as C;
        let (principal, selected) = match &mut self.state {
            State::Authenticated { principal } => (&*principal, None),
            State::Selected {
                principal,
                selected,
            } => (&*principal, Some(selected.as_mut())),
            _ => return Ok(Completion::bad("command not valid in this state").into()),
        };
        let ctx = &mut CommandContext {
            backend: self.backend.as_ref(),
            principal,
            enabled: &mut self.enabled,
            out,
            now,
            config: &self.config,
        };
        enable::note_condstore_use(ctx, selected.as_deref(), &body).await?;
        let reply: Reply = match body {
            C::Enable(names) => enable::enable(ctx, &names).await?.into(),
            C::Select(name, parameters) => {
                select::select(ctx, selected.as_deref(), &name, &parameters, false).await?
            }
            C::Examine(name, parameters) => {
                select::select(ctx, selected.as_deref(), &name, &parameters, true).await?
            }
            C::Create(name) => mailboxes::create(ctx, &name).await.into(),
            C::Delete(name) => mailboxes::delete(ctx, selected.as_deref(), &name).await,
            C::Rename { from, to } => mailboxes::rename(ctx, selected, &from, &to).await.into(),
            C::Subscribe(name) => mailboxes::subscribe(ctx, &name, true).await.into(),
            C::Unsubscribe(name) => mailboxes::subscribe(ctx, &name, false).await.into(),
            C::List { reference, pattern } => mailboxes::list(ctx, &reference, &pattern, false)
                .await?
                .into(),
            C::Lsub { reference, pattern } => mailboxes::list(ctx, &reference, &pattern, true)
                .await?
                .into(),
            C::Namespace => mailboxes::namespace(ctx).await?.into(),
            C::ListExtended(args) => list_ext::list_extended(ctx, &args).await?.into(),
            C::CreateSpecialUse { name, uses } => {
                special_use::create_special_use(ctx, &name, &uses)
                    .await
                    .into()
            }
            C::GetQuota(root) => quota::get_quota(ctx, &root).await?.into(),
            C::GetQuotaRoot(mailbox) => quota::get_quota_root(ctx, &mailbox).await?.into(),
            C::SetQuota { .. } => quota::set_quota().into(),
            C::GetMetadata {
                mailbox,
                entries,
                max_size,
                depth,
            } => metadata::get_metadata(ctx, &mailbox, &entries, max_size, depth)
                .await?
                .into(),
            C::SetMetadata { mailbox, changes } => {
                let notifications = self.notifications.as_mut();
                metadata::set_metadata(ctx, &mailbox, &changes, notifications)
                    .await
                    .into()
            }
            C::Status { mailbox, items } => mailboxes::status(ctx, &mailbox, &items).await?.into(),
            C::Notify(request) => {
                let selected_id = selected.as_deref().map(|selected| selected.mailbox.id);
                notify::notify(ctx, selected_id, &request, &mut self.notifications)
                    .await?
                    .into()
            }
            C::Append { mailbox, messages } => {
                append::append(ctx, selected.as_deref(), &mailbox, messages)
                    .await
                    .into()
            }
            body => {
                let Some(selected) = selected else {
                    return Ok(Completion::bad("no mailbox selected").into());
                };
                selected_command(ctx, selected, tag, body).await?
            }
        };
        Ok(reply)
    }

    /// Ends a command: transition, allowed updates, tagged line, BAD count.
    pub(super) async fn complete(
        &mut self,
        tag: &Tag,
        reply: Reply,
        allow_expunge: bool,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        let Reply {
            mut completion,
            transition,
        } = reply;
        // A fresh SELECT has just reported everything.
        let fresh_selection = matches!(transition, Transition::Select(_));
        if let Err(error) = self.state.apply(transition) {
            tracing::error!(error = %error, code = %error.code(), "session state error");
            completion = Completion::no(Some("SERVERBUG"), "internal server error");
        }
        if !fresh_selection {
            self.report_updates(allow_expunge, now, out).await?;
        }
        out.send(&completion.encode(&tag.0)).await?;
        if completion.status == Status::Bad {
            return self.count_bad(out).await;
        }
        self.consecutive_bad = 0;
        Ok(Flow::Continue)
    }
}

/// Commands of the Selected state (RFC 3501 §6.4).
async fn selected_command(
    ctx: &mut CommandContext<'_>,
    selected: &mut super::Selected,
    tag: &Tag,
    body: CommandBody,
) -> io::Result<Reply> {
    use CommandBody as C;
    let completion = match body {
        C::Check => Completion::ok("CHECK completed"),
        C::Close => return Ok(select::close(ctx, selected).await),
        C::Unselect => {
            return Ok(Reply {
                completion: Completion::ok("UNSELECT completed"),
                transition: Transition::Unselect,
            });
        }
        C::Expunge => expunge::expunge(ctx, selected, None).await?,
        C::UidExpunge(set) => expunge::expunge(ctx, selected, Some(&set)).await?,
        C::Search { uid, args } => search::search(ctx, selected, tag, uid, &args).await?,
        C::Sort { uid, args } => sort::sort(ctx, selected, tag, uid, &args).await?,
        C::Thread { uid, args } => sort::thread(ctx, selected, uid, &args).await?,
        C::CancelUpdate(tags) => search_context::cancel_update(selected, &tags),
        C::Fetch { uid, args } => fetch::fetch(ctx, selected, uid, &args).await?,
        C::Store { uid, args } => store::store(ctx, selected, uid, &args).await?,
        C::Copy {
            uid,
            sequence,
            mailbox,
        } => copy::copy(ctx, selected, uid, &sequence, &mailbox, false).await?,
        C::Move {
            uid,
            sequence,
            mailbox,
        } => copy::copy(ctx, selected, uid, &sequence, &mailbox, true).await?,
        _ => Completion::bad("command not valid in this state"),
    };
    Ok(completion.into())
}
