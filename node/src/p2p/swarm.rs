//! The libp2p swarm and the task that owns it: TCP and QUIC with Noise and Yamux, identify,
//! Kademlia, gossipsub (validation on, peer scoring), the catch-up protocol and, when enabled,
//! mDNS. Judging and storing gossip happens in a separate validator task, so the swarm keeps
//! turning while a list is verified and written.
//!
//! The task moves bytes; it does not decide. What a message is worth, which documents to pull,
//! whether to ask a peer back and what to publish are [`super::proto`]'s decisions, which the
//! task asks for with the current time and carries out.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, Swarm, SwarmBuilder, gossipsub, identify,
    identity::Keypair,
    kad, mdns, noise,
    request_response::{self, ProtocolSupport},
    swarm::{NetworkBehaviour, SwarmEvent, behaviour::toggle::Toggle},
    tcp, yamux,
};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot, watch};

use super::{
    Command, GossipCounts, NetInfo, PeerInfo, deliver,
    proto::{
        Kind, MAX_MESSAGE_BYTES, Message, Request, Response, SyncPolicy, Verdict,
        sync::{self, Heads},
        wire::SYNC_PROTOCOL,
    },
    validator,
};
use crate::{
    Error, Result,
    config::P2p as P2pConfig,
    store::{Store, held, status},
};

/// Everything the node speaks.
#[allow(missing_debug_implementations)]
#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    blocked: libp2p::allow_block_list::Behaviour<libp2p::allow_block_list::BlockedPeers>,
    gossipsub: gossipsub::Behaviour,
    identify: identify::Behaviour,
    kad: kad::Behaviour<kad::store::MemoryStore>,
    sync: request_response::json::Behaviour<Request, Response>,
    deliver: request_response::json::Behaviour<deliver::Request, deliver::Response>,
    mdns: Toggle<mdns::tokio::Behaviour>,
}

/// Builds the swarm for `key` with the settings of `config`.
pub(crate) fn build(key: Keypair, config: &P2pConfig) -> Result<Swarm<Behaviour>> {
    let mdns_on = config.mdns;
    let heartbeat = Duration::from_millis(config.heartbeat_ms);
    let swarm = SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)
        .map_err(|e| Error::P2p(format!("tcp transport: {e}")))?
        .with_quic()
        .with_behaviour(|key| behaviour(key, mdns_on, heartbeat))
        .map_err(|e| Error::P2p(format!("behaviour: {e}")))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(120)))
        .build();
    Ok(swarm)
}

