//! A minimal SMPP 3.4 SMSC for the Kannel tests: accepts bearerbox's connection on
//! loopback, answers binds, enquire_links and submit_sms (decimal message ids), and
//! sends deliver_sm receipts and inbound messages on request.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

const BIND_RECEIVER: u32 = 0x0000_0001;
const BIND_TRANSMITTER: u32 = 0x0000_0002;
const SUBMIT_SM: u32 = 0x0000_0004;
const DELIVER_SM: u32 = 0x0000_0005;
const UNBIND: u32 = 0x0000_0006;
const BIND_TRANSCEIVER: u32 = 0x0000_0009;
const ENQUIRE_LINK: u32 = 0x0000_0015;
const RESP: u32 = 0x8000_0000;

/// One submit_sm as the SMSC received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The id we answered.
    pub id: u32,
    pub source: String,
    pub destination: String,
    pub esm_class: u8,
    pub data_coding: u8,
    pub registered_delivery: u8,
    pub short_message: Vec<u8>,
}

impl Submitted {
    /// The UDH (length octet included) when esm_class says there is one.
    pub fn udh(&self) -> &[u8] {
        if self.esm_class & 0x40 == 0 {
            return &[];
        }
        let len = usize::from(self.short_message.first().copied().unwrap_or(0)) + 1;
        &self.short_message[..len.min(self.short_message.len())]
    }

    pub fn payload(&self) -> &[u8] {
        &self.short_message[self.udh().len()..]
    }
}

fn cstring(body: &[u8], at: &mut usize) -> String {
    let end = body[*at..]
        .iter()
        .position(|b| *b == 0)
        .map_or(body.len(), |p| *at + p);
    let s = String::from_utf8_lossy(&body[*at..end]).into_owned();
    *at = (end + 1).min(body.len());
    s
}

fn parse_submit(id: u32, body: &[u8]) -> Submitted {
    let mut at = 0;
    let _service_type = cstring(body, &mut at);
    at += 2; // source ton, npi
    let source = cstring(body, &mut at);
    at += 2; // dest ton, npi
    let destination = cstring(body, &mut at);
    let esm_class = body[at];
    at += 3; // esm_class, protocol_id, priority_flag
    let _schedule = cstring(body, &mut at);
    let _validity = cstring(body, &mut at);
    let registered_delivery = body[at];
    let data_coding = body[at + 2];
    let len = usize::from(body[at + 4]);
    at += 5;
    let mut short_message = body[at..at + len].to_vec();
    at += len;
    // message_payload TLV (0x0424) replaces an empty short_message.
    while at + 4 <= body.len() {
        let tag = u16::from_be_bytes([body[at], body[at + 1]]);
        let l = usize::from(u16::from_be_bytes([body[at + 2], body[at + 3]]));
        if tag == 0x0424 {
            short_message = body[at + 4..at + 4 + l].to_vec();
        }
        at += 4 + l;
    }
    Submitted {
        id,
        source,
        destination,
        esm_class,
        data_coding,
        registered_delivery,
        short_message,
    }
}

fn pdu(command: u32, status: u32, seq: u32, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(16 + body.len()).unwrap();
    let mut out = Vec::with_capacity(16 + body.len());
    for v in [len, command, status, seq] {
        out.extend(v.to_be_bytes());
    }
    out.extend_from_slice(body);
    out
}

