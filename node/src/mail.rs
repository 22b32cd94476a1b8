//! Delivery of award notices: an owner task drains the store's outbox into the SMTP relay.
//!
//! Mail is queued in the award's own transaction, so a notice is sent at least once for every
//! acknowledged award, even across a crash, and never for an award that was lost. A message the
//! relay refuses permanently (bad address) is dropped with an error log; a relay that is down is
//! retried with backoff.

use std::{sync::Arc, time::Duration};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use tokio::sync::Notify;

use crate::{
    Error, Result,
    store::{Store, outbox},
};

/// Handle on the mail task: wake it after queueing mail.
#[derive(Debug, Clone)]
pub struct Mailer {
    wake: Arc<Notify>,
}

impl Mailer {
    /// The mailer for `relay` (`HOST:PORT`), sending as `from`, and the task that sends: the
    /// caller runs it (the node, under its cancellation token), so that shutdown stops it.
    pub fn new(
        store: Store,
        relay: &str,
        from: &str,
    ) -> Result<(Self, impl Future<Output = ()> + Send + 'static)> {
        let (host, port) = relay
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
            .ok_or_else(|| Error::Mail(format!("smtp relay {relay:?} is not HOST:PORT")))?;
        let from: Mailbox =
            from.parse().map_err(|e| Error::Mail(format!("smtp from {from:?}: {e}")))?;
        // Plain SMTP to a relay the operator runs (typically on loopback); TLS to the outside
        // world is the relay's job.
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port).build();
        let wake = Arc::new(Notify::new());
        let task = run(store, transport, from, wake.clone());
        Ok((Self { wake }, task))
    }

    /// Tells the task there is mail.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

async fn run(
    store: Store,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    wake: Arc<Notify>,
) {
    let mut backoff = Duration::from_millis(500);
    loop {
        match drain(&store, &transport, &from).await {
            Ok(()) => {
                backoff = Duration::from_millis(500);
                let _ = tokio::time::timeout(Duration::from_secs(30), wake.notified()).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?backoff, "mail relay unavailable");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}

/// Sends everything queued; stops at the first relay failure (the relay is down: retry later).
async fn drain(
    store: &Store,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> Result<()> {
    loop {
        let batch = outbox::pending(&store.read()?, 32)?;
        if batch.is_empty() {
            return Ok(());
        }
        for (seq, mail) in batch {
            match message(from, &mail) {
                Ok(msg) => match transport.send(msg).await {
                    Ok(_) => tracing::info!(to = %mail.to, "award notice sent"),
                    // 5xx: this message will never go (a refused address); keep the queue moving.
                    Err(e) if e.is_permanent() => {
                        tracing::error!(to = %mail.to, error = %e, "relay refused the notice for good");
                    }
                    Err(e) => return Err(Error::Mail(e.to_string())),
                },
                Err(e) => tracing::error!(to = %mail.to, error = %e, "dropping unsendable notice"),
            }
            store.write(move |b| outbox::remove(b, seq)).await?;
        }
    }
}

fn message(from: &Mailbox, mail: &outbox::Mail) -> Result<Message> {
    let to: Mailbox = mail.to.parse().map_err(|e| Error::Mail(format!("{}: {e}", mail.to)))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| Error::Mail(e.to_string()))
}