/// The same node on libp2p's in-process memory transport (`/memory/<n>` addresses), for
/// simulations of many nodes in one process (`node/tests/sim.rs`).
pub(crate) fn build_in_memory(key: Keypair, config: &P2pConfig) -> Result<Swarm<Behaviour>> {
    use libp2p::{Transport, core::transport::MemoryTransport, core::upgrade::Version};
    let heartbeat = Duration::from_millis(config.heartbeat_ms);
    let swarm = SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_other_transport(|key| -> std::result::Result<_, BoxError> {
            Ok(MemoryTransport::default()
                .upgrade(Version::V1)
                .authenticate(noise::Config::new(key)?)
                .multiplex(yamux::Config::default()))
        })
        .map_err(|e| Error::P2p(format!("memory transport: {e}")))?
        .with_behaviour(|key| behaviour(key, false, heartbeat))
        .map_err(|e| Error::P2p(format!("behaviour: {e}")))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(120)))
        .build();
    Ok(swarm)
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn behaviour(
    key: &Keypair,
    mdns_on: bool,
    heartbeat: Duration,
) -> std::result::Result<Behaviour, BoxError> {
    let peer_id = key.public().to_peer_id();
    let config = gossipsub::ConfigBuilder::default()
        .heartbeat_interval(heartbeat)
        .validation_mode(gossipsub::ValidationMode::Strict)
        // Nothing is forwarded before the validator has judged it.
        .validate_messages()
        .max_transmit_size(MAX_MESSAGE_BYTES + 4096)
        // Content-addressed ids: the same list relayed by many peers is one message.
        .message_id_fn(|m: &gossipsub::Message| {
            gossipsub::MessageId::from(Sha256::digest(&m.data).to_vec())
        })
        .build()?;
    let mut gossipsub =
        gossipsub::Behaviour::new(gossipsub::MessageAuthenticity::Signed(key.clone()), config)?;
    let topics: Vec<gossipsub::IdentTopic> =
        Kind::ALL.into_iter().map(|k| gossipsub::IdentTopic::new(k.topic())).collect();
    let mut params = gossipsub::PeerScoreParams::default();
    // Many peers behind one address is a Sybil signal on the internet, but on loopback it is a
    // testnet: without this, more than 10 local nodes score each other below the graylist.
    params.ip_colocation_factor_whitelist.extend([
        std::net::IpAddr::from(std::net::Ipv4Addr::LOCALHOST),
        std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
    ]);
    for topic in &topics {
        params.topics.insert(
            topic.hash(),
            gossipsub::TopicScoreParams {
                invalid_message_deliveries_weight: -100.0,
                invalid_message_deliveries_decay: 0.9,
                ..Default::default()
            },
        );
    }
    gossipsub.with_peer_score(params, gossipsub::PeerScoreThresholds::default())?;
    for topic in &topics {
        gossipsub.subscribe(topic)?;
    }
    let identify =
        identify::Behaviour::new(identify::Config::new("/badgemesh/1".into(), key.public()));
    let kad = kad::Behaviour::with_config(
        peer_id,
        kad::store::MemoryStore::new(peer_id),
        kad::Config::new(StreamProtocol::new("/badgemesh/kad/1")),
    );
    let sync = request_response::json::Behaviour::new(
        [(StreamProtocol::new(SYNC_PROTOCOL), ProtocolSupport::Full)],
        request_response::Config::default().with_request_timeout(Duration::from_secs(20)),
    );
    let mdns = if mdns_on {
        Some(mdns::tokio::Behaviour::new(mdns::Config::default(), peer_id)?)
    } else {
        None
    };
    let deliver = request_response::json::Behaviour::new(
        [(StreamProtocol::new(deliver::PROTOCOL), ProtocolSupport::Full)],
        request_response::Config::default().with_request_timeout(Duration::from_secs(20)),
    );
    Ok(Behaviour {
        blocked: libp2p::allow_block_list::Behaviour::default(),
        gossipsub,
        identify,
        kad,
        sync,
        deliver,
        mdns: Toggle::from(mdns),
    })
}

/// The owner task's state.
#[allow(missing_debug_implementations)] // holds the swarm, which has no Debug
pub(crate) struct Task {
    swarm: Swarm<Behaviour>,
    store: Store,
    commands: mpsc::Receiver<Command>,
    judge: mpsc::Sender<validator::Job>,
    verdicts: mpsc::Receiver<validator::Done>,
    lists_changed: watch::Receiver<u64>,
    sync_every: Duration,
    counts: GossipCounts,
    /// The delivery worker's bounded queue (it refuses offers not addressed to this node's DID).
    inbox: mpsc::Sender<super::inbox::Job>,
    /// The protocol's memory of past asks and publishes: whether to ask a peer back, whether an
    /// early catch-up round is due, which own lists to publish.
    policy: SyncPolicy<PeerId>,
}

impl Task {
    /// Wires the task; [`Task::run`] drives it.
    pub(crate) fn new(
        swarm: Swarm<Behaviour>,
        store: Store,
        commands: mpsc::Receiver<Command>,
        sync_every: Duration,
        did: String,
    ) -> Self {
        let (judge, verdicts) = validator::spawn(store.clone());
        let lists_changed = store.lists_changed();
        let inbox = super::inbox::spawn_worker(store.clone(), did);
        Self {
            inbox,
            swarm,
            store,
            commands,
            judge,
            verdicts,
            lists_changed,
            sync_every,
            counts: GossipCounts::default(),
            policy: SyncPolicy::new(),
        }
    }

