//! Peer to peer: status lists travel between nodes over libp2p gossip, and a node that was away
//! pulls what it missed, so a verifier checks a badge's status without contacting its issuer.
//!
//! - [`proto`]: the gossip and catch-up protocol: wire types, the judgment on each message and
//!   the catch-up policy, with no I/O (the rest of this module carries out its decisions);
//! - [`deliver`], [`inbox`]: direct delivery of awards to the recipient DID's node, and the
//!   answers back;
//! - [`validator`]: the task that judges and stores received documents (the signature check
//!   and the store around [`proto::judge`]);
//! - `swarm`: the libp2p swarm and the task that owns it;
//! - [`P2p`]: the cloneable handle the rest of the node uses.

pub mod deliver;
pub mod inbox;
pub mod proto;
mod swarm;
pub mod validator;

use std::{path::Path, time::Duration};

use libp2p::{Multiaddr, identity::Keypair};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use crate::{Error, Result, config::P2p as P2pConfig, keys, store::Store};

/// File of the node's libp2p identity (Ed25519, protobuf encoding, mode 0600). Separate from the
/// DID key: the peer id is a network address, not an issuer identity.
pub const PEER_KEY_FILE: &str = "p2p.key";

/// Requests to the swarm task.
#[derive(Debug)]
pub enum Command {
    /// The node's peer id, listen addresses and connected peers.
    Info(oneshot::Sender<NetInfo>),
    /// Publish one of this node's own documents (and hold it).
    Publish(Box<proto::Message>),
    /// Refuse connections with a peer (and close the open ones).
    Block(libp2p::PeerId),
    /// Lift a block.
    Unblock(libp2p::PeerId),
    /// Dial an address.
    Dial(Multiaddr),
    /// Send a delivery message to a peer.
    Deliver {
        /// The peer.
        peer: libp2p::PeerId,
        /// Where it can be reached (from its announcement).
        addresses: Vec<Multiaddr>,
        /// The message.
        request: Box<deliver::Request>,
    },
}

/// What `badgemesh peers` shows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetInfo {
    /// This node's peer id.
    pub peer_id: String,
    /// Where it listens (`…/p2p/<peer id>`, ready to give to others as a bootstrap address).
    pub listen: Vec<String>,
    /// Connected peers.
    pub peers: Vec<PeerInfo>,
    /// Gossip messages judged since start, by verdict.
    pub gossip: GossipCounts,
}

/// Gossip verdicts since start.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct GossipCounts {
    /// Stored and forwarded.
    pub accepted: u64,
    /// Stale or duplicate: dropped without blame.
    pub ignored: u64,
    /// Invalid: dropped, sender penalised.
    pub rejected: u64,
}

/// One connected peer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerInfo {
    /// Its peer id.
    pub peer_id: String,
}

/// The network's owner task: the swarm's event loop (and, through the channels it owns, the
/// judging and delivery workers, which end when it does).
pub type Task = futures::future::BoxFuture<'static, ()>;

/// Handle on the running network task.
#[derive(Debug, Clone)]
pub struct P2p {
    commands: mpsc::Sender<Command>,
    store: Store,
}

impl P2p {
    /// The network for the node in `dir`, and its owner task for the caller to run (the node
    /// runs it under its cancellation token: dropping the task stops the network).
    pub fn start(dir: &Path, config: &P2pConfig, store: Store, did: &str) -> Result<(Self, Task)> {
        let key = peer_key(dir)?;
        let listen = parse_all(&config.listen, "p2p.listen")?;
        let bootstrap = parse_all(&config.bootstrap, "p2p.bootstrap")?;
        let swarm = swarm::build(key, config)?;
        Ok(Self::spawn(swarm, config, store, did, listen, bootstrap))
    }

    /// Starts a node on the in-process memory transport with `key`, listening on `listen`
    /// (`/memory/<n>`) and dialing `bootstrap`: many nodes in one process, for simulations.
    pub fn start_in_memory(
        key: Keypair,
        config: &P2pConfig,
        store: Store,
        did: &str,
        listen: Multiaddr,
        bootstrap: Vec<Multiaddr>,
    ) -> Result<(Self, Task)> {
        let swarm = swarm::build_in_memory(key, config)?;
        Ok(Self::spawn(swarm, config, store, did, vec![listen], bootstrap))
    }

    /// The handle on `swarm` and its owner task.
    fn spawn(
        swarm: libp2p::Swarm<swarm::Behaviour>,
        config: &P2pConfig,
        store: Store,
        did: &str,
        listen: Vec<Multiaddr>,
        bootstrap: Vec<Multiaddr>,
    ) -> (Self, Task) {
        let (commands, rx) = mpsc::channel(64);
        let sync_every = Duration::from_millis(config.sync_ms);
        let task = swarm::Task::new(swarm, store.clone(), rx, sync_every, did.to_owned());
        (Self { commands, store }, Box::pin(task.run(listen, bootstrap)))
    }

    /// Peer id, listen addresses, connected peers.
    pub async fn info(&self) -> Result<NetInfo> {
        swarm::info(&self.commands).await
    }

