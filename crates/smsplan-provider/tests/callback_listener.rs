//! The bundled callback listener over real TCP: loopback by default, size and rate caps,
//! 400 on malformed requests and 403 on a wrong secret, all without side effects; slow
//! clients, forged floods and conflicting lengths cannot delay or refuse genuine callbacks.
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
use std::thread;
use std::time::{Duration, Instant};

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
    // Hyper answers a head over the limit itself, with the status made for it.
    assert_eq!(exchange(addr, huge.as_bytes()), 431);
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

fn dlr(id: &str) -> String {
    format!("/cb/dlr?k={SECRET}&id={id}&part=1&type=1&reply=&fid=&err=&ts=")
}

/// Opens a connection that sends a request head one byte at a time, every `every`.
fn slow_client(addr: SocketAddr, every: Duration) -> thread::JoinHandle<Duration> {
    thread::spawn(move || {
        let started = Instant::now();
        let mut s = TcpStream::connect(addr).unwrap();
        for b in b"GET /cb/dlr?k=".iter().cycle().take(200) {
            if s.write_all(&[*b]).is_err() {
                break;
            }
            thread::sleep(every);
        }
        // Closed by the listener: reads give EOF or an error.
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        started.elapsed()
    })
}

#[test]
fn slow_clients_do_not_delay_a_genuine_callback_and_are_cut_at_the_deadline() {
    let g = gateway();
    let mut options = ListenerOptions::default();
    options.request_timeout = Duration::from_secs(1);
    let listener = CallbackListener::start(g.callbacks(), options).unwrap();
    let addr = listener.local_addr();
    let slow: Vec<_> = (0..8)
        .map(|_| slow_client(addr, Duration::from_millis(300)))
        .collect();
    thread::sleep(Duration::from_millis(200));
    for i in 0..5 {
        let started = Instant::now();
        assert_eq!(get(addr, &dlr(&format!("slow-{i}"))), 200);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "a genuine callback waited {:?} behind slow clients",
            started.elapsed()
        );
    }
    for handle in slow {
        let lasted = handle.join().unwrap();
        // One byte every 300 ms would keep a per-read timeout alive for a minute: the
        // whole-request deadline closes the connection after 1 s.
        assert!(
            lasted < Duration::from_secs(3),
            "a slow client was served for {lasted:?}"
        );
    }
    assert_eq!(g.poll_events(100).len(), 5);
    listener.shutdown();
}

#[test]
fn a_forged_flood_does_not_rate_limit_genuine_callbacks() {
    let g = gateway();
    // A budget that 200 forged requests would exhaust if they shared it.
    let mut options = ListenerOptions::default();
    options.max_requests_per_second = 100;
    let listener = CallbackListener::start(g.callbacks(), options).unwrap();
    let addr = listener.local_addr();
    let forged: Vec<u16> = (0..200)
        .map(|i| {
            get(
                addr,
                &format!("/cb/dlr?k=forged-secret-000000&id=f-{i}&part=1&type=1"),
            )
        })
        .collect();
    assert!(forged.iter().all(|s| *s == 403 || *s == 429), "{forged:?}");
    assert!(forged.contains(&429), "the unauthenticated budget is spent");
    for i in 0..20 {
        assert_eq!(
            get(addr, &dlr(&format!("g-{i}"))),
            200,
            "genuine callback {i}"
        );
    }
    let stats = g.callbacks().stats();
    assert_eq!(stats.applied, 20);
    assert_eq!(
        stats.forbidden + stats.rate_limited,
        200,
        "{stats:?}: every forged request refused"
    );
    assert_eq!(g.poll_events(100).len(), 20);
    listener.shutdown();
}

#[test]
fn conflicting_content_lengths_are_refused() {
    let g = gateway();
    let listener = CallbackListener::start(g.callbacks(), ListenerOptions::default()).unwrap();
    let addr = listener.local_addr();
    let target = dlr("cl-1");
    let smuggled = format!(
        "POST {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc"
    );
    assert_eq!(exchange(addr, smuggled.as_bytes()), 400);
    let doubled = format!("POST {target} HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\nabc");
    assert_eq!(exchange(addr, doubled.as_bytes()), 400);
    // The same length twice is one length.
    let same =
        format!("POST {target} HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
    assert_eq!(exchange(addr, same.as_bytes()), 200);
    assert_eq!(g.poll_events(10).len(), 1);
    assert_eq!(g.callbacks().stats().malformed, 2);
    listener.shutdown();
}

#[test]
fn oversize_heads_and_bodies_are_refused() {
    let g = gateway();
    let listener = CallbackListener::start(g.callbacks(), ListenerOptions::default()).unwrap();
    let addr = listener.local_addr();
    let target = dlr("big-1");
    let headers: String = (0..200)
        .map(|i| format!("X-Pad-{i}: {}\r\n", "p".repeat(60)))
        .collect();
    let big_head = format!("GET {target} HTTP/1.1\r\n{headers}\r\n");
    assert_eq!(exchange(addr, big_head.as_bytes()), 431);
    // A chunked body announces no length: the limit applies as it is read.
    let chunk = "C".repeat(4096);
    let chunks: String = (0..4).map(|_| format!("1000\r\n{chunk}\r\n")).collect();
    let chunked =
        format!("POST {target} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}0\r\n\r\n");
    assert_eq!(exchange(addr, chunked.as_bytes()), 413);
    let small = format!("POST {target} HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!(exchange(addr, small.as_bytes()), 200);
    assert_eq!(g.poll_events(10).len(), 1);
    assert_eq!(g.callbacks().stats().malformed, 2);
    listener.shutdown();
}

#[test]
fn connections_beyond_the_cap_get_503() {
    let g = gateway();
    let mut options = ListenerOptions::default();
    options.max_connections = 2;
    options.request_timeout = Duration::from_secs(2);
    let listener = CallbackListener::start(g.callbacks(), options).unwrap();
    let addr = listener.local_addr();
    let held: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /cb").unwrap();
            s
        })
        .collect();
    thread::sleep(Duration::from_millis(200));
    assert_eq!(get(addr, &dlr("over-1")), 503);
    drop(held);
    thread::sleep(Duration::from_millis(200));
    assert_eq!(get(addr, &dlr("over-2")), 200);
    let stats = g.callbacks().stats();
    assert_eq!((stats.overflowed, stats.applied), (1, 1));
    listener.shutdown();
}
