//! A real Kannel (bearerbox + smsbox) on loopback for the `kannel*` tests, with the test
//! itself as the fake SMSC client.
//!
//! Each [`Kannel`] runs in its own temp dir with free ports, started in the order
//! Kannel needs (bearerbox, wait for its box port, smsbox, wait for sendsms) and stopped
//! by child handle, smsbox first (it re-executes itself when bearerbox vanishes).
#![allow(dead_code, reason = "each test file uses a part of the support")]

pub mod smpp;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use smsplan_provider::delivery::DeliveryState;
use smsplan_provider::gateway::Gateway;
use smsplan_provider::kannel::{
    CallbackListener, CallbackSecret, InboundNumbers, KannelConfig, KannelGateway, ListenerOptions,
};
use smsplan_provider::number::Msisdn;
use smsplan_provider::testing::{Content, Harness, ReceivedPart, Reporting};

const TEMPLATE: &str = include_str!("../kannel/kannel.conf.in");
const FAKE_SMSC: &str = include_str!("../kannel/smsc-fake.conf.in");
const SMPP_SMSC: &str = include_str!("../kannel/smsc-smpp.conf.in");

/// Which SMSC bearerbox talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Smsc {
    /// Kannel's fake SMSC: bearerbox listens on the port, the test connects.
    Fake,
    /// SMPP: the test listens on the port, bearerbox connects.
    Smpp,
}
pub const SECRET: &str = "t3st-callback-s3cret-0123";

/// The Kannel binaries.
#[derive(Debug, Clone)]
pub struct Bins {
    pub bearerbox: PathBuf,
    pub smsbox: PathBuf,
}

fn find(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("KANNEL_BIN_DIR")
        .map(|d| vec![PathBuf::from(d)])
        .unwrap_or_default();
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The binaries, or `None` after printing a visible notice. Under `CI` their absence
/// fails the test.
pub fn kannel_or_skip(test: &str) -> Option<Bins> {
    match (find("bearerbox"), find("smsbox")) {
        (Some(bearerbox), Some(smsbox)) => Some(Bins { bearerbox, smsbox }),
        _ if ci() => panic!(
            "{test}: Kannel's bearerbox/smsbox not found (PATH, /usr/sbin, KANNEL_BIN_DIR) \
             and CI is set: install the Debian package `kannel` \
             (apt-get install -y kannel)"
        ),
        _ => {
            // Written to the real stderr: libtest would swallow an eprintln! of a passing test.
            let _ = writeln!(
                std::io::stderr(),
                "\nSKIPPED {test}: Kannel's bearerbox/smsbox not found; \
                 install the Debian package `kannel` to run the Kannel tests\n"
            );
            None
        }
    }
}

/// A free loopback port below the ephemeral range (32768 and up on Linux), so that no
/// outgoing connection of a parallel test takes it between now and Kannel's bind;
/// handed out once per process.
pub fn free_port() -> u16 {
    static NEXT: std::sync::OnceLock<std::sync::atomic::AtomicU16> = std::sync::OnceLock::new();
    let next = NEXT.get_or_init(|| {
        let nanos = std::time::SystemTime::UNIX_EPOCH
            .elapsed()
            .map_or(0, |d| d.subsec_nanos());
        let spread = (std::process::id().wrapping_mul(7919) ^ nanos) % 10_000;
        std::sync::atomic::AtomicU16::new(20_000 + u16::try_from(spread).unwrap())
    });
    for _ in 0..2_000 {
        let port = next.fetch_add(1, Ordering::SeqCst);
        let port = if port >= 32_000 { port - 12_000 } else { port };
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in 20000-32000")
}

static DIRS: AtomicU32 = AtomicU32::new(0);

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "smsplan-kannel-{tag}-{}-{}",
        std::process::id(),
        DIRS.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out after {timeout:?} waiting for {what}");
}

fn port_open(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    )
    .is_ok()
}

/// Ports of one Kannel.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub admin: u16,
    pub bx: u16,
    /// The fake SMSC's port, or the test's SMPP server's.
    pub smsc: u16,
    pub sendsms: u16,
    pub callback: u16,
}

/// A running bearerbox + smsbox.
pub struct Kannel {
    pub dir: PathBuf,
    pub ports: Ports,
    bins: Bins,
    bearerbox: Option<Child>,
    smsbox: Option<Child>,
}