    /// Offers `credential` to the node of `did`, as that DID last announced it. `NotFound` when
    /// the DID has announced no node (the caller falls back to e-mail or a claim link).
    pub async fn deliver(&self, did: &str, credential: serde_json::Value) -> Result<()> {
        let (peer, addresses) = inbox::reach(&self.store, did)?;
        self.send(peer, addresses, deliver::Request::Offer { credential }).await
    }

    /// Tells the node that offered `item` whether its earner accepted it.
    pub async fn answer(
        &self,
        item: &crate::store::inbox::InboxItem,
        accepted: bool,
    ) -> Result<()> {
        let peer: libp2p::PeerId = item
            .from_peer
            .parse()
            .map_err(|e| Error::P2p(format!("peer id {}: {e}", item.from_peer)))?;
        let addresses = inbox::reach(&self.store, &item.issuer).map(|(_, a)| a).unwrap_or_default();
        self.send(
            peer,
            addresses,
            deliver::Request::Decision { credential_id: item.id.clone(), accepted },
        )
        .await
    }

    /// Blocks (`true`) or unblocks a peer: a misbehaving or unwanted peer is cut off.
    pub async fn block(&self, peer: &str, block: bool) -> Result<()> {
        let peer: libp2p::PeerId =
            peer.parse().map_err(|e| Error::Invalid(format!("peer id {peer}: {e}")))?;
        self.command(if block { Command::Block(peer) } else { Command::Unblock(peer) }).await
    }

    /// Dials a multiaddr (with or without `/p2p/<peer id>`).
    pub async fn dial(&self, address: &str) -> Result<()> {
        let addr = dialable(address).map_err(Error::Invalid)?;
        self.command(Command::Dial(addr)).await
    }

    async fn command(&self, command: Command) -> Result<()> {
        self.commands.send(command).await.map_err(|_| Error::P2p("the p2p task has stopped".into()))
    }

    async fn send(
        &self,
        peer: libp2p::PeerId,
        addresses: Vec<Multiaddr>,
        request: deliver::Request,
    ) -> Result<()> {
        self.commands
            .send(Command::Deliver { peer, addresses, request: Box::new(request) })
            .await
            .map_err(|_| Error::P2p("the p2p task has stopped".into()))
    }

    /// Publishes one of this node's own signed documents and holds it.
    pub async fn publish(&self, message: proto::Message) -> Result<()> {
        swarm::publish(&self.commands, message).await
    }
}

fn parse_all(addrs: &[String], field: &str) -> Result<Vec<Multiaddr>> {
    addrs
        .iter()
        .map(|a| {
            a.parse().map_err(|e| Error::P2p(format!("{field}: {a:?} is not a multiaddr: {e}")))
        })
        .collect()
}

/// An address a node can dial: a host (IP or DNS name) and a TCP port, or a UDP port with
/// QUIC, optionally followed by `/p2p/<peer id>`. An empty string parses as the empty
/// multiaddr and a bare host has no port; both are refused here rather than failing later.
pub fn dialable(address: &str) -> std::result::Result<Multiaddr, String> {
    use libp2p::multiaddr::Protocol;
    let addr: Multiaddr =
        address.trim().parse().map_err(|e| format!("{address:?} is not a multiaddr: {e}"))?;
    let mut parts = addr.iter();
    let host = matches!(
        parts.next(),
        Some(
            Protocol::Ip4(_)
                | Protocol::Ip6(_)
                | Protocol::Dns(_)
                | Protocol::Dns4(_)
                | Protocol::Dns6(_)
        )
    );
    let port = match (parts.next(), parts.next()) {
        (Some(Protocol::Tcp(p)), _) => p != 0,
        (Some(Protocol::Udp(p)), Some(Protocol::QuicV1)) => p != 0,
        _ => false,
    };
    if host && port {
        Ok(addr)
    } else {
        Err(format!(
            "{address:?} is not a dialable address: give a host and a port, e.g. \
             /ip4/192.0.2.1/tcp/7677 or /dns4/node.example/udp/7677/quic-v1"
        ))
    }
}

/// The node's libp2p key, created on first use.
fn peer_key(dir: &Path) -> Result<Keypair> {
    let path = dir.join(PEER_KEY_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => Keypair::from_protobuf_encoding(&bytes)
            .map_err(|e| Error::P2p(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = Keypair::generate_ed25519();
            let bytes = key.to_protobuf_encoding().map_err(|e| Error::P2p(e.to_string()))?;
            keys::write_private(dir, PEER_KEY_FILE, &bytes)?;
            Ok(key)
        }
        Err(e) => Err(Error::Io { path, source: e }),
    }
}

#[cfg(test)]
mod tests {
    use super::dialable;

    #[test]
    fn only_addresses_with_a_host_and_a_port_are_dialable() {
        for ok in [
            "/ip4/127.0.0.1/tcp/7677",
            "/ip6/::1/tcp/1",
            "/dns4/node.example/udp/7677/quic-v1",
            "/ip4/127.0.0.1/tcp/7677/p2p/12D3KooWCnP3f8ms6sUoprEQC5E4VLAcDif21Q97FStbxXYhGpm4",
        ] {
            assert!(dialable(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "  ",
            "/ip4/127.0.0.1",
            "/ip4/127.0.0.1/tcp/0",
            "/ip4/127.0.0.1/udp/7677",
            "/tcp/7677",
            "nonsense",
        ] {
            assert!(dialable(bad).is_err(), "{bad:?}");
        }
    }
}