    /// Listens, dials the bootstrap peers, then serves until the command channel closes.
    pub(crate) async fn run(mut self, listen: Vec<Multiaddr>, bootstrap: Vec<Multiaddr>) {
        for addr in listen {
            if let Err(e) = self.swarm.listen_on(addr.clone()) {
                tracing::error!(%addr, error = %e, "cannot listen");
            }
        }
        for addr in bootstrap {
            self.dial(addr);
        }
        let mut timer = tokio::time::interval(self.sync_every);
        // A document published before any peer listened goes out with an early sync instead.
        let mut soon = tokio::time::interval(Duration::from_millis(500));
        self.publish_own().await;
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_event(event),
                command = self.commands.recv() => match command {
                    Some(c) => self.on_command(c).await,
                    None => break,
                },
                Some(done) = self.verdicts.recv() => self.on_verdict(done),
                Ok(()) = self.lists_changed.changed() => self.publish_own().await,
                _ = timer.tick() => self.sync_round(),
                _ = soon.tick(), if self.policy.resync_due() => {
                    if self.policy.take_resync() {
                        self.sync_round();
                    }
                }
            }
        }
        tracing::info!("p2p stopped");
    }

    fn dial(&mut self, addr: Multiaddr) {
        if let Some(libp2p::multiaddr::Protocol::P2p(peer)) = addr.iter().last() {
            self.swarm.behaviour_mut().kad.add_address(&peer, addr.clone());
        }
        if let Err(e) = self.swarm.dial(addr.clone()) {
            tracing::warn!(%addr, error = %e, "cannot dial bootstrap peer");
        }
    }

    /// Publishes our lists whose `validFrom` moved since the last publish (the policy keeps
    /// count), and holds them too (so catch-up serves them like anyone's).
    async fn publish_own(&mut self) {
        let Ok(lists) = self.store.read().and_then(|r| status::all(&r)) else { return };
        for list in lists {
            let Some(credential) = list.credential else { continue };
            if self.policy.should_publish(&list.name, list.updated) {
                self.publish(Message::status_list(credential)).await;
            }
        }
    }

    /// Publishes one of our own documents and holds it.
    async fn publish(&mut self, message: Message) {
        let topic = gossipsub::IdentTopic::new(message.topic());
        match self.swarm.behaviour_mut().gossipsub.publish(topic, message.to_bytes()) {
            Ok(_) => tracing::debug!(kind = message.kind.as_str(), "published"),
            Err(e) => {
                self.policy.on_publish_failed();
                tracing::debug!(kind = message.kind.as_str(), error = %e, "not published now (peers catch up)")
            }
        }
        let _ = self.judge.send(validator::Job::Own(message)).await;
    }

    fn sync_round(&mut self) {
        let peers: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
        for peer in peers {
            self.ask_heads(peer);
        }
        let _ = self.swarm.behaviour_mut().kad.bootstrap();
    }

    /// Asks `peer` for its heads, and tells the policy when.
    fn ask_heads(&mut self, peer: PeerId) {
        self.policy.asking(peer, Instant::now());
        self.swarm.behaviour_mut().sync.send_request(&peer, Request::Heads);
    }

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Info(reply) => {
                let _ = reply.send(self.info());
            }
            Command::Publish(message) => self.publish(*message).await,
            Command::Block(peer) => {
                self.swarm.behaviour_mut().blocked.block_peer(peer);
            }
            Command::Unblock(peer) => {
                self.swarm.behaviour_mut().blocked.unblock_peer(peer);
            }
            Command::Dial(addr) => self.dial(addr),
            Command::Deliver { peer, addresses, request } => {
                for a in addresses {
                    self.swarm.add_peer_address(peer, a);
                }
                self.swarm.behaviour_mut().deliver.send_request(&peer, *request);
            }
        }
    }

    fn info(&self) -> NetInfo {
        let me = *self.swarm.local_peer_id();
        let peers =
            self.swarm.connected_peers().map(|p| PeerInfo { peer_id: p.to_string() }).collect();
        NetInfo {
            peer_id: me.to_string(),
            listen: self.swarm.listeners().map(|a| format!("{a}/p2p/{me}")).collect(),
            peers,
            gossip: self.counts,
        }
    }

    fn on_verdict(&mut self, done: validator::Done) {
        let validator::Done { source, message_id, verdict } = done;
        let (Some(source), Some(id)) = (source, message_id) else { return };
        let acceptance = match &verdict {
            Verdict::Accept(_) => {
                self.counts.accepted += 1;
                gossipsub::MessageAcceptance::Accept
            }
            Verdict::Ignore(_) => {
                self.counts.ignored += 1;
                gossipsub::MessageAcceptance::Ignore
            }
            Verdict::Reject(why) => {
                self.counts.rejected += 1;
                tracing::warn!(peer = %source, reason = %why, "gossip rejected");
                gossipsub::MessageAcceptance::Reject
            }
        };
        let _ = self
            .swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(&id, &source, acceptance);
    }

    fn on_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::NewListenAddr { address, .. } => tracing::info!(%address, "p2p listening"),
            SwarmEvent::ConnectionEstablished { peer_id, num_established, .. }
                if num_established.get() == 1 =>
            {
                tracing::debug!(%peer_id, "connected");
                self.ask_heads(peer_id);
            }
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            })) => {
                let job = validator::Job::Gossip {
                    source: propagation_source,
                    message_id,
                    bytes: message.data,
                };
                if self.judge.try_send(job).is_err() {
                    tracing::warn!("validator busy: gossip dropped (peers will catch up)");
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
                peer_id,
                info,
                ..
            })) => {
                for addr in info.listen_addrs {
                    self.swarm.behaviour_mut().kad.add_address(&peer_id, addr);
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                for (peer, addr) in found {
                    self.swarm.behaviour_mut().kad.add_address(&peer, addr.clone());
                    let _ = self.swarm.dial(addr);
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Deliver(request_response::Event::Message {
                peer,
                message: request_response::Message::Request { request, channel, .. },
                ..
            })) => {
                match super::inbox::admit(&self.inbox, peer, request) {
                    super::inbox::Admission::Queued => {
                        let _ = self
                            .swarm
                            .behaviour_mut()
                            .deliver
                            .send_response(channel, deliver::Response::Received);
                    }
                    super::inbox::Admission::Dropped => {
                        // Unanswered (the channel drops) and disconnected: a peer that floods
                        // the inbox pays with its connection.
                        self.counts.rejected += 1;
                        tracing::warn!(%peer, "delivery queue full: message dropped, peer disconnected");
                        let _ = self.swarm.disconnect_peer_id(peer);
                    }
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Sync(request_response::Event::Message {
                peer,
                message,
                ..
            })) => {
                self.on_sync(peer, message);
            }
            _ => {}
        }
    }

    /// A catch-up message: answer a request (and ask back when the policy says so), pull what
    /// a heads answer has newer, hand pulled documents to the validator.
    fn on_sync(&mut self, peer: PeerId, message: request_response::Message<Request, Response>) {
        match message {
            request_response::Message::Request { request, channel, .. } => {
                let ask_back = matches!(request, Request::Heads)
                    && self.policy.on_heads_request(peer, Instant::now());
                let answer = self.answer(request);
                let _ = self.swarm.behaviour_mut().sync.send_response(channel, answer);
                if ask_back {
                    self.swarm.behaviour_mut().sync.send_request(&peer, Request::Heads);
                }
            }
            request_response::Message::Response { response: Response::Heads { heads }, .. } => {
                if let Some(get) = sync::on_heads(&heads, &self.heads()) {
                    self.swarm.behaviour_mut().sync.send_request(&peer, get);
                }
            }
            request_response::Message::Response {
                response: Response::Docs { messages }, ..
            } => {
                for message in sync::pulled(messages) {
                    if self.judge.try_send(validator::Job::Pulled { from: peer, message }).is_err()
                    {
                        break;
                    }
                }
            }
        }
    }

    /// The versions held, as the store lists them (empty when it cannot be read: the peer's
    /// heads then all look new, and the pulled documents are judged as usual).
    fn held_heads(&self) -> Vec<(Kind, String, chrono::DateTime<chrono::Utc>)> {
        self.store.read().and_then(|r| held::heads(&r)).unwrap_or_default()
    }

    /// The versions held, keyed as [`sync::wanted`] compares them.
    fn heads(&self) -> Heads {
        self.held_heads()
            .into_iter()
            .map(|(kind, id, valid_from)| ((kind, id), valid_from))
            .collect()
    }

    /// Our answer to a catch-up request, read from the store and shaped by the protocol.
    fn answer(&self, request: Request) -> Response {
        match request {
            Request::Heads => sync::heads_answer(self.held_heads()),
            Request::Get { items } => {
                let Ok(r) = self.store.read() else {
                    return Response::Docs { messages: Vec::new() };
                };
                sync::docs_answer(&items, |kind, id| {
                    let h = held::get(&r, kind, id).ok().flatten()?;
                    Some(Message { kind: h.kind, credential: h.credential })
                })
            }
        }
    }
}

/// Asks the task to publish (and hold) one of our own documents.
pub(crate) async fn publish(tx: &mpsc::Sender<Command>, message: Message) -> Result<()> {
    tx.send(Command::Publish(Box::new(message)))
        .await
        .map_err(|_| Error::P2p("the p2p task has stopped".into()))
}

/// Asks the task for its state.
pub(crate) async fn info(tx: &mpsc::Sender<Command>) -> Result<NetInfo> {
    let (reply, rx) = oneshot::channel();
    tx.send(Command::Info(reply))
        .await
        .map_err(|_| Error::P2p("the p2p task has stopped".into()))?;
    rx.await.map_err(|_| Error::P2p("the p2p task has stopped".into()))
}
