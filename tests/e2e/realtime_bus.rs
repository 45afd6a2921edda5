//! `RedisBus` across a Redis restart (issue 4 item 4): on a private
//! `redis-server`, a subscriber is told it missed events when the
//! connection drops, reports the bus down, reports it up again after the
//! restart, and then receives events without subscribing again.

use std::time::Duration;

use anyhow::Context;
use mailkeep_bus::{ChangeBus, ChangeEvent, ChangeKind, Notification, RedisBus};
use mailkeep_common::{AccountId, MailboxId, ModSeq};
use mailkeep_tests::private_redis::PrivateRedis;
use tokio::sync::watch;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);

fn event(modseq: u64) -> ChangeEvent {
    ChangeEvent {
        account_id: AccountId::from_u128(0xacc),
        mailbox_id: MailboxId::from_u128(0xb0c5),
        modseq: ModSeq::new(modseq),
        kind: ChangeKind::Appended,
    }
}

async fn reaches(state: &mut watch::Receiver<bool>, up: bool) -> anyhow::Result<()> {
    timeout(WAIT, state.wait_for(|connected| *connected == up))
        .await
        .with_context(|| format!("the bus did not report connected = {up}"))??;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_bus_resubscribes_after_a_restart() -> anyhow::Result<()> {
    let mut redis = PrivateRedis::start()?;
    let publisher = RedisBus::connect(&redis.url()).await?;
    let subscriber = RedisBus::connect(&redis.url()).await?;
    let mut subscription = subscriber.subscribe(event(1).account_id).await?;
    let mut state = subscriber.connection_state();
    assert!(*state.borrow());
    publisher.publish(event(1)).await?;
    assert_eq!(
        timeout(WAIT, subscription.recv()).await?,
        Notification::Change(event(1))
    );

    redis.stop();
    reaches(&mut state, false).await?;
    assert_eq!(
        timeout(WAIT, subscription.recv()).await?,
        Notification::Missed
    );
    assert!(
        publisher.publish(event(2)).await.is_err(),
        "published into a stopped redis"
    );

    redis.restart()?;
    reaches(&mut state, true).await?;
    reaches(&mut publisher.connection_state(), true).await?;
    publisher.publish(event(3)).await?;
    // A catch-up hint for whatever was published during the outage comes
    // first, then the new event, without subscribing again.
    let mut caught_up = false;
    loop {
        match timeout(WAIT, subscription.recv())
            .await
            .context("no event after the restart: not resubscribed")?
        {
            Notification::Missed => caught_up = true,
            Notification::Change(changed) => {
                assert_eq!(changed, event(3));
                break;
            }
        }
    }
    assert!(caught_up, "no catch-up hint after the reconnection");
    Ok(())
}
