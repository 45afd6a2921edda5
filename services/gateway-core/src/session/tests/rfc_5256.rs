//! RFC 5256 (SORT and THREAD): every example, over mailboxes built so that
//! the RFC's exact answers come out: the SORT example of §3 (A282 over 882
//! messages, A283 and A284 over five), the THREAD example of §3 (A283 to
//! A285 over 208 messages, messages 166 to 208 arriving since 5-Mar-2000),
//! the SORT and THREAD response examples of §4, and the prose examples of
//! §2.2 (sent dates in other zones) and §3 (Message IDs equal but for
//! quoting). The RFC's A282 and A283 cannot share a mailbox (882 matches
//! against five messages in all), so they get one each.

use super::support::{assert_responses, logged_in, select_inbox};
use crate::backend::Flags;
use crate::testing::TestClient;

/// One message: Subject, Date header, References (empty: none), arrival
/// year (1 June) and whether it carries the keyword `$T`.
struct Spec {
    subject: String,
    date: String,
    references: String,
    year: i32,
    tagged: bool,
}

impl Spec {
    fn new(subject: &str, date: &str) -> Self {
        Self {
            subject: subject.to_owned(),
            date: date.to_owned(),
            references: String::new(),
            year: 2024,
            tagged: false,
        }
    }
}

/// INBOX with one message per spec, message N having Message-ID `<N@x>`;
/// INBOX selected.
async fn mailbox(specs: Vec<Spec>) -> TestClient {
    let mut client = logged_in().await;
    for (index, spec) in specs.iter().enumerate() {
        let mut raw = format!(
            "Message-ID: <{}@x>\r\nFrom: bob@example.test\r\nSubject: {}\r\nDate: {}\r\n",
            index + 1,
            spec.subject,
            spec.date
        );
        if !spec.references.is_empty() {
            raw.push_str(&format!("References: {}\r\n", spec.references));
        }
        raw.push_str("\r\nbody\r\n");
        let arrived = chrono::NaiveDate::from_ymd_opt(spec.year, 6, 1)
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .map(|time| time.and_utc().timestamp())
            .unwrap();
        let flags = Flags {
            keywords: if spec.tagged {
                vec!["$T".to_owned()]
            } else {
                Vec::new()
            },
            ..Flags::default()
        };
        client
            .backend
            .deliver(&client.principal, "INBOX", raw.as_bytes(), flags, arrived)
            .unwrap();
    }
    select_inbox(&mut client).await;
    client
}

/// Sends `command`, expecting `answer` then `<tag> OK <name> completed`.
async fn assert_answer(client: &mut TestClient, command: &str, answer: &str) {
    let output = client.send(&format!("{command}\r\n")).await;
    let tag = command.split(' ').next().unwrap();
    let name = command.split(' ').nth(1).unwrap();
    assert_eq!(
        output,
        format!("{answer}\r\n{tag} OK {name} completed\r\n"),
        "{command}"
    );
    assert_responses(&output);
}

const SENT: &str = "Sat, 1 Jun 2024 10:00:00 +0000";

// RFC 5256 §3 SORT example, A282: `SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994`
// answers `* SORT 2 84 882`: of 882 messages only those three arrived
// since then, and their subjects sort in that order.
#[tokio::test]
async fn rfc5256_sort_example_a282() {
    let specs = (1..=882)
        .map(|number| {
            let mut spec = Spec::new(&format!("s{number:03}"), SENT);
            spec.year = if [2, 84, 882].contains(&number) {
                2000
            } else {
                1990
            };
            spec
        })
        .collect();
    let mut client = mailbox(specs).await;
    assert_answer(
        &mut client,
        "A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994",
        "* SORT 2 84 882",
    )
    .await;
}

// RFC 5256 §3 SORT example, A283 and A284: `(SUBJECT REVERSE DATE)` over
// five messages gives `* SORT 5 3 4 1 2` (base subjects a, b, c; within
// each, later first), and a search matching nothing gives `* SORT`.
#[tokio::test]
async fn rfc5256_sort_examples_a283_a284() {
    let mut client = mailbox(vec![
        Spec::new("c", "Sat, 1 Jun 2024 10:00:00 +0000"),
        Spec::new("c", "Sat, 1 Jun 2024 09:00:00 +0000"),
        Spec::new("b", "Sat, 1 Jun 2024 10:00:00 +0000"),
        Spec::new("Re: b", "Sat, 1 Jun 2024 09:00:00 +0000"),
        Spec::new("a", "Sat, 1 Jun 2024 08:00:00 +0000"),
    ])
    .await;
    assert_answer(
        &mut client,
        "A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL",
        "* SORT 5 3 4 1 2",
    )
    .await;
    assert_answer(
        &mut client,
        "A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"",
        "* SORT",
    )
    .await;
}

