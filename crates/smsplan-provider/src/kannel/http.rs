//! The little HTTP/1.x this adapter needs, over `std::net`: one GET per connection to
//! smsbox, and request heads read with hard size limits for the callback listener.
//!
//! Hand-written on purpose: Kannel speaks plain HTTP on a trusted network, the adapter
//! needs a GET with a timeout and a bounded reader, and avoiding an HTTP stack keeps
//! the crate runtime-agnostic with no dependency beyond `std`.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Longest response body read from smsbox (its replies are one line).
const MAX_RESPONSE: u64 = 64 * 1024;

/// An `http://host:port/path` URL split for connecting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) path: String,
}

/// Why a URL is not a plain `http://` URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Only `http://` is spoken (put TLS in front of Kannel with a proxy if needed).
    #[error("url {url:?}: only http:// is supported")]
    Scheme {
        /// The URL given.
        url: String,
    },
    /// The host or port is missing or not a number.
    #[error("url {url:?}: expected http://host:port/path")]
    Authority {
        /// The URL given.
        url: String,
    },
    /// A query or fragment is not allowed here.
    #[error("url {url:?}: must not carry a query or fragment")]
    Query {
        /// The URL given.
        url: String,
    },
}

impl Endpoint {
    pub(crate) fn parse(url: &str) -> Result<Self, UrlError> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| UrlError::Scheme {
                url: url.to_owned(),
            })?;
        if rest.contains(['?', '#']) {
            return Err(UrlError::Query {
                url: url.to_owned(),
            });
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let bad = || UrlError::Authority {
            url: url.to_owned(),
        };
        let (host, port) = authority.rsplit_once(':').ok_or_else(bad)?;
        let port: u16 = port.parse().map_err(|_| bad())?;
        if host.is_empty() || port == 0 {
            return Err(bad());
        }
        Ok(Self {
            host: host.to_owned(),
            port,
            path: path.trim_end_matches('/').to_owned(),
        })
    }

    /// `http://host:port` + path, as given.
    pub(crate) fn url(&self) -> String {
        format!("http://{}:{}{}", self.host, self.port, self.path)
    }
}

/// A failed exchange, split by whether the request may have been seen by the server.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// No connection: the server saw nothing.
    Connect(io::Error),
    /// The connection broke during the exchange: the server may have acted on it.
    Exchange(io::Error),
    /// The answer is not HTTP.
    Malformed,
}

/// One GET with `Connection: close`; returns the status and the body.
pub(crate) fn get(
    endpoint: &Endpoint,
    target: &str,
    timeout: Duration,
) -> Result<(u16, String), HttpError> {
    let addrs = (endpoint.host.as_str(), endpoint.port)
        .to_socket_addrs()
        .map_err(HttpError::Connect)?;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "host resolves to no address");
    let mut connected = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => {
                connected = Some(s);
                break;
            }
            Err(e) => last = e,
        }
    }
    let mut stream = connected.ok_or(HttpError::Connect(last))?;
    let exchange = |stream: &mut TcpStream| -> io::Result<Vec<u8>> {
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.set_nodelay(true)?;
        let request = format!(
            "GET {target} HTTP/1.0\r\nHost: {}:{}\r\nConnection: close\r\n\r\n",
            endpoint.host, endpoint.port
        );
        stream.write_all(request.as_bytes())?;
        let mut raw = Vec::new();
        stream.take(MAX_RESPONSE).read_to_end(&mut raw)?;
        Ok(raw)
    };
    let raw = exchange(&mut stream).map_err(HttpError::Exchange)?;
    parse_response(&raw).ok_or(HttpError::Malformed)
}

fn parse_response(raw: &[u8]) -> Option<(u16, String)> {
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let (head, body) = raw.split_at(head_end);
    let status_line = head.split(|b| *b == b'\n').next()?;
    let status_line = std::str::from_utf8(status_line).ok()?;
    let mut fields = status_line.split_whitespace();
    let version = fields.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let status = fields.next()?.parse().ok()?;
    let body = body.get(4..).unwrap_or_default();
    Some((status, String::from_utf8_lossy(body).trim().to_owned()))
}

/// A request head read by the listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestHead {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) content_length: u64,
}

