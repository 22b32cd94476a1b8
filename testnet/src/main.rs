//! `badgemesh-testnet up --nodes N`: starts N nodes on 127.0.0.1, prints each one's API URL,
//! token and p2p address, and keeps them running until Ctrl-C.

use std::{path::PathBuf, process::ExitCode};

use clap::Parser;

/// Several real Badgemesh nodes on this machine.
#[derive(Debug, Parser)]
#[command(name = "badgemesh-testnet", version)]
enum Cli {
    /// Start the nodes and wait for Ctrl-C.
    Up {
        /// How many nodes.
        #[arg(long, default_value_t = 3)]
        nodes: usize,
        /// The `badgemesh` binary (default: beside this one).
        #[arg(long)]
        bin: Option<PathBuf>,
    },
    /// Measure: revocation propagation (p50/p95/p99), catch-up after a restart, idle RSS.
    Bench {
        /// How many nodes.
        #[arg(long, default_value_t = 10)]
        nodes: usize,
        /// How many revocations to time.
        #[arg(long, default_value_t = 20)]
        revocations: usize,
        /// The `badgemesh` binary (default: beside this one).
        #[arg(long)]
        bin: Option<PathBuf>,
    },
}

fn beside_me(bin: Option<PathBuf>) -> PathBuf {
    bin.unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("badgemesh")))
            .unwrap_or_default()
    })
}

fn main() -> ExitCode {
    let result = match Cli::parse() {
        Cli::Up { nodes, bin } => up(&beside_me(bin), nodes),
        Cli::Bench { nodes, revocations, bin } => bench(&beside_me(bin), nodes, revocations),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("badgemesh-testnet: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench(bin: &std::path::Path, nodes: usize, revocations: usize) -> badgemesh_testnet::Result<()> {
    use badgemesh_testnet::bench;
    let mut net = badgemesh_testnet::Net::start(bin, nodes)?;
    let (uuids, list) = bench::awards(&net.nodes[0], revocations + 4)?;
    let (timed, rest) = uuids.split_at(revocations);
    // Let the mesh form before timing (gossipsub grafts on heartbeats).
    let first = bench::issuer_version(&net.nodes[0], &list)?;
    net.wait_all("the first list everywhere", std::time::Duration::from_secs(120), |n| {
        n.held(&list).as_deref() == Some(first.as_str())
    })?;
    let mut samples = bench::propagation(&net, timed, &list)?;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{nodes} nodes, {revocations} revocations, {} deliveries: p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        samples.len(),
        ms(bench::quantile(&mut samples, 0.5)),
        ms(bench::quantile(&mut samples, 0.95)),
        ms(bench::quantile(&mut samples, 0.99)),
        ms(bench::quantile(&mut samples, 1.0)),
    );
    let took = bench::catch_up(&mut net, &rest[..3], &list)?;
    println!(
        "catch-up after a restart that missed 3 revocations: {:.0} ms from process start",
        ms(took)
    );
    #[allow(clippy::disallowed_methods)] // measuring an idle net: the wait is the point
    std::thread::sleep(std::time::Duration::from_secs(10));
    let mut rss: Vec<u64> = net.nodes.iter().filter_map(badgemesh_testnet::Node::rss).collect();
    rss.sort_unstable();
    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "idle RSS after 10 s: median {:.1} MB, max {:.1} MB",
        mb(rss.get(rss.len() / 2).copied().unwrap_or(0)),
        mb(rss.last().copied().unwrap_or(0))
    );
    Ok(())
}

fn up(bin: &std::path::Path, nodes: usize) -> badgemesh_testnet::Result<()> {
    let net = badgemesh_testnet::Net::start(bin, nodes)?;
    println!("{nodes} nodes, data under {}", net.root().display());
    for n in &net.nodes {
        println!("node {}: {}  token {}  {}", n.index, n.url, n.token, n.did);
        println!("        p2p {}", n.p2p);
    }
    println!("Ctrl-C stops them (the signal reaches the nodes too; they shut down cleanly).");
    loop {
        std::thread::park();
    }
}
