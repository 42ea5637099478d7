//! The bundled callback listener: [`CallbackHandler`] served by hyper's HTTP/1 server on a
//! small tokio runtime of its own (one thread), bound to loopback unless told otherwise.
//!
//! Limits, each answered without side effects:
//!
//! | limit | option | answer |
//! |---|---|---|
//! | the whole exchange (request head, body, answer) | [`ListenerOptions::request_timeout`] | connection closed |
//! | request head (request line and headers) | [`ListenerOptions::max_head_bytes`] | 431 |
//! | request body | [`ListenerOptions::max_body_bytes`] | 413 |
//! | malformed HTTP, conflicting `Content-Length` | — | 400 |
//! | authenticated requests per second | [`ListenerOptions::max_requests_per_second`] | 429 |
//! | other requests per second (no or wrong secret) | [`ListenerOptions::max_unauthenticated_per_second`] | 429 |
//! | connections open at once | [`ListenerOptions::max_connections`] | 503 |
//!
//! Each connection is a task, so a slow client holds nothing but its own socket, and only
//! until its deadline. The secret is checked before a request is charged to a budget: a
//! flood without the secret spends only the unauthenticated budget, never the one genuine
//! callbacks use. Every exchange is one request (`Connection: close`), as smsbox expects.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;

use super::callback::CallbackHandler;
use crate::pacing::{Admission, TokenBucket};
use crate::sender::Capacity;

/// How the bundled listener binds and limits.
///
/// ```
/// use std::time::Duration;
/// use smsplan_provider::kannel::ListenerOptions;
/// let options = ListenerOptions::default();
/// assert!(options.bind.ip().is_loopback());
/// assert_eq!(options.request_timeout, Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListenerOptions {
    /// Address to bind. Default `127.0.0.1:0` (loopback, any free port).
    pub bind: SocketAddr,
    /// Largest request head (request line and headers), in bytes; 431 beyond. Default
    /// 8 KiB.
    pub max_head_bytes: usize,
    /// Largest request body, in bytes; 413 beyond (callbacks carry everything in the
    /// query). Default 8 KiB.
    pub max_body_bytes: usize,
    /// Requests carrying the right secret per second before answering 429. Default 5,000.
    pub max_requests_per_second: u32,
    /// Requests without the right secret per second before answering 429; a separate
    /// budget, so that they cannot starve genuine callbacks. Default 50.
    pub max_unauthenticated_per_second: u32,
    /// Connections served at once; 503 beyond. Default 1,024.
    pub max_connections: usize,
    /// Deadline of a whole exchange, from the accepted connection to the answer
    /// written; the connection is closed when it passes. Default 5 s.
    pub request_timeout: Duration,
}

impl Default for ListenerOptions {
    fn default() -> Self {
        Self {
            bind: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)),
            max_head_bytes: 8 * 1024,
            max_body_bytes: 8 * 1024,
            max_requests_per_second: 5_000,
            max_unauthenticated_per_second: 50,
            max_connections: 1_024,
            request_timeout: Duration::from_secs(5),
        }
    }
}

impl ListenerOptions {
    /// Binds to `addr` instead of loopback (e.g. when smsbox runs on another host).
    ///
    /// ```
    /// use std::net::SocketAddr;
    /// use smsplan_provider::kannel::ListenerOptions;
    /// let options = ListenerOptions::default().bind_to(SocketAddr::from(([127, 0, 0, 1], 14080)));
    /// assert_eq!(options.bind.port(), 14080);
    /// ```
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
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

#[expect(
    clippy::disallowed_methods,
    reason = "the listener is the I/O edge: it stamps callbacks with the reception time"
)]
fn wall_clock() -> DateTime<Utc> {
    DateTime::<Utc>::from(SystemTime::now())
}

/// What every connection task shares.
#[derive(Debug)]
struct Shared {
    handler: CallbackHandler,
    options: ListenerOptions,
    authenticated: Mutex<TokenBucket>,
    unauthenticated: Mutex<TokenBucket>,
}

fn bucket(per_second: u32, now: DateTime<Utc>) -> TokenBucket {
    // A budget of 0 admits nothing: one token per second is the least `Capacity` allows,
    // and a request then waits for it, so the caller answers 429.
    let rate = Capacity::per_second(per_second.max(1))
        .unwrap_or_else(|_| Capacity::default_for(crate::sender::SenderKind::ShortCode));
    TokenBucket::new(rate, rate.parts_per_second().get(), now)
}

