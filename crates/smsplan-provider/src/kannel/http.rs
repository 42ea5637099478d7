//! The HTTP client side of the adapter, on [`ureq`]: one `GET` per part to smsbox with a
//! deadline on the whole exchange, plus the URL and query helpers shared with the
//! callback endpoint.
//!
//! ureq never retries a request by itself (a retried `sendsms` would be a second SMS);
//! idle keep-alive connections are probed before reuse.

use std::io;
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
    Connect(ureq::Error),
    /// The exchange failed after the request may have been written (a timeout, a broken
    /// connection, a malformed answer): the server may have acted on it.
    Exchange(ureq::Error),
}

/// A blocking HTTP client for smsbox: a whole-exchange deadline (connect, request,
/// response head and body), HTTP statuses returned rather than turned into errors, and
/// a pool of keep-alive connections.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        // A connect that takes half the budget fails as a connect error, which is safe
        // to retry; past it the failure counts as "may have been accepted".
        .timeout_connect(Some(timeout / 2))
        .http_status_as_error(false)
        .max_idle_connections_per_host(64)
        .user_agent("smsplan")
        .build()
        .into()
}

/// One `GET` of `url`; returns the status and the body (trimmed, at most 64 KiB).
pub(crate) fn get(agent: &ureq::Agent, url: &str) -> Result<(u16, String), HttpError> {
    let mut response = agent.get(url).call().map_err(classify)?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE)
        .read_to_vec()
        .map_err(HttpError::Exchange)?;
    Ok((status, String::from_utf8_lossy(&body).trim().to_owned()))
}

/// The cause to report: the socket's `io::Error` itself when there is one (callers
/// downcast it to its kind), else ureq's error.
pub(crate) fn cause(error: ureq::Error) -> crate::gateway::Cause {
    match error {
        ureq::Error::Io(io) => crate::gateway::Cause::new(io),
        other => crate::gateway::Cause::new(other),
    }
}

/// Errors that can only happen before anything was written are connect errors.
fn classify(error: ureq::Error) -> HttpError {
    let before_sending = match &error {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::BadUri(_)
        | ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => true,
        ureq::Error::Io(e) => matches!(
            e.kind(),
            io::ErrorKind::ConnectionRefused
                | io::ErrorKind::AddrNotAvailable
                | io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
        ),
        _ => false,
    };
    if before_sending {
        HttpError::Connect(error)
    } else {
        HttpError::Exchange(error)
    }
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
}