// RFC 5256 §2.2: "31 Dec 2000 16:01:33 -0800" is the sent date
// "1 Jan 2001 00:01:33 +0000"; equal sent dates keep sequence order, and
// REVERSE does not reverse that implicit criterion (§3).
#[tokio::test]
async fn rfc5256_2_2_sent_dates_are_compared_in_utc() {
    let mut client = mailbox(vec![
        Spec::new("x", "Mon, 1 Jan 2001 00:01:33 +0000"),
        Spec::new("x", "Sun, 31 Dec 2000 16:01:33 -0800"),
        Spec::new("x", "Mon, 1 Jan 2001 00:01:32 +0000"),
    ])
    .await;
    assert_answer(&mut client, "S1 SORT (DATE) UTF-8 ALL", "* SORT 3 1 2").await;
    assert_answer(
        &mut client,
        "S2 SORT (REVERSE DATE) UTF-8 ALL",
        "* SORT 1 2 3",
    )
    .await;
}

/// Messages 166 to 208 in the order of their sent dates, so that the
/// RFC's THREAD answers come out (see `thread_mailbox`).
const SENT_ORDER: [u32; 43] = [
    166, 167, 168, 169, 172, 170, 171, 173, 174, 175, 176, 178, 181, 180, 179, 177, 183, 182, 188,
    184, 185, 186, 187, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203,
    204, 205, 206, 207, 208,
];

/// The base subject and References of message `number` (166 to 208): the
/// ORDEREDSUBJECT threads share a subject; 170 and 179, the 174 group and
/// the 177 group answer a message that is not there; 196 answers 195, 198
/// answers 197, 202 answers 200, and 205, 206, 207 form a chain.
fn thread_member(number: u32) -> (String, String) {
    let subject = match number {
        174..=176 | 178 | 180 | 181 => "s174".to_owned(),
        177 | 182..=189 => "s177".to_owned(),
        194 | 195 => "s194".to_owned(),
        196..=198 => "s196".to_owned(),
        200 | 202 => "s200".to_owned(),
        206 | 207 => "s206".to_owned(),
        _ => format!("s{number}"),
    };
    let references = match number {
        170 | 179 => "<m170@x>",
        174..=176 | 178 | 180 | 181 => "<m174@x>",
        177 | 182 | 183 | 185 | 187 | 188 => "<m177@x>",
        184 | 189 => "<m177@x> <188@x>",
        186 => "<m177@x> <185@x>",
        194 | 195 => "<m194@x>",
        196 => "<m194@x> <195@x>",
        198 => "<197@x>",
        202 => "<200@x>",
        206 => "<205@x>",
        207 => "<205@x> <206@x>",
        _ => "",
    };
    (subject, references.to_owned())
}

/// 208 messages: 1 to 165 arrived in 1999, 166 to 208 in 2000 with the
/// subjects, references and sent dates of `thread_member`/`SENT_ORDER`.
async fn thread_mailbox() -> TestClient {
    let specs = (1..=208)
        .map(|number| {
            let Some(rank) = SENT_ORDER.iter().position(|&member| member == number) else {
                let mut spec = Spec::new(&format!("old {number}"), SENT);
                spec.year = 1999;
                return spec;
            };
            let (subject, references) = thread_member(number);
            let date = format!("Thu, 1 Jun 2000 {:02}:{:02}:00 +0000", rank / 60, rank % 60);
            let mut spec = Spec::new(&subject, &date);
            spec.references = references;
            spec.year = 2000;
            spec
        })
        .collect();
    mailbox(specs).await
}

