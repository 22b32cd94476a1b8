//! A real node on a loopback port under connection attacks: idle sockets, slowloris, more
//! connections than file descriptors, hostile verification load, and shutdown with requests
//! half sent. Each worked against the node before its fix (`docs/SECURITY.md`).
//!
//! Durations here are condition waits with generous bounds; the measured figures are printed
//! for `docs/SECURITY.md`, never asserted.
#![allow(clippy::unwrap_used)]
// Pacing a slowloris sender is the point of a sleep here; no assertion waits on one.
#![allow(clippy::disallowed_methods)]

mod common;

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use common::{Node, badgemesh, wait_for};
use serde_json::{Value, json};

/// A node whose header (and idle) timeout is `timeout_secs`, with `extra` config lines.
fn quick_node(timeout_secs: u64, extra_http: &str) -> Node {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    assert!(badgemesh(&dir, &["init"]).status.success());
    set_http(&dir, &format!("header_timeout_secs = {timeout_secs}\n{extra_http}"));
    let mut node = Node::run_in(&dir, &["--no-p2p"]);
    node.keep(tmp);
    node
}

/// Replaces the `[http]` settings of the config with `lines` added.
fn set_http(dir: &std::path::Path, lines: &str) {
    let path = dir.join("config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .lines()
        .filter(|l| !l.starts_with("header_timeout_secs") && !l.starts_with("max_connections"))
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.replacen("[http]\n", &format!("[http]\n{lines}\n"), 1);
    std::fs::write(&path, text).unwrap();
}

fn addr(node: &Node) -> SocketAddr {
    node.url.trim_start_matches("http://").parse().unwrap()
}

/// Whether the server closed `s` (EOF) within `within`.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 256];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> reqwest::blocking::Response {
    let mut r = Node::client().get(format!("http://{addr}{path}"));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().unwrap()
}

#[test]
fn idle_and_slowloris_connections_are_closed() {
    let node = quick_node(1, "");
    let a = addr(&node);
    // A socket that never says anything.
    let mut idle = TcpStream::connect(a).unwrap();
    assert!(closed_within(&mut idle, Duration::from_secs(15)), "an idle socket stayed open");
    // A keep-alive connection after its answer.
    let mut kept = TcpStream::connect(a).unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    assert!(closed_within(&mut kept, Duration::from_secs(15)), "an idle keep-alive stayed open");
    // Slowloris: a header byte every 200 ms, never finishing.
    let mut slow = TcpStream::connect(a).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    let started = Instant::now();
    let mut closed = false;
    while started.elapsed() < Duration::from_secs(15) {
        if slow.write_all(b"X").is_err() {
            closed = true;
            break;
        }
        slow.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let mut b = [0u8; 64];
        // Any answer (an error, or EOF) means the server gave up on the request.
        if slow.read(&mut b).is_ok() {
            closed = true;
            break;
        }
    }
    assert!(closed, "a slowloris connection was kept for 15 s");
    println!("slowloris closed after {:?}", started.elapsed());
    // The node still answers.
    assert_eq!(get(a, "/healthz", None).status(), 200);
}

#[test]
fn the_connection_cap_holds_and_frees_slots() {
    let node = quick_node(1, "max_connections = 4");
    let a = addr(&node);
    let hogs: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(a).unwrap()).collect();
    // The fifth client waits in the backlog, then is served once the idle ones time out.
    let started = Instant::now();
    assert_eq!(get(a, "/healthz", None).status(), 200);
    println!("served behind 4 idle connections at a cap of 4 after {:?}", started.elapsed());
    drop(hogs);
}

#[test]
fn more_idle_connections_than_file_descriptors_do_not_lock_everyone_out() {
    // The node runs with 256 descriptors; 300 idle connections arrive first.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("node");
    assert!(badgemesh(&dir, &["init"]).status.success());
    set_http(&dir, "header_timeout_secs = 2");
    let bin = env!("CARGO_BIN_EXE_badgemesh");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 256 && exec '{bin}' --data-dir '{}' run --http 127.0.0.1:0 --no-p2p",
            dir.display()
        ))
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let url = wait_for("node.url", Duration::from_secs(30), || {
        std::fs::read_to_string(dir.join("node.url")).ok()
    });
    let a: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let idle: Vec<TcpStream> = (0..300).filter_map(|_| TcpStream::connect(a).ok()).collect();
    println!("{} idle connections open", idle.len());
    let started = Instant::now();
    let answer = get(a, "/healthz", None);
    assert_eq!(answer.status(), 200);
    println!("a new client was served after {:?}", started.elapsed());
    drop(idle);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn sigterm_with_half_sent_requests_exits_promptly() {
    let mut node = quick_node(60, "");
    let a = addr(&node);
    // Half a head, and a head with half its body.
    let mut half_head = TcpStream::connect(a).unwrap();
    half_head.write_all(b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\n").unwrap();
    let mut half_body = TcpStream::connect(a).unwrap();
    half_body
        .write_all(b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"verifiableCredential\":")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let pid = node.pid();
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let status =
        wait_for("the node to exit after SIGTERM", Duration::from_secs(30), || node.try_wait());
    println!("exited {:?} after SIGTERM with two half-sent requests open", started.elapsed());
    assert!(status.success(), "{status:?}");
    drop((half_head, half_body));
}

#[test]
fn hostile_verifications_leave_health_and_the_admin_api_answering() {
    let node = quick_node(30, "");
    let a = addr(&node);
    // 96 nodes: under the size limit, so every request pays for expansion and the budget.
    let bomb =
        json!({"verifiableCredential": common::clique(96), "options": {"checks": ["proof"]}});
    let attackers: Vec<_> = (0..8)
        .map(|_| {
            let bomb = bomb.clone();
            std::thread::spawn(move || {
                let mut answers = Vec::new();
                for _ in 0..5 {
                    let started = Instant::now();
                    let r = Node::client()
                        .post(format!("http://{a}/credentials/verify"))
                        .json(&bomb)
                        .send()
                        .unwrap();
                    answers.push((r.status().as_u16(), started.elapsed()));
                }
                answers
            })
        })
        .collect();
    let mut health = Vec::new();
    let mut admin = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        assert_eq!(get(a, "/healthz", None).status(), 200);
        health.push(started.elapsed());
        let started = Instant::now();
        assert_eq!(get(a, "/api/v1/node", Some(&node.token)).status(), 200);
        admin.push(started.elapsed());
    }
    let mut hostile = Vec::new();
    for t in attackers {
        for (status, took) in t.join().unwrap() {
            assert!(status == 422 || status == 503, "hostile verify answered {status}");
            hostile.push(took);
        }
    }
    println!(
        "during 8×5 hostile verifications: /healthz max {:?}, /api/v1/node max {:?}, hostile answer max {:?}",
        health.iter().max().unwrap(),
        admin.iter().max().unwrap(),
        hostile.iter().max().unwrap()
    );
    let answer: Value = Node::client()
        .post(format!("http://{a}/credentials/verify"))
        .json(&bomb)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(answer.to_string().contains("too complex"), "{answer}");
}
