//! The bundled callback listener: a small threaded HTTP server for
//! [`CallbackHandler`], bound to loopback unless told otherwise.
//!
//! Limits: request head and body at most [`ListenerOptions::max_request_bytes`] each
//! (413 beyond), a token bucket of [`ListenerOptions::max_requests_per_second`] (429
//! beyond, and smsbox retries), [`ListenerOptions::workers`] threads fed by a bounded
//! queue (503 when it is full), and a read timeout against slow clients.

use std::io::BufReader;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};

use super::callback::CallbackHandler;
use super::http::{ReadError, read_request, respond};
use crate::pacing::{Admission, TokenBucket};
use crate::sender::Capacity;

/// How the bundled listener binds and limits.
///
/// ```
/// use smsplan_provider::kannel::ListenerOptions;
/// let options = ListenerOptions::default();
/// assert!(options.bind.ip().is_loopback());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListenerOptions {
    /// Address to bind. Default `127.0.0.1:0` (loopback, any free port).
    pub bind: SocketAddr,
    /// Largest request head (and body) accepted, in bytes. Default 8 KiB.
    pub max_request_bytes: usize,
    /// Requests per second before answering 429. Default 5,000.
    pub max_requests_per_second: u32,
    /// Worker threads. Default 8.
    pub workers: usize,
    /// Read timeout per connection. Default 5 s.
    pub read_timeout: Duration,
}

impl Default for ListenerOptions {
    fn default() -> Self {
        Self {
            bind: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)),
            max_request_bytes: 8 * 1024,
            max_requests_per_second: 5_000,
            workers: 8,
            read_timeout: Duration::from_secs(5),
        }
    }
}

impl ListenerOptions {
    /// Binds to `addr` instead of loopback (e.g. when smsbox runs on another host).
    #[must_use]
    pub fn bind_to(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }
}

/// A running listener; stops when shut down or dropped.
///
/// ```
/// use smsplan_provider::kannel::{
///     CallbackListener, CallbackSecret, KannelConfig, KannelGateway, ListenerOptions,
/// };
/// let config = KannelConfig::new(
///     "http://127.0.0.1:13013/cgi-bin/sendsms", "smsplan", "pw",
///     "http://127.0.0.1:14080", CallbackSecret::new("0123456789abcdef")?,
/// )?;
/// let gateway = KannelGateway::new(config);
/// let listener = CallbackListener::start(gateway.callbacks(), ListenerOptions::default())?;
/// assert!(listener.local_addr().ip().is_loopback());
/// listener.shutdown();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CallbackListener {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

#[expect(
    clippy::disallowed_methods,
    reason = "the listener is the I/O edge: it stamps callbacks with the reception time"
)]
fn wall_clock() -> DateTime<Utc> {
    DateTime::<Utc>::from(SystemTime::now())
}

impl CallbackListener {
    /// Binds and starts serving `handler`.
    ///
    /// # Errors
    /// The bind error (address in use, permission…).
    pub fn start(handler: CallbackHandler, options: ListenerOptions) -> std::io::Result<Self> {
        let listener = TcpListener::bind(options.bind)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let workers = options.workers.max(1);
        let (tx, rx) = sync_channel::<TcpStream>(1024);
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::with_capacity(workers + 1);
        for n in 0..workers {
            let rx = Arc::clone(&rx);
            let handler = handler.clone();
            let options = options.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("smsplan-callback-{n}"))
                    .spawn(move || work(&rx, &handler, &options))?,
            );
        }
        let accept_stop = Arc::clone(&stop);
        threads.push(
            std::thread::Builder::new()
                .name("smsplan-callback-accept".into())
                .spawn(move || accept(&listener, &tx, &handler, &options, &accept_stop))?,
        );
        Ok(Self {
            addr,
            stop,
            threads,
        })
    }

    /// The bound address (with the port chosen when binding port 0).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, finishes the requests in hand and joins the threads.
    pub fn shutdown(mut self) {
        self.stop_threads();
    }

    fn stop_threads(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop; it sees the flag and drops the queue, ending the workers.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for CallbackListener {
    fn drop(&mut self) {
        if !self.threads.is_empty() {
            self.stop_threads();
        }
    }
}

fn accept(
    listener: &TcpListener,
    tx: &SyncSender<TcpStream>,
    handler: &CallbackHandler,
    options: &ListenerOptions,
    stop: &AtomicBool,
) {
    let rate = Capacity::per_second(options.max_requests_per_second)
        .unwrap_or_else(|_| Capacity::default_for(crate::sender::SenderKind::ShortCode));
    let mut bucket = TokenBucket::new(rate, rate.parts_per_second().get(), wall_clock());
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        if bucket.try_acquire(1, wall_clock()) != Admission::Now {
            handler
                .counters
                .rate_limited
                .fetch_add(1, Ordering::Relaxed);
            let _ = respond(&stream, 429, "");
            continue;
        }
        match tx.try_send(stream) {
            Ok(()) => {}
            Err(TrySendError::Full(stream)) => {
                handler.counters.overflowed.fetch_add(1, Ordering::Relaxed);
                let _ = respond(&stream, 503, "");
            }
            Err(TrySendError::Disconnected(_)) => break,
        }
    }
}

fn work(rx: &Mutex<Receiver<TcpStream>>, handler: &CallbackHandler, options: &ListenerOptions) {
    loop {
        let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(stream) = next else { return };
        serve(&stream, handler, options);
    }
}

fn serve(stream: &TcpStream, handler: &CallbackHandler, options: &ListenerOptions) {
    if stream.set_read_timeout(Some(options.read_timeout)).is_err()
        || stream
            .set_write_timeout(Some(options.read_timeout))
            .is_err()
    {
        return;
    }
    let mut reader = BufReader::new(stream);
    let status = match read_request(&mut reader, options.max_request_bytes) {
        Ok(head) => {
            handler
                .handle(&head.method, &head.target, wall_clock())
                .status
        }
        Err(ReadError::TooLarge) => {
            handler.count_malformed();
            413
        }
        Err(ReadError::Malformed) => {
            handler.count_malformed();
            400
        }
        Err(ReadError::Io) => return,
    };
    let _ = respond(stream, status, "");
}
