//! Threading known answers: the imaptest `thread*` fixtures (the answers
//! Dovecot gives) and the ORDEREDSUBJECT rules of RFC 5256 §3.

use super::*;
use crate::mail::sort::tests::IMAPTEST_SUBJECTS;

/// One message: `(message-id, references, in-reply-to, subject, internal date)`.
type Fixture<'a> = (&'a str, &'a str, &'a str, &'a str, i64);

fn inputs(fixtures: &[Fixture<'_>]) -> Vec<SortInput> {
    fixtures
        .iter()
        .zip(1..)
        .map(|(&(id, references, in_reply_to, subject, date), uid)| {
            let mut header_text = String::new();
            for (name, value) in [
                ("message-id", id),
                ("references", references),
                ("in-reply-to", in_reply_to),
                ("subject", subject),
            ] {
                if !value.is_empty() {
                    header_text.push_str(&format!("{name}: {value}\n"));
                }
            }
            SortInput {
                uid: Uid::new(uid).unwrap(),
                size: 0,
                internal_date: date,
                header_text,
            }
        })
        .collect()
}

/// The RFC 5256 §4 `thread-list` text of a tree, UIDs as numbers.
fn render(nodes: &[ThreadNode]) -> String {
    fn members(node: &ThreadNode, out: &mut String) {
        if let Some(uid) = node.uid {
            out.push_str(&uid.get().to_string());
        }
        match node.children.as_slice() {
            [] => {}
            [only] if node.uid.is_some() => {
                out.push(' ');
                members(only, out);
            }
            children => {
                if node.uid.is_some() {
                    out.push(' ');
                }
                for child in children {
                    out.push('(');
                    members(child, out);
                    out.push(')');
                }
            }
        }
    }
    let mut out = String::new();
    for node in nodes {
        out.push('(');
        members(node, &mut out);
        out.push(')');
    }
    out
}

fn references(fixtures: &[Fixture<'_>]) -> String {
    render(&thread_messages(
        &inputs(fixtures),
        ThreadAlgorithm::References,
    ))
}

#[test]
fn a_message_overrides_the_parent_others_implied_without_a_loop() {
    let messages = [
        ("<a@b>", "", "", "", 300),
        ("<b@b>", "<a@b> <c@b>", "", "", 100),
        ("<c@b>", "<b@b>", "", "", 200),
    ];
    assert_eq!(references(&messages), "(3 2)(1)");
    assert_eq!(references(&messages[1..]), "(2 1)");
}

// RFC 5256 §3: `<"01KF8JCEOCBS0045PS"@xxx.yyy.com>` and
// `<01KF8JCEOCBS0045PS@xxx.yyy.com>` are the same Message ID.
#[test]
fn quoting_does_not_change_a_message_id() {
    assert_eq!(
        message_ids("<\"01KF8JCEOCBS0045PS\"@xxx.yyy.com> <a\\\"b@c>"),
        ["01KF8JCEOCBS0045PS@xxx.yyy.com", "a\"b@c"]
    );
}

#[test]
fn duplicate_message_ids_count_as_none() {
    assert_eq!(
        references(&[("<a@b>", "", "", "", 1), ("<a@b>", "", "", "", 1)]),
        "(1)(2)"
    );
    let messages = [
        ("<a@b>", "", "", "", 1),
        ("<b@b>", "<a@b>", "", "", 1),
        ("<c@b>", "<b@b>", "", "", 1),
        ("<b@b>", "<a@b>", "", "", 1),
    ];
    assert_eq!(references(&messages), "(1 (2 3)(4))");
    // Once the first <b@b> is gone, the second fills its placeholder.
    assert_eq!(
        references(&[messages[0], messages[2], messages[3]]),
        "(1 3 2)"
    );
}

#[test]
fn subjects_join_threads_and_replies_become_children() {
    let same_id = [("<a@b>", "", "", "foo", 1), ("<a@b>", "", "", "Re: foo", 2)];
    assert_eq!(references(&same_id), "(1 2)");
    let lone_placeholder = [
        ("<a@b>", "", "", "foo", 1),
        ("<b@b>", "<c@b>", "", "Re: foo", 2),
    ];
    assert_eq!(references(&lone_placeholder), "(1 2)");
    let two_originals = [("<a@b>", "", "", "foo", 1), ("<b@b>", "", "", "foo", 2)];
    assert_eq!(references(&two_originals), "((1)(2))");
}

#[test]
fn placeholders_keep_two_children_at_the_root_and_in_reply_to_counts() {
    assert_eq!(
        references(&[("", "<a@b>", "", "", 1), ("", "<a@b>", "", "", 2)]),
        "((1)(2))"
    );
    let messages = [
        ("<1@b>", "", "", "", 10),
        ("<2@b>", "", "<1@b>", "", 5),
        ("<3@b>", "", "<1@b>", "", 5),
        ("<4@b>", "", "<2@b>", "", 5),
        ("<5@b>", "", "<2@b>", "", 6),
    ];
    assert_eq!(references(&messages[..4]), "(1 (2 4)(3))");
    assert_eq!(references(&messages[2..4]), "(1)(2)");
    assert_eq!(references(&messages[2..]), "(1)((2)(3))");
}

/// The imaptest `thread-orderedsubject` fixtures.
#[test]
fn ordered_subject_groups_by_base_subject_in_date_order() {
    let subjects = IMAPTEST_SUBJECTS;
    let fixtures: Vec<Fixture<'_>> = subjects.iter().map(|s| ("", "", "", *s, 0)).collect();
    let threads = thread_messages(&inputs(&fixtures), ThreadAlgorithm::OrderedSubject);
    assert_eq!(
        render(&threads),
        "(1)(2 (7)(12)(13))(3 (5)(11))(4)(6)(8)(9 10)(14)(15)"
    );
    let dated = [
        ("", "", "", "a", 10),
        ("", "", "", "b", 9),
        ("", "", "", "a", 8),
        ("", "", "", "b", 7),
        ("", "", "", "a", 30),
        ("", "", "", "b", 29),
        ("", "", "", "a", 28),
        ("", "", "", "b", 27),
    ];
    let threads = thread_messages(&inputs(&dated), ThreadAlgorithm::OrderedSubject);
    assert_eq!(render(&threads), "(4 (2)(8)(6))(3 (1)(7)(5))");
}

#[test]
fn crafted_reply_chains_are_cut_at_the_depth_limit() {
    let ids: Vec<String> = (0..1_000).map(|n| format!("<{n}@chain>")).collect();
    let inputs: Vec<SortInput> = ids
        .iter()
        .enumerate()
        .map(|(index, id)| {
            let parent = index
                .checked_sub(1)
                .map(|before| format!("references: {}\n", ids[before]));
            SortInput {
                uid: Uid::new(index as u32 + 1).unwrap(),
                size: 0,
                internal_date: index as i64,
                header_text: format!("message-id: {id}\n{}", parent.unwrap_or_default()),
            }
        })
        .collect();
    let threads = thread_messages(&inputs, ThreadAlgorithm::References);
    assert_eq!(threads.len(), 1);
    let (mut depth, mut node, mut count) = (1, &threads[0], 1);
    while let [only] = node.children.as_slice() {
        (depth, node, count) = (depth + 1, only, count + 1);
    }
    assert_eq!(depth, references::MAX_THREAD_DEPTH);
    assert_eq!(count + node.children.len(), 1_000);
    assert!(node.children.iter().all(|child| child.children.is_empty()));
}
