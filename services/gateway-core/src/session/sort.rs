//! SORT, UID SORT, THREAD and UID THREAD (RFC 5256 §3, §4; RFC 5957; RFC
//! 5267 §3.2 ESORT and §4.4 PARTIAL). The search keys become a backend
//! query as for SEARCH, narrowed to the messages this session knows, and
//! the backend orders or threads them in one call. Results are sequence
//! numbers (UIDs for the UID forms): `* SORT n...`, `* ESEARCH ...` in sort
//! order with RETURN, and `* THREAD (...)...`. `RETURN (UPDATE)` is
//! answered with an untagged `NO [NOUPDATE]`: SORT contexts are not kept
//! live.

use std::io;

use mailkeep_common::Uid;

use super::enable::uses_modseq;
use super::search::{numbers_line, translate};
use super::{CommandContext, Completion, Selected, esearch, object_ids, search_context};
use crate::backend::{SearchQuery, ThreadNode};
use crate::command::{SearchKey, SearchReturn, SortArgs, Tag, ThreadArgs};
use crate::response::Line;

pub(crate) async fn sort(
    ctx: &mut CommandContext<'_>,
    selected: &mut Selected,
    tag: &Tag,
    uid: bool,
    args: &SortArgs,
) -> io::Result<Completion> {
    let options = args.result.as_deref().unwrap_or_default();
    if let Some(rejected) = search_context::reused_tag(selected, &tag.0, options) {
        return Ok(rejected);
    }
    let query = match known_query(ctx, selected, &args.search).await {
        Ok(query) => query,
        Err(completion) => return Ok(completion),
    };
    let outcome = match ctx
        .backend
        .sort(ctx.principal, selected.mailbox.id, &query, &args.criteria)
        .await
    {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "sort failed");
            return Ok(Completion::from_backend(&error));
        }
    };
    let numbers: Vec<u32> = outcome
        .uids
        .iter()
        .filter_map(|&found| number_of(selected, uid, found))
        .collect();
    // RFC 7162 §3.1.5: with MODSEQ in the criteria, the highest MODSEQ found.
    let modseq =
        (!numbers.is_empty() && uses_modseq(&args.search)).then_some(outcome.highest_modseq.get());
    let mut line = match &args.result {
        Some(options) => esearch::esearch_line(&tag.0, uid, options, &numbers, modseq),
        None => numbers_line("SORT", &numbers, modseq),
    };
    // RFC 5267 §4.3.1: SORT contexts are not kept live, so UPDATE gets
    // the answer and an untagged NO [NOUPDATE].
    if options.contains(&SearchReturn::Update) {
        line.extend(search_context::no_updates_line(
            &tag.0,
            "Sort contexts are not kept",
        ));
    }
    ctx.out.send(&line).await?;
    Ok(Completion::ok("SORT completed"))
}

pub(crate) async fn thread(
    ctx: &mut CommandContext<'_>,
    selected: &mut Selected,
    uid: bool,
    args: &ThreadArgs,
) -> io::Result<Completion> {
    let query = match known_query(ctx, selected, &args.search).await {
        Ok(query) => query,
        Err(completion) => return Ok(completion),
    };
    let outcome = match ctx
        .backend
        .thread(ctx.principal, selected.mailbox.id, &query, args.algorithm)
        .await
    {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "thread failed");
            return Ok(Completion::from_backend(&error));
        }
    };
    let mut text = String::new();
    for thread in &outcome.threads {
        text.push('(');
        write_members(thread, &|found| number_of(selected, uid, found), &mut text);
        text.push(')');
    }
    let mut line = Line::untagged();
    line.atom("THREAD");
    if !text.is_empty() {
        line.raw(text.as_bytes());
    }
    ctx.out.send(&line.finish()).await?;
    Ok(Completion::ok("THREAD completed"))
}

/// The backend query for `key`, limited to the messages in the view so that
/// every UID answered has a sequence number. Failures are the completion.
async fn known_query(
    ctx: &CommandContext<'_>,
    selected: &Selected,
    key: &SearchKey,
) -> Result<SearchQuery, Completion> {
    let key = object_ids::resolve(ctx, selected, key)
        .await
        .map_err(|error| Completion::from_backend(&error))?;
    let query =
        translate(&key, selected, ctx.now).map_err(|error| Completion::bad(error.to_string()))?;
    Ok(SearchQuery::And(vec![
        SearchQuery::Uid(selected.view.uids().clone()),
        query,
    ]))
}

fn number_of(selected: &Selected, uid: bool, found: Uid) -> Option<u32> {
    if uid {
        selected.view.seq_of(found).map(|_| found.get())
    } else {
        selected.view.seq_of(found)
    }
}

/// RFC 5256 §5 `thread-members` / `thread-nested` of one node: its number,
/// then a single child inline or several children as nested lists. A
/// placeholder (or a message the session cannot number) has no number.
fn write_members(node: &ThreadNode, number: &dyn Fn(Uid) -> Option<u32>, out: &mut String) {
    let own = node.uid.and_then(number);
    if let Some(own) = own {
        out.push_str(&own.to_string());
    }
    match node.children.as_slice() {
        [] => {}
        [only] if own.is_some() => {
            out.push(' ');
            write_members(only, number, out);
        }
        [only] => write_members(only, number, out),
        children => {
            if own.is_some() {
                out.push(' ');
            }
            for child in children {
                out.push('(');
                write_members(child, number, out);
                out.push(')');
            }
        }
    }
}

#[cfg(test)]
mod tests;