impl Kannel {
    /// Writes the configuration; starts nothing.
    pub fn configure(bins: Bins, tag: &str, ports: Ports, smsc: Smsc, mo_url: &str) -> Self {
        let dir = temp_dir(tag);
        let smsc_group = match smsc {
            Smsc::Fake => FAKE_SMSC.replace("{FAKE_PORT}", &ports.smsc.to_string()),
            Smsc::Smpp => SMPP_SMSC.replace("{SMPP_PORT}", &ports.smsc.to_string()),
        };
        let conf = TEMPLATE
            .replace("{SMSC}", &smsc_group)
            .replace("{ADMIN_PORT}", &ports.admin.to_string())
            .replace("{BOX_PORT}", &ports.bx.to_string())
            .replace("{SENDSMS_PORT}", &ports.sendsms.to_string())
            .replace("{MO_URL}", mo_url);
        std::fs::write(dir.join("kannel.conf"), conf).expect("write kannel.conf");
        Self {
            dir,
            ports,
            bins,
            bearerbox: None,
            smsbox: None,
        }
    }

    /// Spawns a box in the foreground (`-d` would chdir to /) and waits for its port.
    fn spawn(&self, bin: &Path, name: &str, port: u16) -> Child {
        let out = std::fs::File::create(self.dir.join(format!("{name}.stdout"))).expect("log");
        let err = out.try_clone().expect("log");
        let mut child = Command::new(bin)
            .args(["-v", "2", "kannel.conf"])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        wait_until(
            &format!("{name} port {port}"),
            Duration::from_secs(10),
            || {
                assert!(
                    child.try_wait().ok().flatten().is_none(),
                    "{name} exited; see {}",
                    self.dir.display()
                );
                port_open(port)
            },
        );
        child
    }

    /// Starts bearerbox, waits for its box port, then smsbox and its sendsms port:
    /// smsbox started first exits at once.
    pub fn start(&mut self) {
        let started = Instant::now();
        self.bearerbox = Some(self.spawn(&self.bins.bearerbox, "bearerbox", self.ports.bx));
        self.smsbox = Some(self.spawn(&self.bins.smsbox, "smsbox", self.ports.sendsms));
        // smsbox opens its sendsms port before it is connected to bearerbox, and a
        // sendsms in between makes it panic (`lock_out: Assertion conn != NULL`).
        wait_until(
            "smsbox connected to bearerbox",
            Duration::from_secs(10),
            || self.status().contains("(on-line"),
        );
        let _ = writeln!(
            std::io::stderr(),
            "kannel up in {} ms ({})",
            started.elapsed().as_millis(),
            self.dir.display()
        );
    }

    /// Graceful stop through the admin port (bearerbox tells smsbox to die), then waits
    /// for both; kills what is left after 10 s.
    pub fn stop(&mut self) {
        let _ = http_get(
            self.ports.admin,
            "/shutdown?password=smsplan-admin",
            Duration::from_secs(2),
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        for child in [&mut self.smsbox, &mut self.bearerbox] {
            if let Some(mut c) = child.take() {
                while c.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(20));
                }
                let _ = c.kill();
                let _ = c.wait();
            }
        }
    }

    /// Adds a line to the `core` group (before starting).
    pub fn add_core_setting(&self, line: &str) {
        let path = self.dir.join("kannel.conf");
        let conf = std::fs::read_to_string(&path).expect("kannel.conf");
        let conf = conf.replacen("group = core\n", &format!("group = core\n{line}\n"), 1);
        std::fs::write(path, conf).expect("kannel.conf");
    }

    /// bearerbox's status page.
    pub fn status(&self) -> String {
        http_get(
            self.ports.admin,
            "/status.txt?password=smsplan-status",
            Duration::from_secs(1),
        )
        .map(|(_, body)| body)
        .unwrap_or_default()
    }

    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }
}

