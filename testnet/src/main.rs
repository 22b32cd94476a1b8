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
}

fn main() -> ExitCode {
    let Cli::Up { nodes, bin } = Cli::parse();
    let bin = bin.unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("badgemesh")))
            .unwrap_or_default()
    });
    let net = match badgemesh_testnet::Net::start(&bin, nodes) {
        Ok(net) => net,
        Err(e) => {
            eprintln!("badgemesh-testnet: {e}");
            return ExitCode::FAILURE;
        }
    };
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
