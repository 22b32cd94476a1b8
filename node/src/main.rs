//! `badgemesh`: the node's command line. Everything, down to parsing and the exit status, lives
//! in the library ([`badgemesh_node::cli::main`]), so this file compiles in a moment.

fn main() -> std::process::ExitCode {
    badgemesh_node::cli::main()
}