impl Drop for Kannel {
    fn drop(&mut self) {
        // smsbox first, by handle: it must not outlive bearerbox.
        if let Some(mut s) = self.smsbox.take() {
            let _ = s.kill();
            let _ = s.wait();
        }
        if let Some(mut b) = self.bearerbox.take() {
            let _ = b.kill();
            let _ = b.wait();
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Waits until bearerbox reports its SMSC online.
pub fn wait_online(admin: u16) {
    wait_until("SMSC online", Duration::from_secs(10), || {
        http_get(
            admin,
            "/status.txt?password=smsplan-status",
            Duration::from_secs(1),
        )
        .is_some_and(|(_, body)| body.contains("(online"))
    });
}

/// A GET on loopback, returning status and body.
pub fn http_get(port: u16, target: &str, timeout: Duration) -> Option<(u16, String)> {
    let mut s =
        TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), timeout).ok()?;
    s.set_read_timeout(Some(timeout)).ok()?;
    write!(s, "GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let status = raw.split_whitespace().nth(1)?.parse().ok()?;
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

fn url_decode(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).expect("hex escape"));
            i += 3;
        } else if b[i] == b'+' {
            out.push(b' ');
            i += 1;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Parses one MT line of the fake SMSC protocol:
/// `from to text TEXT`, `from to data URL`, `from to ucs-2 URL`,
/// `from to udh URL-UDH data URL` (Kannel 1.4.5).
pub fn parse_mt(line: &str, seq: usize) -> Option<ReceivedPart> {
    let mut it = line.splitn(4, ' ');
    let _from = it.next()?;
    let to = it.next()?.to_owned();
    let kind = it.next()?;
    let rest = it.next().unwrap_or("");
    let (udh, content) = match kind {
        "text" => (Vec::new(), Content::Text(rest.to_owned())),
        "data" | "ucs-2" => (Vec::new(), Content::Bytes(url_decode(rest))),
        "udh" => {
            let mut f = rest.splitn(3, ' ');
            let udh = url_decode(f.next()?);
            let _kind = f.next()?;
            (udh, Content::Bytes(url_decode(f.next().unwrap_or(""))))
        }
        _ => return None,
    };
    Some(ReceivedPart {
        to,
        udh,
        content,
        handle: seq.to_string(),
    })
}

/// The test as the fake SMSC's one client: reads MTs into a list, writes MOs;
/// reconnects when bearerbox restarts.
pub struct FakeSmsc {
    received: Arc<Mutex<Vec<ReceivedPart>>>,
    writer: Arc<Mutex<Option<TcpStream>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeSmsc {
    pub fn connect(port: u16) -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let writer: Arc<Mutex<Option<TcpStream>>> = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, w, s) = (received.clone(), writer.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            while !s.load(Ordering::SeqCst) {
                let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200))
                else {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                };
                stream
                    .set_read_timeout(Some(Duration::from_millis(200)))
                    .expect("timeout");
                *w.lock().unwrap() = Some(stream.try_clone().expect("clone"));
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                loop {
                    if s.load(Ordering::SeqCst) {
                        return;
                    }
                    match reader.read_line(&mut line) {
                        Ok(0) => break,
                        Ok(_) if line.ends_with('\n') => {
                            let mut received = r.lock().unwrap();
                            let seq = received.len();
                            if let Some(p) = parse_mt(line.trim_end_matches(['\r', '\n']), seq) {
                                received.push(p);
                            }
                            line.clear();
                        }
                        Ok(_) => {}
                        Err(e)
                            if matches!(
                                e.kind(),
                                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                            ) => {}
                        Err(_) => break,
                    }
                }
                *w.lock().unwrap() = None;
            }
        });
        Self {
            received,
            writer,
            stop,
            thread: Some(thread),
        }
    }

    pub fn received(&self) -> Vec<ReceivedPart> {
        self.received.lock().unwrap().clone()
    }

    /// Writes one MO line; waits up to 5 s for the connection.
    pub fn send_mo(&self, from: &str, to: &str, text: &str) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(stream) = self.writer.lock().unwrap().as_mut() {
                return stream
                    .write_all(format!("{from} {to} text {text}\n").as_bytes())
                    .map_err(|e| e.to_string());
            }
            if Instant::now() > deadline {
                return Err("fake SMSC not connected".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for FakeSmsc {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Everything a Kannel test needs: Kannel, the adapter, its listener, the fake SMSC.
pub struct Rig {
    pub gateway: Arc<KannelGateway>,
    pub listener: CallbackListener,
    pub smsc: FakeSmsc,
    pub kannel: Kannel,
}

/// Ports, adapter configuration, listener; Kannel with the fake SMSC configured but
/// not started.
pub fn prepare(bins: Bins, tag: &str) -> (KannelGateway, CallbackListener, Kannel) {
    prepare_with(bins, tag, Smsc::Fake, free_port())
}

/// The same with a chosen SMSC on `smsc_port`.
pub fn prepare_with(
    bins: Bins,
    tag: &str,
    smsc: Smsc,
    smsc_port: u16,
) -> (KannelGateway, CallbackListener, Kannel) {
    let ports = Ports {
        admin: free_port(),
        bx: free_port(),
        smsc: smsc_port,
        sendsms: free_port(),
        callback: free_port(),
    };
    let config = KannelConfig::new(
        &format!("http://127.0.0.1:{}/cgi-bin/sendsms", ports.sendsms),
        "smsplan",
        "smsplan-sendsms",
        &format!("http://127.0.0.1:{}/smsplan", ports.callback),
        CallbackSecret::new(SECRET).unwrap(),
    )
    .unwrap()
    .with_timeout(Duration::from_secs(5))
    .with_inbound_numbers(InboundNumbers::InternationalWithoutPlus);
    let gateway = KannelGateway::new(config);
    let listener = CallbackListener::start(
        gateway.callbacks(),
        ListenerOptions::default().bind_to(SocketAddr::from(([127, 0, 0, 1], ports.callback))),
    )
    .expect("callback listener");
    let kannel = Kannel::configure(
        bins,
        tag,
        ports,
        smsc,
        &gateway.config().sms_service_get_url(),
    );
    (gateway, listener, kannel)
}

/// A started rig with the fake SMSC online.
pub fn rig(bins: Bins, tag: &str) -> Rig {
    let (gateway, listener, mut kannel) = prepare(bins, tag);
    kannel.start();
    let smsc = FakeSmsc::connect(kannel.ports.smsc);
    wait_online(kannel.ports.admin);
    Rig {
        gateway: Arc::new(gateway),
        listener,
        smsc,
        kannel,
    }
}

impl Harness for Rig {
    fn gateway(&self) -> &dyn Gateway {
        &*self.gateway
    }

    fn received(&self) -> Vec<ReceivedPart> {
        self.smsc.received()
    }

    fn report(&self, _part: &ReceivedPart, state: DeliveryState) -> Reporting {
        match state {
            // The fake SMSC reports every MT delivered by itself.
            DeliveryState::Delivered => Reporting::Automatic,
            // It cannot fail a delivery: the SMPP rig covers failures.
            _ => Reporting::Unsupported,
        }
    }

    fn inject_inbound(&self, from: &Msisdn, to: &Msisdn, text: &str) -> Result<(), String> {
        self.smsc.send_mo(from.as_str(), to.as_str(), text)
    }
}

/// Counts of values, for "exactly once" assertions.
pub fn counts<T: std::hash::Hash + Eq>(items: impl IntoIterator<Item = T>) -> HashMap<T, usize> {
    let mut map = HashMap::new();
    for i in items {
        *map.entry(i).or_insert(0) += 1;
    }
    map
}

/// The text of a part as the SMSC saw it (7-bit parts come as UTF-8).
pub fn text_of(part: &ReceivedPart) -> String {
    match &part.content {
        Content::Text(t) => t.clone(),
        Content::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

/// Kannel with an SMPP link to the test's SMSC, which can report failures.
pub struct SmppRig {
    pub gateway: Arc<KannelGateway>,
    pub listener: CallbackListener,
    pub smsc: smpp::SmppServer,
    pub kannel: Kannel,
}

pub fn smpp_rig(bins: Bins, tag: &str) -> SmppRig {
    let smsc = smpp::SmppServer::start();
    let (gateway, listener, mut kannel) = prepare_with(bins, tag, Smsc::Smpp, smsc.port);
    kannel.start();
    wait_online(kannel.ports.admin);
    SmppRig {
        gateway: Arc::new(gateway),
        listener,
        smsc,
        kannel,
    }
}

/// The receipt status of a state.
pub fn stat(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Delivered => "DELIVRD",
        DeliveryState::Expired => "EXPIRED",
        DeliveryState::Rejected => "REJECTD",
        _ => "UNDELIV",
    }
}

impl Harness for SmppRig {
    fn gateway(&self) -> &dyn Gateway {
        &*self.gateway
    }

    fn received(&self) -> Vec<ReceivedPart> {
        self.smsc
            .submitted()
            .into_iter()
            .map(|s| ReceivedPart {
                to: s.destination.clone(),
                udh: s.udh().to_vec(),
                content: Content::Bytes(s.payload().to_vec()),
                handle: s.id.to_string(),
            })
            .collect()
    }

    fn report(&self, part: &ReceivedPart, state: DeliveryState) -> Reporting {
        let Some(sm) = self
            .smsc
            .submitted()
            .into_iter()
            .find(|s| s.id.to_string() == part.handle)
        else {
            return Reporting::Failed(format!("no submit_sm {}", part.handle));
        };
        // Kannel stores the report entry when it reads our submit_sm_resp; a receipt
        // that overtakes it is answered "not found" and lost.
        std::thread::sleep(Duration::from_millis(300));
        match self.smsc.receipt(&sm, stat(state), "034") {
            Ok(()) => Reporting::Requested,
            Err(e) => Reporting::Failed(e),
        }
    }

    fn inject_inbound(&self, from: &Msisdn, to: &Msisdn, text: &str) -> Result<(), String> {
        self.smsc.inbound(from.as_str(), to.as_str(), text)
    }
}
