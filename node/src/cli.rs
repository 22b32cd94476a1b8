//! The `badgemesh` command line: one module per subcommand, each a thin layer over the library.

pub mod achievement;
pub mod award;
pub mod credentials;
pub mod did;
pub mod init;
pub mod network;
pub mod profile;
pub mod run;
pub mod sign;
pub mod verifier;
pub mod verify;
pub mod wallet;

use std::{
    io::Read,
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::{Parser, Subcommand};

/// Badgemesh: a decentralized Open Badges 3.0 verifiable-credentials node.
#[derive(Debug, Parser)]
#[command(name = "badgemesh", version, about)]
pub struct Cli {
    /// Data directory (default: the platform data directory, e.g. ~/.local/share/badgemesh).
    #[arg(long, global = true, env = "BADGEMESH_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the data directory, an Ed25519 key and its did:key; print the DID.
    Init(init::InitArgs),
    /// Print the node's DID document.
    Did(did::DidArgs),
    /// Sign an unsigned OB 3.0 credential with the node's key.
    Sign(sign::SignArgs),
    /// Verify a credential, presentation or VC-JWT and print a JSON report.
    Verify(verify::VerifyArgs),
    /// Run the node (HTTP admin API, VC-API, public pages) until Ctrl-C or SIGTERM.
    Run(run::RunArgs),
    /// Print the API token.
    Token,
    /// Show the running node's peer id, p2p listen addresses and connected peers.
    Peers,
    /// Credentials other nodes delivered to this node's DID: list, accept, refuse.
    #[command(subcommand)]
    Inbox(network::InboxCommand),
    /// The earner's wallet: list, show, import, accept, refuse, present, bake.
    #[command(subcommand)]
    Wallet(wallet::WalletCommand),
    /// Sign an unsigned OB 3.0 EndorsementCredential as this node and gossip it.
    Endorse {
        /// The unsigned endorsement (JSON), or `-` for standard input.
        file: PathBuf,
    },
    /// Show or change the issuer profile.
    Profile(profile::ProfileArgs),
    /// Manage achievements (badge classes).
    #[command(subcommand)]
    Achievement(achievement::AchievementCommand),
    /// Award an achievement to a DID or an e-mail address, or every row of a CSV.
    Award(award::AwardArgs),
    /// Offer an achievement to any OpenID4VCI wallet (pre-authorized code, 15 minutes):
    /// prints the offer's openid-credential-offer:// URL (for a QR code) and the offer.
    Offer {
        /// The achievement (uuid or urn:uuid:…).
        achievement: String,
        /// A DID: only a wallet proving that DID's key can claim the offer.
        recipient: Option<String>,
        /// Also require a 6-digit transaction code (printed as txCode: send it to the earner
        /// apart from the offer). OpenID4VCI wallets only: VC-API has no place for it.
        #[arg(long)]
        tx_code: bool,
    },
    /// Ask any OpenID4VP wallet for a badge, and read its answer.
    #[command(subcommand)]
    Verifier(verifier::VerifierCommand),
    /// List and search issued credentials.
    Credentials(credentials::ListArgs),
    /// Revoke a credential (final).
    Revoke(credentials::ChangeArgs),
    /// Suspend a credential.
    Suspend(credentials::ChangeArgs),
    /// Lift a suspension.
    Unsuspend(credentials::ChangeArgs),
}

/// A failure the CLI reports in one line, with its exit status.
#[derive(Debug)]
pub struct Failure {
    /// Exit status: 1 for a refused or invalid operation, 2 for unusable input.
    pub status: u8,
    /// The one-line reason.
    pub message: String,
}

impl Failure {
    /// Unusable input (exit 2).
    pub fn input(message: impl std::fmt::Display) -> Self {
        Self { status: 2, message: message.to_string() }
    }

    /// A refused operation (exit 1).
    pub fn refused(message: impl std::fmt::Display) -> Self {
        Self { status: 1, message: message.to_string() }
    }
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Credential(_)
            | crate::Error::NoDataDir
            | crate::Error::BadConfig { .. }
            | crate::Error::Invalid(_) => Self::input(e),
            _ => Self::refused(e),
        }
    }
}

/// The whole program behind `main.rs`: parses the command line, sets up logging
/// (`BADGEMESH_LOG`, default `warn`, to standard error), runs the command on a multi-threaded
/// runtime and turns a failure into one line on standard error and an exit status.
///
/// It lives in the library so that the async call tree it drives is compiled once, with the
/// library: a binary that awaited [`run()`] itself compiled that tree again (docs/PERFORMANCE.md,
/// "Build").
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BADGEMESH_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("badgemesh: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("badgemesh: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let dir = || crate::data_dir::resolve(cli.data_dir.clone()).map_err(Failure::from);
    match cli.command {
        Command::Init(args) => init::run(&dir()?, &args).await,
        Command::Did(args) => did::run(&dir()?, &args),
        Command::Sign(args) => sign::run(&dir()?, &args).await,
        Command::Verify(args) => verify::run(dir().ok().as_deref(), &args).await,
        Command::Run(args) => run::run(&dir()?, &args).await,
        Command::Token => run::show_token(&dir()?),
        Command::Peers => network::peers(&dir()?).await,
        Command::Inbox(cmd) => network::inbox(&dir()?, &cmd).await,
        Command::Wallet(cmd) => wallet::run(&dir()?, &cmd).await,
        Command::Endorse { file } => network::endorse(&dir()?, &file).await,
        Command::Profile(args) => profile::run(&dir()?, &args).await,
        Command::Achievement(cmd) => achievement::run(&dir()?, &cmd).await,
        Command::Award(args) => award::run(&dir()?, &args).await,
        Command::Offer { achievement, recipient, tx_code } => {
            let client = crate::client::Client::for_node(&dir()?)?;
            let body = serde_json::json!({"achievement": achievement, "recipient": recipient,
                "txCode": tx_code});
            print_json(&client.post("/api/v1/offers", &body).await?).map(|()| ExitCode::SUCCESS)
        }
        Command::Verifier(cmd) => verifier::run(&dir()?, &cmd).await,
        Command::Credentials(args) => credentials::list(&dir()?, &args).await,
        Command::Revoke(args) => credentials::change(&dir()?, "revoke", &args).await,
        Command::Suspend(args) => credentials::change(&dir()?, "suspend", &args).await,
        Command::Unsuspend(args) => credentials::change(&dir()?, "unsuspend", &args).await,
    }
}

/// Reads a file, or standard input for `-`.
fn read_input(path: &Path) -> Result<String, Failure> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::input(format!("standard input: {e}")))?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    }
    Ok(text)
}

/// Parses JSON input with a one-line reason on failure.
fn parse_json(text: &str, what: &Path) -> Result<serde_json::Value, Failure> {
    serde_json::from_str(text)
        .map_err(|e| Failure::input(format!("{}: not JSON ({e})", what.display())))
}

/// Prints a JSON value on standard output.
fn print_json(v: &serde_json::Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(v).map_err(|e| Failure::input(e.to_string()))?;
    println!("{text}");
    Ok(())
}