/// Why a request could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The head or the declared body is larger than allowed.
    TooLarge,
    /// Not an HTTP/1.x request.
    Malformed,
    /// The client went away or was too slow.
    Io,
}

/// Reads a request head of at most `max` bytes, and skips a body of at most `max`
/// bytes (callbacks carry everything in the query).
pub(crate) fn read_request(
    reader: &mut BufReader<&TcpStream>,
    max: usize,
) -> Result<RequestHead, ReadError> {
    let mut used = 0usize;
    let mut line = Vec::new();
    let mut read_line = |line: &mut Vec<u8>, used: &mut usize| -> Result<(), ReadError> {
        line.clear();
        let budget = u64::try_from(max.saturating_sub(*used)).unwrap_or(0);
        let n = reader
            .by_ref()
            .take(budget)
            .read_until(b'\n', line)
            .map_err(|_| ReadError::Io)?;
        *used += n;
        if n == 0 {
            return Err(ReadError::Io);
        }
        if line.last() != Some(&b'\n') {
            return Err(ReadError::TooLarge);
        }
        Ok(())
    };
    read_line(&mut line, &mut used)?;
    let request_line = std::str::from_utf8(&line).map_err(|_| ReadError::Malformed)?;
    let mut fields = request_line.split_whitespace();
    let (Some(method), Some(target), Some(version), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(ReadError::Malformed);
    };
    if !version.starts_with("HTTP/1.") {
        return Err(ReadError::Malformed);
    }
    let mut head = RequestHead {
        method: method.to_owned(),
        target: target.to_owned(),
        content_length: 0,
    };
    loop {
        read_line(&mut line, &mut used)?;
        let text = std::str::from_utf8(&line).map_err(|_| ReadError::Malformed)?;
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        let (name, value) = text.split_once(':').ok_or(ReadError::Malformed)?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            head.content_length = value.trim().parse().map_err(|_| ReadError::Malformed)?;
        } else if name.trim().eq_ignore_ascii_case("transfer-encoding") {
            return Err(ReadError::Malformed);
        }
    }
    if head.content_length > u64::try_from(max).unwrap_or(u64::MAX) {
        return Err(ReadError::TooLarge);
    }
    io::copy(
        &mut reader.by_ref().take(head.content_length),
        &mut io::sink(),
    )
    .map_err(|_| ReadError::Io)?;
    Ok(head)
}

/// Writes a minimal response and closes the exchange.
pub(crate) fn respond(mut stream: &TcpStream, status: u16, body: &str) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        _ => "Service Unavailable",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes())?;
    stream.flush()
}

/// Percent-encodes bytes for a query value: everything but `A-Z a-z 0-9 - . _ ~`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(*b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a query component (`+` is a space). `None` on a broken escape.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(out)
}

/// Splits a query into decoded `(name, value)` pairs. `None` on a broken escape.
pub(crate) fn query_pairs(query: &str) -> Option<Vec<(String, Vec<u8>)>> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = String::from_utf8(decode(name)?).ok()?;
            Some((name, decode(value)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_and_refuse_what_we_cannot_speak() {
        let e = Endpoint::parse("http://127.0.0.1:13013/cgi-bin/sendsms").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("127.0.0.1", 13013));
        assert_eq!(e.path, "/cgi-bin/sendsms");
        assert!(matches!(
            Endpoint::parse("https://h:1/"),
            Err(UrlError::Scheme { .. })
        ));
        assert!(matches!(
            Endpoint::parse("http://h/x"),
            Err(UrlError::Authority { .. })
        ));
        assert!(matches!(
            Endpoint::parse("http://h:1/x?a=b"),
            Err(UrlError::Query { .. })
        ));
    }

    #[test]
    fn percent_round_trip() {
        let raw = "a b&c=d%€😀".as_bytes();
        assert_eq!(decode(&encode(raw)).unwrap(), raw);
        assert_eq!(decode("a+b%2"), None);
        assert_eq!(decode("%zz"), None);
    }

    #[test]
    fn responses_parse() {
        assert_eq!(
            parse_response(b"HTTP/1.1 202 Accepted\r\nX: y\r\n\r\n0: Accepted for delivery\n"),
            Some((202, "0: Accepted for delivery".into()))
        );
        assert_eq!(parse_response(b"garbage"), None);
    }
}
