//! The bundled callback listener over real TCP: loopback by default, size and rate caps,
//! 400 on malformed requests and 403 on a wrong secret, all without side effects.
#![cfg(feature = "kannel")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use smsplan_provider::gateway::{Gateway, GatewayEvent};
use smsplan_provider::kannel::{
    CallbackListener, CallbackSecret, KannelConfig, KannelGateway, ListenerOptions,
};

const SECRET: &str = "listener-test-secret-42";

fn gateway() -> KannelGateway {
    KannelGateway::new(
        KannelConfig::new(
            "http://127.0.0.1:9/cgi-bin/sendsms",
            "u",
            "p",
            "http://127.0.0.1:9/cb",
            CallbackSecret::new(SECRET).unwrap(),
        )
        .unwrap(),
    )
}

fn exchange(addr: SocketAddr, raw: &[u8]) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    // The server may answer and close before reading everything of a large request.
    let _ = s.write_all(raw);
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn get(addr: SocketAddr, target: &str) -> u16 {
    exchange(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    )
}

#[test]
fn listener_binds_loopback_and_applies_only_authenticated_well_formed_callbacks() {
    let g = gateway();
    let listener = CallbackListener::start(g.callbacks(), ListenerOptions::default()).unwrap();
    let addr = listener.local_addr();
    assert!(addr.ip().is_loopback());

    let dlr = format!("/cb/dlr?k={SECRET}&id=m-1&part=1&type=1&reply=&fid=&err=&ts=");
    assert_eq!(get(addr, &dlr), 200);
    assert_eq!(get(addr, &dlr), 200, "a repeat is answered 200");
    assert_eq!(
        get(addr, &dlr.replace(SECRET, "listener-test-secret-43")),
        403
    );
    assert_eq!(get(addr, "/cb/dlr?id=m-2&part=1&type=1"), 403);
    assert_eq!(
        get(addr, &format!("/cb/dlr?k={SECRET}&id=m-3&part=x&type=1")),
        400
    );
    assert_eq!(exchange(addr, b"NONSENSE\r\n\r\n"), 400);
    assert_eq!(exchange(addr, b"GET / HTTP/2\r\n\r\n"), 400);
    let huge = format!(
        "GET /cb/mo?k={SECRET}&text={} HTTP/1.1\r\n\r\n",
        "A".repeat(20_000)
    );
    assert_eq!(exchange(addr, huge.as_bytes()), 413);
    let big_body = format!(
        "POST /cb/mo?k={SECRET} HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n{}",
        "B".repeat(100)
    );
    assert_eq!(exchange(addr, big_body.as_bytes()), 413);

    let events = g.poll_events(100);
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(matches!(&events[0], GatewayEvent::Delivery(r) if r.message.as_str() == "m-1"));
    let stats = g.callbacks().stats();
    assert_eq!((stats.applied, stats.duplicates), (1, 1));
    assert_eq!(stats.forbidden, 2);
    assert_eq!(stats.malformed, 5);
    listener.shutdown();
}

#[test]
fn listener_caps_the_request_rate() {
    let g = gateway();
    let mut options = ListenerOptions::default();
    options.max_requests_per_second = 5;
    let listener = CallbackListener::start(g.callbacks(), options).unwrap();
    let addr = listener.local_addr();
    let statuses: Vec<u16> = (0..20)
        .map(|i| get(addr, &format!("/cb/dlr?k={SECRET}&id=r-{i}&part=1&type=1")))
        .collect();
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(ok + limited, 20, "{statuses:?}");
    assert!((5..=8).contains(&ok), "{statuses:?}");
    assert_eq!(g.callbacks().stats().rate_limited, limited as u64);
    assert_eq!(g.poll_events(100).len(), ok);
}