/// The SMSC. Dropping it stops the accept thread.
pub struct SmppServer {
    pub port: u16,
    submitted: Arc<Mutex<Vec<Submitted>>>,
    writer: Arc<Mutex<Option<TcpStream>>>,
    seq: Arc<AtomicU32>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SmppServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let submitted = Arc::new(Mutex::new(Vec::new()));
        let writer: Arc<Mutex<Option<TcpStream>>> = Arc::new(Mutex::new(None));
        let seq = Arc::new(AtomicU32::new(1));
        let stop = Arc::new(AtomicBool::new(false));
        let (sub, w, s) = (submitted.clone(), writer.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let next_id = AtomicU32::new(1001);
            while !s.load(Ordering::SeqCst) {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_millis(200)))
                    .unwrap();
                *w.lock().unwrap() = Some(stream.try_clone().unwrap());
                serve(stream, &sub, &w, &s, &next_id);
                *w.lock().unwrap() = None;
            }
        });
        Self {
            port,
            submitted,
            writer,
            seq,
            stop,
            thread: Some(thread),
        }
    }

    pub fn submitted(&self) -> Vec<Submitted> {
        self.submitted.lock().unwrap().clone()
    }

    fn send(&self, command: u32, body: &[u8]) -> Result<(), String> {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst);
        let mut guard = self.writer.lock().unwrap();
        let stream = guard.as_mut().ok_or("no SMPP client connected")?;
        stream
            .write_all(&pdu(command, 0, seq, body))
            .map_err(|e| e.to_string())
    }

    /// Sends a deliver_sm: esm_class 0x04 for a receipt, 0 for an inbound message.
    fn deliver(
        &self,
        source: &str,
        destination: &str,
        esm_class: u8,
        coding: u8,
        message: &[u8],
        tlvs: &[u8],
    ) -> Result<(), String> {
        let mut body = Vec::new();
        body.push(0); // service_type ""
        body.extend([1, 1]);
        body.extend(source.trim_start_matches('+').as_bytes());
        body.push(0);
        body.extend([1, 1]);
        body.extend(destination.trim_start_matches('+').as_bytes());
        body.push(0);
        body.extend([esm_class, 0, 0]);
        body.extend([0, 0]); // schedule, validity
        body.extend([0, 0, coding, 0]);
        body.push(u8::try_from(message.len()).unwrap());
        body.extend(message);
        body.extend(tlvs);
        self.send(DELIVER_SM, &body)
    }

    /// A delivery receipt for a submitted message with the given `stat` (DELIVRD,
    /// UNDELIV, EXPIRED, REJECTD) and error code.
    pub fn receipt(&self, sm: &Submitted, stat: &str, err: &str) -> Result<(), String> {
        let text = format!(
            "id:{} sub:001 dlvrd:{} submit date:2611240100 done date:2611240101 stat:{stat} err:{err} text:",
            sm.id,
            if stat == "DELIVRD" { "001" } else { "000" },
        );
        let mut tlvs = Vec::new();
        let id = format!("{}\0", sm.id);
        tlvs.extend(0x001E_u16.to_be_bytes()); // receipted_message_id
        tlvs.extend(u16::try_from(id.len()).unwrap().to_be_bytes());
        tlvs.extend(id.as_bytes());
        self.deliver(&sm.destination, &sm.source, 0x04, 0, text.as_bytes(), &tlvs)
    }

    /// An inbound message, UCS-2 encoded.
    pub fn inbound(&self, from: &str, to: &str, text: &str) -> Result<(), String> {
        let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        self.deliver(from, to, 0, 0x08, &bytes, &[])
    }
}

impl Drop for SmppServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    mut stream: TcpStream,
    submitted: &Mutex<Vec<Submitted>>,
    writer: &Mutex<Option<TcpStream>>,
    stop: &AtomicBool,
    next_id: &AtomicU32,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let reply = |command: u32, seq: u32, body: &[u8]| {
        if let Some(w) = writer.lock().unwrap().as_mut() {
            let _ = w.write_all(&pdu(command, 0, seq, body));
        }
    };
    while !stop.load(Ordering::SeqCst) {
        match stream.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(_) => return,
        }
        while buf.len() >= 16 {
            let len = u32::from_be_bytes(buf[0..4].try_into().unwrap()) as usize;
            if buf.len() < len {
                break;
            }
            let frame: Vec<u8> = buf.drain(..len).collect();
            let command = u32::from_be_bytes(frame[4..8].try_into().unwrap());
            let seq = u32::from_be_bytes(frame[12..16].try_into().unwrap());
            let body = &frame[16..];
            match command {
                BIND_TRANSCEIVER | BIND_TRANSMITTER | BIND_RECEIVER => {
                    reply(command | RESP, seq, b"smsplan-smsc\0");
                }
                ENQUIRE_LINK => reply(ENQUIRE_LINK | RESP, seq, &[]),
                UNBIND => {
                    reply(UNBIND | RESP, seq, &[]);
                    return;
                }
                SUBMIT_SM => {
                    let id = next_id.fetch_add(1, Ordering::SeqCst);
                    submitted.lock().unwrap().push(parse_submit(id, body));
                    reply(SUBMIT_SM | RESP, seq, format!("{id}\0").as_bytes());
                }
                _ => {} // responses to our deliver_sm, generic_nack
            }
        }
    }
}