// RFC 5256 §3 THREAD example: A283 (ORDEREDSUBJECT), A284 (nothing found)
// and A285 (REFERENCES), with the RFC's answers joined as its note says.
#[tokio::test]
async fn rfc5256_thread_examples() {
    let mut client = thread_mailbox().await;
    assert_answer(
        &mut client,
        "A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000",
        "* THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))\
         (179)(177 (183)(182)(188)(184)(185)(186)(187)(189))(190)(191)(192)(193)(194 195)\
         (196 (197)(198))(199)(200 202)(201)(203)(204)(205)(206 207)(208)",
    )
    .await;
    assert_answer(
        &mut client,
        "A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"",
        "* THREAD",
    )
    .await;
    assert_answer(
        &mut client,
        "A285 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000",
        "* THREAD (166)(167)(168)(169)(172)((170)(179))(171)(173)((174)(175)(176)(178)(181)(180))\
         ((177)(183)(182)(188 (184)(189))(185 186)(187))(190)(191)(192)(193)((194)(195 196))\
         (197 198)(199)(200 202)(201)(203)(204)(205 206 207)(208)",
    )
    .await;
}

/// Message `number` of 96 for the first §4 THREAD example: 2 alone; 3,
/// then 6, then 4 (then 23) and 44 (then 7, then 96). Only those carry $T.
fn section_4_member(number: u32) -> Spec {
    let references = match number {
        6 => "<3@x>",
        4 | 44 => "<3@x> <6@x>",
        23 => "<3@x> <6@x> <4@x>",
        7 => "<3@x> <6@x> <44@x>",
        96 => "<3@x> <6@x> <44@x> <7@x>",
        _ => "",
    };
    let mut spec = Spec::new(
        &format!("t{number}"),
        &format!(
            "Sat, 1 Jun 2024 {:02}:{:02}:00 +0000",
            number / 60,
            number % 60
        ),
    );
    spec.references = references.to_owned();
    spec.tagged = [2, 3, 4, 6, 7, 23, 44, 96].contains(&number);
    spec
}

// RFC 5256 §4 THREAD response examples: `(2)(3 6 (4 23)(44 7 96))`, where
// later messages are parents of earlier ones, and `((3)(5))`, two siblings
// whose parent is not among the searched messages.
#[tokio::test]
async fn rfc5256_4_thread_responses() {
    let mut client = mailbox((1..=96).map(section_4_member).collect()).await;
    assert_answer(
        &mut client,
        "T1 THREAD REFERENCES UTF-8 KEYWORD $T",
        "* THREAD (2)(3 6 (4 23)(44 7 96))",
    )
    .await;
    let mut specs: Vec<Spec> = (1..=5)
        .map(|number| Spec::new(&format!("u{number}"), SENT))
        .collect();
    for number in [3, 5] {
        specs[number - 1].references = "<1@x>".to_owned();
        specs[number - 1].tagged = true;
    }
    let mut client = mailbox(specs).await;
    assert_answer(
        &mut client,
        "T2 THREAD REFERENCES UTF-8 KEYWORD $T",
        "* THREAD ((3)(5))",
    )
    .await;
}

// RFC 5256 §4 SORT response example `* SORT 2 3 6`, and §3's rule that
// `<"01KF8JCEOCBS0045PS"@xxx.yyy.com>` and
// `<01KF8JCEOCBS0045PS@xxx.yyy.com>` are the same Message ID.
#[tokio::test]
async fn rfc5256_4_sort_response_and_3_quoted_message_ids() {
    let mut specs: Vec<Spec> = (1..=6)
        .map(|number| Spec::new(&format!("v{number}"), SENT))
        .collect();
    for number in [2, 3, 6] {
        specs[number - 1].tagged = true;
    }
    specs[3].references = "<\"01KF8JCEOCBS0045PS\"@xxx.yyy.com>".to_owned();
    let mut client = mailbox(specs).await;
    assert_answer(
        &mut client,
        "S1 SORT (ARRIVAL) UTF-8 KEYWORD $T",
        "* SORT 2 3 6",
    )
    .await;
    let principal = client.principal.clone();
    let raw = "Message-ID: <01KF8JCEOCBS0045PS@xxx.yyy.com>\r\nSubject: w\r\n\
               Date: Sat, 1 Jun 2024 09:00:00 +0000\r\n\r\nbody\r\n";
    client
        .backend
        .deliver(&principal, "INBOX", raw.as_bytes(), Flags::default(), 0)
        .unwrap();
    client.send("N NOOP\r\n").await;
    assert_answer(
        &mut client,
        "T1 THREAD REFERENCES UTF-8 4,7",
        "* THREAD (7 4)",
    )
    .await;
}