impl CallbackListener {
    /// Binds and starts serving `handler` on a thread of its own.
    ///
    /// # Errors
    /// The bind error (address in use, permission…), or the failure to start the
    /// listener's thread or runtime.
    pub fn start(handler: CallbackHandler, options: ListenerOptions) -> std::io::Result<Self> {
        let listener = TcpListener::bind(options.bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let now = wall_clock();
        let shared = Arc::new(Shared {
            authenticated: Mutex::new(bucket(options.max_requests_per_second, now)),
            unauthenticated: Mutex::new(bucket(options.max_unauthenticated_per_second, now)),
            handler,
            options,
        });
        let (stop, stopped) = oneshot::channel();
        // Register the socket with the runtime here, so that its errors reach the caller.
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let thread = std::thread::Builder::new()
            .name("smsplan-callback".into())
            .spawn(move || runtime.block_on(accept(listener, shared, stopped)))?;
        Ok(Self {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The bound address (with the port chosen when binding port 0).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets the exchanges in hand finish (each within its deadline) and
    /// joins the listener's thread.
    pub fn shutdown(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for CallbackListener {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

async fn accept(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(shared.options.max_connections.max(1)));
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => accepted,
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let Ok((stream, _peer)) = accepted else {
            // Out of file descriptors and the like: wait a little instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let slot = Arc::clone(&slots).try_acquire_owned().ok();
        let shared = Arc::clone(&shared);
        connections.spawn(async move {
            let busy = slot.is_none();
            serve_connection(stream, &shared, busy).await;
            drop(slot);
        });
    }
    drop(listener);
    // Finish the exchanges in hand; each ends by its own deadline.
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(stream: tokio::net::TcpStream, shared: &Arc<Shared>, busy: bool) {
    let options = &shared.options;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.keep_alive(false)
        .header_read_timeout(None)
        .max_header_size(options.max_head_bytes.max(1))
        .max_buf_size(options.max_head_bytes.max(8 * 1024) + 1024);
    let service = service_fn(|request| {
        let shared = Arc::clone(shared);
        async move { Ok::<_, Infallible>(answer(request, &shared, busy).await) }
    });
    let exchange = http.serve_connection(TokioIo::new(stream), service);
    let deadline = if busy {
        options.request_timeout.min(Duration::from_secs(1))
    } else {
        options.request_timeout
    };
    match tokio::time::timeout(deadline, exchange).await {
        // Hyper answered a request it could not parse itself (400 for malformed HTTP and
        // conflicting lengths, 431 for a head too large): count it like ours.
        Ok(Err(error)) if error.is_parse() || error.is_parse_too_large() => {
            shared.handler.count_malformed();
        }
        // Done, the client went away, or the deadline passed (dropping the exchange
        // closes the connection).
        Ok(_) | Err(_) => {}
    }
}

async fn answer(request: Request<Incoming>, shared: &Shared, busy: bool) -> Response<Full<Bytes>> {
    let handler = &shared.handler;
    if busy {
        handler.counters.overflowed.fetch_add(1, Ordering::Relaxed);
        return respond(StatusCode::SERVICE_UNAVAILABLE);
    }
    let method = request.method().as_str().to_owned();
    let target = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    // The secret first: a request is charged to the budget of its kind.
    let budget = if handler.authenticates(&target) {
        &shared.authenticated
    } else {
        &shared.unauthenticated
    };
    let admitted = budget
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .try_acquire(1, wall_clock())
        == Admission::Now;
    if !admitted {
        handler
            .counters
            .rate_limited
            .fetch_add(1, Ordering::Relaxed);
        return respond(StatusCode::TOO_MANY_REQUESTS);
    }
    let max_body = shared.options.max_body_bytes;
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > u64::try_from(max_body).unwrap_or(u64::MAX)) {
        handler.count_malformed();
        return respond(StatusCode::PAYLOAD_TOO_LARGE);
    }
    // Callbacks carry everything in the query; a body is read (within its limit) and
    // dropped.
    if let Err(error) = Limited::new(request.into_body(), max_body).collect().await {
        handler.count_malformed();
        let status = if error.is::<http_body_util::LengthLimitError>() {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        return respond(status);
    }
    let status = handler.handle(&method, &target, wall_clock()).status;
    respond(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
}

/// An empty answer: smsbox turns an `sms-service` answer body into a reply SMS.
fn respond(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}
