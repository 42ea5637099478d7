//! A headless Chromium driven over the DevTools protocol for the `browser*` tests, and the
//! bundled campaign's plan.
//!
//! The client speaks the few protocol methods the tests need (a target, its page, network,
//! runtime and log domains, device metrics, screenshots) over one WebSocket; every event
//! is kept, so a test sees each request the page made and each console message.
#![allow(dead_code, reason = "each test module uses a part of the support")]

use std::io::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// The planning instant of the bundled campaign's plan in these tests.
pub const NOW: &str = "2026-12-20T10:00:00+01:00";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled campaign (`testdata/sample/campaign.json`) planned at [`NOW`], as
/// `smsplan plan` writes it.
pub fn sample_plan() -> Vec<u8> {
    use smsplan_formats::read::from_json;
    use smsplan_formats::v1::campaign::CampaignSpec;
    use smsplan_formats::v1::convert::PlanView;
    let text = std::fs::read_to_string(root().join("testdata/sample/campaign.json")).unwrap();
    let spec: CampaignSpec = from_json(&text).unwrap();
    let campaign = smsplan_core::plan::Campaign::try_from(spec).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(NOW).unwrap().to_utc();
    let plans = smsplan_core::plan::plan(&campaign, now, std::num::NonZeroUsize::MIN).unwrap();
    assert_eq!(plans.len(), 1, "the sample is not recurring");
    serde_json::to_vec(&PlanView(&plans[0])).unwrap()
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.push(PathBuf::from("/usr/bin"));
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// Chromium's binary, or `None` after a visible notice. Under `CI` its absence fails the
/// test.
pub fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    match find_chromium() {
        Some(path) => Some(path),
        None if ci() => panic!(
            "{test}: Chromium not found (PATH, /usr/bin, CHROMIUM) and CI is set: install the \
             Debian package `chromium` (apt-get install -y chromium)"
        ),
        None => {
            // Written to the real stderr: libtest would swallow an eprintln! of a passing test.
            let _ = writeln!(
                std::io::stderr(),
                "\nSKIPPED {test}: Chromium not found; install the Debian package `chromium` \
                 to run the report's browser tests\n"
            );
            None
        }
    }
}

static DIRS: AtomicU32 = AtomicU32::new(0);

/// A scratch directory for one test.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "smsplan-report-{tag}-{}-{}",
        std::process::id(),
        DIRS.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A headless Chromium with one page, every protocol event kept.
pub struct Browser {
    child: Child,
    profile: PathBuf,
    ws: WebSocket<TcpStream>,
    session: String,
    next: u64,
    /// Every event received, in order.
    pub events: Vec<Value>,
}

impl Browser {
    /// Starts Chromium (fresh profile, no network features) and opens a blank page with the
    /// network, runtime, log and page domains enabled.
    pub fn start(binary: &Path) -> Self {
        let profile = temp_dir("chromium");
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-features=MediaRouter,OptimizationHints,Translate",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        // Chromium writes its port and the browser's WebSocket path once it listens.
        let active = profile.join("DevToolsActivePort");
        let started = Instant::now();
        let (port, path) = loop {
            if let Ok(text) = std::fs::read_to_string(&active) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break (port.parse::<u16>().unwrap(), path.to_owned());
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "Chromium did not open its DevTools port within 60 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let (ws, _) =
            tungstenite::client::client(format!("ws://127.0.0.1:{port}{path}"), stream).unwrap();
        let mut browser = Self {
            child,
            profile,
            ws,
            session: String::new(),
            next: 0,
            events: Vec::new(),
        };
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}));
        let target = target["targetId"].as_str().unwrap().to_owned();
        let attached = browser.call(
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_owned();
        for domain in ["Page", "Network", "Runtime", "Log"] {
            browser.call(&format!("{domain}.enable"), json!({}));
        }
        browser
    }

    /// Sends a command (to the page once attached) and returns its result; events read
    /// meanwhile are kept.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = Value::String(self.session.clone());
        }
        self.ws
            .send(Message::Text(message.to_string().into()))
            .unwrap();
        loop {
            let value = self.receive();
            if value["id"].as_u64() == Some(id) {
                assert!(
                    value.get("error").is_none(),
                    "{method} failed: {}",
                    value["error"]
                );
                return value["result"].clone();
            }
            self.events.push(value);
        }
    }

    fn receive(&mut self) -> Value {
        loop {
            match self.ws.read().unwrap() {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Binary(bytes) => return serde_json::from_slice(&bytes).unwrap(),
                _ => {}
            }
        }
    }

    /// Waits until an event named `method` has arrived.
    pub fn wait_for(&mut self, method: &str) {
        let started = Instant::now();
        while !self.events.iter().any(|e| e["method"] == method) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no {method} within 60 s"
            );
            let value = self.receive();
            self.events.push(value);
        }
    }

    /// Sets the viewport (CSS pixels) and whether the page is shown as on a phone.
    pub fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
    }

    /// Opens `url` and waits for its load event.
    pub fn open(&mut self, url: &str) {
        self.events.clear();
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for("Page.loadEventFired");
    }

    /// Evaluates `expression` in the page and returns its value (JSON).
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {}",
            result["exceptionDetails"]
        );
        result["result"]["value"].clone()
    }

    /// The URLs of every request the page made.
    pub fn requests(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .map(|e| {
                e["params"]["request"]["url"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    }

    /// Console errors and warnings, uncaught exceptions and log errors.
    pub fn problems(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e["method"].as_str() {
                Some("Runtime.consoleAPICalled")
                    if matches!(
                        e["params"]["type"].as_str(),
                        Some("error" | "warning" | "assert")
                    ) =>
                {
                    Some(format!("console: {}", e["params"]["args"]))
                }
                Some("Runtime.exceptionThrown") => {
                    Some(format!("exception: {}", e["params"]["exceptionDetails"]))
                }
                Some("Log.entryAdded")
                    if matches!(
                        e["params"]["entry"]["level"].as_str(),
                        Some("error" | "warning")
                    ) =>
                {
                    Some(format!("log: {}", e["params"]["entry"]))
                }
                _ => None,
            })
            .collect()
    }

    /// A PNG of the whole page at the current width.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let metrics = self.call("Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        let shot = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
            }),
        );
        data_encoding::BASE64
            .decode(shot["data"].as_str().unwrap().as_bytes())
            .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
