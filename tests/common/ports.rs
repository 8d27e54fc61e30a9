//! Ports for the real daemons the tests start on 127.0.0.1.
//!
//! A port handed out by binding port 0 comes from the kernel's ephemeral range, which outbound
//! connections also draw from: between choosing it and the daemon binding it, another test's
//! client may take it. Ports are drawn at random below that range (Linux starts it at 32768)
//! instead, and checked free for TCP and, for cluster gossip, UDP too.

use std::net::{TcpListener, UdpSocket};

pub fn free_port(udp: bool) -> u16 {
    for _ in 0..1000 {
        let port = rand::random_range(20_000..32_000);
        let tcp_free = TcpListener::bind(("127.0.0.1", port)).is_ok();
        if tcp_free && (!udp || UdpSocket::bind(("127.0.0.1", port)).is_ok()) {
            return port;
        }
    }
    panic!("no free port on 127.0.0.1 between 20000 and 32000");
}
