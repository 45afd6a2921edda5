//! The one conformance suite every [`ChangeBus`] must pass, instantiated for
//! [`LocalBus`] and [`RedisBus`] (at `MAILKEEP_TEST_REDIS_URL`, default
//! `redis://127.0.0.1:6379`; it fails, never skips, when Redis is down). Each
//! case gets two bus handles, the publisher's and the subscriber's: the same
//! bus for the local kind, two connections (two "pods") for Redis. Accounts
//! are random, so cases run in parallel and repeatedly.

use std::sync::Arc;
use std::time::Duration;

use mailkeep_common::{AccountId, MailboxId, ModSeq};

use crate::{
    ChangeBus, ChangeEvent, ChangeKind, LocalBus, Notification, RedisBus, Subscription,
    account_channel,
};

const DELIVERY_WAIT: Duration = Duration::from_secs(5);
const SILENCE_WAIT: Duration = Duration::from_millis(300);

struct Pair {
    publisher: Arc<dyn ChangeBus>,
    subscriber: Arc<dyn ChangeBus>,
}

async fn local_pair() -> Pair {
    let bus = Arc::new(LocalBus::new());
    Pair {
        publisher: bus.clone(),
        subscriber: bus,
    }
}

fn redis_url() -> String {
    std::env::var("MAILKEEP_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

async fn redis_bus() -> RedisBus {
    let url = redis_url();
    match RedisBus::connect(&url).await {
        Ok(bus) => bus,
        Err(error) => panic!("redis at {url} unreachable ({error}): run scripts/test"),
    }
}

async fn redis_pair() -> Pair {
    Pair {
        publisher: Arc::new(redis_bus().await),
        subscriber: Arc::new(redis_bus().await),
    }
}

fn random_account() -> AccountId {
    AccountId::from_u128(uuid::Uuid::new_v4().as_u128())
}

fn event(account: AccountId, modseq: u64) -> ChangeEvent {
    ChangeEvent {
        account_id: account,
        mailbox_id: MailboxId::from_u128(0xb0c5),
        modseq: ModSeq::new(modseq),
        kind: ChangeKind::Appended,
    }
}

async fn next(subscription: &mut Subscription) -> Notification {
    tokio::time::timeout(DELIVERY_WAIT, subscription.recv())
        .await
        .expect("no event delivered in time")
}

async fn stays_silent(subscription: &mut Subscription) -> bool {
    tokio::time::timeout(SILENCE_WAIT, subscription.recv())
        .await
        .is_err()
}

async fn delivers_only_to_that_account(pair: Pair) {
    let (alice, bob) = (random_account(), random_account());
    let mut alice_sub = pair.subscriber.subscribe(alice).await.unwrap();
    let mut bob_sub = pair.subscriber.subscribe(bob).await.unwrap();
    assert_eq!(alice_sub.account(), alice);
    pair.publisher.publish(event(alice, 7)).await.unwrap();
    assert_eq!(
        next(&mut alice_sub).await,
        Notification::Change(event(alice, 7))
    );
    assert!(stays_silent(&mut bob_sub).await);
}

async fn nothing_after_unsubscribe(pair: Pair) {
    let account = random_account();
    let first = pair.subscriber.subscribe(account).await.unwrap();
    drop(first);
    pair.publisher.publish(event(account, 1)).await.unwrap();
    // Let an in-flight hint land before listening again.
    tokio::time::sleep(SILENCE_WAIT).await;
    let mut later = pair.subscriber.subscribe(account).await.unwrap();
    pair.publisher.publish(event(account, 2)).await.unwrap();
    assert_eq!(
        next(&mut later).await,
        Notification::Change(event(account, 2)),
        "an event published while nobody listened must not be queued"
    );
    drop(later);
    pair.publisher.publish(event(account, 3)).await.unwrap();
    tokio::time::sleep(SILENCE_WAIT).await;
    let mut again = pair.subscriber.subscribe(account).await.unwrap();
    assert!(stays_silent(&mut again).await);
}

async fn every_subscriber_of_an_account_gets_it(pair: Pair) {
    let account = random_account();
    let mut subscriptions = Vec::new();
    for _ in 0..3 {
        subscriptions.push(pair.subscriber.subscribe(account).await.unwrap());
    }
    subscriptions.push(pair.publisher.subscribe(account).await.unwrap());
    pair.publisher.publish(event(account, 42)).await.unwrap();
    for subscription in &mut subscriptions {
        assert_eq!(
            next(subscription).await,
            Notification::Change(event(account, 42))
        );
    }
    // One subscriber leaving does not cut off the others.
    subscriptions.remove(0);
    pair.publisher.publish(event(account, 43)).await.unwrap();
    for subscription in &mut subscriptions {
        assert_eq!(
            next(subscription).await,
            Notification::Change(event(account, 43))
        );
    }
}

macro_rules! conformance_suite {
    ($backend:ident, $pair:ident) => {
        mod $backend {
            use super::*;

            #[tokio::test]
            async fn delivers_only_to_that_account() {
                super::delivers_only_to_that_account($pair().await).await;
            }

            #[tokio::test]
            async fn nothing_after_unsubscribe() {
                super::nothing_after_unsubscribe($pair().await).await;
            }

            #[tokio::test]
            async fn every_subscriber_of_an_account_gets_it() {
                super::every_subscriber_of_an_account_gets_it($pair().await).await;
            }
        }
    };
}

conformance_suite!(local, local_pair);
conformance_suite!(redis, redis_pair);

/// How many connections Redis has subscribed to the account's channel.
async fn server_subscribers(account: AccountId) -> i64 {
    let client = ::redis::Client::open(redis_url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let (_, count): (String, i64) = ::redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(account_channel(account))
        .query_async(&mut connection)
        .await
        .unwrap();
    count
}

#[tokio::test]
async fn redis_subscribes_while_a_local_subscriber_exists() {
    let bus = redis_bus().await;
    let account = random_account();
    let one = bus.subscribe(account).await.unwrap();
    let two = bus.subscribe(account).await.unwrap();
    assert_eq!(server_subscribers(account).await, 1, "one channel per pod");
    drop(one);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server_subscribers(account).await, 1);
    drop(two);
    let deadline = tokio::time::Instant::now() + DELIVERY_WAIT;
    while server_subscribers(account).await != 0 {
        assert!(tokio::time::Instant::now() < deadline, "still subscribed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
