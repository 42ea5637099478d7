//! `smsplan campaign run --gateway kannel` against a real Kannel 1.4.5 (bearerbox + smsbox)
//! on loopback, the test acting as the fake SMSC and counting what reaches it: the
//! crash-safety tests of the campaign runtime. Each drives the real binary on a SQLite
//! file in a temp dir. Without Kannel installed they print a notice and pass; with `CI`
//! set they fail instead.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

#[path = "../../smsplan-provider/tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use support::{Bins, FakeSmsc, Kannel, Ports, Smsc, free_port, kannel_or_skip, wait_online};

/// The sendsms user of the support's `kannel.conf`.
const SENDSMS_USER: &str = "smsplan";
const SENDSMS_PASSWORD: &str = "smsplan-sendsms";
/// The campaign's short code: the sender of every MT, the receiver of the injected MOs.
const SHORT_CODE: &str = "36111";
const CAMPAIGN: &str = "crash";

/// The number of recipient `i`: French mobiles, none on the support's black list.
fn number(i: usize) -> String {
    format!("+3361{i:07}")
}

/// A transactional campaign of `n` recipients from a short code at `pps` parts per
/// second, sent now: no window holds it, and the plan spreads it over `n / pps` seconds.
fn campaign(n: usize, pps: u32) -> Value {
    let contacts: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "id": format!("r{i:05}"),
                "phone": number(i),
                "consent": {
                    "status": "subscribed",
                    "changed_at": "2026-01-10T09:00:00+01:00",
                    "source": "kannel test"
                },
                "fields": { "order": format!("A{i:05}") }
            })
        })
        .collect();
    let members: Vec<String> = (0..n).map(|i| format!("r{i:05}")).collect();
    json!({
        "format": "smsplan.campaign/v1",
        "name": "Kannel crash test",
        "project": { "key": "email", "default_region": "FR", "accepted_regions": ["FR"] },
        "contacts": contacts,
        "groups": [{ "id": "all", "members": members }],
        "audience": { "groups": ["all"], "dedup": "per_number" },
        "message": {
            "template": "Order {{order}} is ready for pickup. STOP 36111",
            "sender": { "kind": "short_code", "value": SHORT_CODE, "parts_per_second": pps },
            "class": "transactional"
        },
        "schedule": { "mode": "now" },
        "credits": { "balance": "10000.00", "price_per_segment": "0.045", "currency": "EUR" }
    })
}

/// A temp dir of the test's own: the store, the campaign, the secret, the runs' output.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "smsplan-kannel-campaign-{tag}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Kannel up with the fake SMSC online and a campaign ready to run: created, prepared,
/// approved and confirmed in the store.
struct Setup {
    kannel: Kannel,
    smsc: FakeSmsc,
    dir: Dir,
    db: PathBuf,
    listen: String,
    runs: usize,
}

impl Setup {
    fn new(bins: Bins, tag: &str, recipients: usize, pps: u32) -> Self {
        let dir = Dir::new(tag);
        let db = dir.path("campaigns.db");
        let secret = dir.path("secret");
        std::fs::write(&secret, format!("{}\n", support::SECRET)).unwrap();
        let ports = Ports {
            admin: free_port(),
            bx: free_port(),
            smsc: free_port(),
            sendsms: free_port(),
            callback: free_port(),
        };
        let listen = format!("127.0.0.1:{}", ports.callback);
        // smsbox's sms-service comes from what `kannel-config` prints for this listener.
        let conf = smsplan(&[
            "campaign",
            "kannel-config",
            "--listen",
            &listen,
            "--secret-file",
            secret.to_str().unwrap(),
        ]);
        assert_eq!(conf.code, 0, "kannel-config: {}", conf.stderr);
        let get_url = sms_service_get_url(&conf.stdout);
        let mut kannel = Kannel::configure(bins, tag, ports, Smsc::Fake, &get_url);
        // The listener lives in the run: a killed run's successor listens again only
        // once the lease ran out (up to 6 s), so smsbox keeps retrying the callbacks
        // that much longer than the support's 3 tries (10 tries, 1 s apart).
        let conf_path = kannel.dir.join("kannel.conf");
        let conf = std::fs::read_to_string(&conf_path).unwrap();
        assert!(conf.contains("http-request-retry = 3\n"), "{conf}");
        std::fs::write(
            &conf_path,
            conf.replace("http-request-retry = 3\n", "http-request-retry = 10\n"),
        )
        .unwrap();
        kannel.start();
        let smsc = FakeSmsc::connect(ports.smsc);
        wait_online(ports.admin);

        let file = dir.path("campaign.json");
        std::fs::write(&file, campaign(recipients, pps).to_string()).unwrap();
        let db_arg = db.to_str().unwrap().to_owned();
        let step = |args: &[&str]| {
            let mut all = vec!["campaign", "--db", &db_arg];
            all.extend_from_slice(args);
            let out = smsplan(&all);
            assert_eq!(out.code, 0, "smsplan {args:?}: {}", out.stderr);
            serde_json::from_str::<Value>(&out.stdout).unwrap()
        };
        let created = step(&["create", file.to_str().unwrap(), "--id", CAMPAIGN]);
        assert_eq!(created["campaign"], CAMPAIGN);
        let prepared = step(&["prepare", CAMPAIGN, "--by", "ana"]);
        assert_eq!(prepared["state"], "prepared", "{prepared}");
        assert_eq!(prepared["totals"]["recipients"], recipients);
        step(&["approve", CAMPAIGN, "--by", "bob"]);
        step(&["confirm", CAMPAIGN, "--by", "bob"]);
        Self {
            kannel,
            smsc,
            dir,
            db,
            listen,
            runs: 0,
        }
    }

    /// Starts `smsplan campaign run` through Kannel; its output goes to `run-N.*`.
    fn spawn_run(&mut self) -> Child {
        self.runs += 1;
        let out = std::fs::File::create(self.dir.path(&format!("run-{}.out", self.runs))).unwrap();
        let err = std::fs::File::create(self.dir.path(&format!("run-{}.err", self.runs))).unwrap();
        Command::new(env!("CARGO_BIN_EXE_smsplan"))
            .args(["campaign", "--db"])
            .arg(&self.db)
            .args(["run", CAMPAIGN, "--gateway", "kannel", "--kannel-url"])
            .arg(format!(
                "http://127.0.0.1:{}/cgi-bin/sendsms",
                self.kannel.ports.sendsms
            ))
            .args([
                "--kannel-user",
                SENDSMS_USER,
                "--kannel-password",
                SENDSMS_PASSWORD,
            ])
            .args(["--listen", &self.listen, "--secret-file"])
            .arg(self.dir.path("secret"))
            .args(["--report-wait", "5"])
            .arg("--events")
            .arg(self.dir.path(&format!("run-{}.events", self.runs)))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap()
    }

    /// Waits for a run to exit on its own.
    fn wait_exit(&self, child: &mut Child, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "run {} did not finish within {timeout:?}; stderr: {}",
                    self.runs,
                    self.run_output("err")
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn run_output(&self, ext: &str) -> String {
        std::fs::read_to_string(self.dir.path(&format!("run-{}.{ext}", self.runs)))
            .unwrap_or_default()
    }

    /// `smsplan campaign status`.
    fn status(&self) -> Value {
        let out = smsplan(&[
            "campaign",
            "--db",
            self.db.to_str().unwrap(),
            "status",
            CAMPAIGN,
        ]);
        assert_eq!(out.code, 0, "status: {}", out.stderr);
        serde_json::from_str(&out.stdout).unwrap()
    }

    /// Parts received at the SMSC so far.
    fn received(&self) -> usize {
        self.smsc.received().len()
    }

    /// Waits until the SMSC has received nothing for 300 ms; returns its count.
    fn settled(&self) -> usize {
        let mut count = self.received();
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let now = self.received();
            if now == count {
                return count;
            }
            count = now;
        }
    }

    /// Waits until the SMSC has received `n` parts, failing if `child` exits first.
    fn wait_received(&self, child: &mut Child, n: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.received() < n {
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "run {} exited ({status}) before the SMSC got {n} parts (it has {}); stderr: {}",
                    self.runs,
                    self.received(),
                    self.run_output("err")
                );
            }
            assert!(
                Instant::now() < deadline,
                "the SMSC has {} parts, not {n}, after {timeout:?}",
                self.received()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Received parts per receiver and (receiver, UDH).
    fn tally(&self) -> Tally {
        let parts = self.smsc.received();
        let mut per_number: HashMap<String, usize> = HashMap::new();
        let mut per_part: HashMap<(String, Vec<u8>), usize> = HashMap::new();
        for p in &parts {
            *per_number.entry(p.to.clone()).or_default() += 1;
            *per_part.entry((p.to.clone(), p.udh.clone())).or_default() += 1;
        }
        Tally {
            parts: parts.len(),
            duplicate_parts: per_part.values().map(|&c| c - 1).sum(),
            duplicate_numbers: per_number.values().filter(|&&c| c > 1).count(),
            per_number,
        }
    }
}

struct Tally {
    parts: usize,
    /// Parts seen more than once (same receiver and UDH), counted beyond the first.
    duplicate_parts: usize,
    /// Receivers that got more than one part.
    duplicate_numbers: usize,
    per_number: HashMap<String, usize>,
}

impl Tally {
    /// Recipients `0..n` of which the SMSC saw nothing.
    fn missing(&self, n: usize) -> usize {
        (0..n)
            .filter(|&i| !self.per_number.contains_key(&number(i)))
            .count()
    }
}

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

fn smsplan(args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_smsplan"))
        .args(args)
        .output()
        .unwrap();
    Out {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// The `get-url` of the `sms-service` group `kannel-config` printed.
fn sms_service_get_url(conf: &str) -> String {
    let mut in_service = false;
    for line in conf.lines() {
        let line = line.trim();
        if line.starts_with("group") {
            in_service = line == "group = sms-service";
        } else if in_service && let Some(value) = line.strip_prefix("get-url = ") {
            return value.trim_matches('"').to_owned();
        }
    }
    panic!("no sms-service get-url in:\n{conf}")
}

fn count(status: &Value, key: &str) -> usize {
    usize::try_from(
        status[key]
            .as_u64()
            .unwrap_or_else(|| panic!("status.{key}: {status}")),
    )
    .unwrap()
}

/// SplitMix64: a seeded generator, so that a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The seed: `SMSPLAN_CRASH_SEED`, else the clock's nanoseconds.
fn seed() -> u64 {
    std::env::var("SMSPLAN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::UNIX_EPOCH
                .elapsed()
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

fn report(line: &str) {
    use std::io::Write;
    // The real stderr: libtest captures eprintln! of a passing test.
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[test]
fn kannel_crash_resume_never_sends_twice() {
    let Some(bins) = kannel_or_skip("kannel_crash_resume_never_sends_twice") else {
        return;
    };
    const N: usize = 2_000;
    const KILLS: usize = 5;
    let started = Instant::now();
    let mut setup = Setup::new(bins, "crash", N, 150);
    let setup_time = started.elapsed();
    let seed = seed();
    let mut rng = Rng(seed);
    // Kill points: how many parts the SMSC has when the kill comes (spread over the
    // send, at least 150 apart), plus up to 300 ms more.
    let mut targets: Vec<usize> = Vec::new();
    while targets.len() < KILLS {
        let t = 100 + usize::try_from(rng.below(1_700)).unwrap();
        if targets.iter().all(|&o| o.abs_diff(t) >= 150) {
            targets.push(t);
        }
    }
    targets.sort_unstable();
    let jitter: Vec<u64> = (0..KILLS).map(|_| rng.below(300)).collect();
    report(&format!(
        "kannel_crash_resume_never_sends_twice: seed {seed} (SMSPLAN_CRASH_SEED={seed} replays it), \
         kills at SMSC counts {targets:?} + {jitter:?} ms"
    ));
    let mut resumes = Vec::new();
    let mut killed_at = Vec::new();
    let mut timeline = vec![format!("set up in {:.1} s", setup_time.as_secs_f64())];
    for (target, jitter) in targets.iter().zip(&jitter) {
        let mut child = setup.spawn_run();
        let spawned = Instant::now();
        let before = setup.received();
        setup.wait_received(&mut child, before + 1, Duration::from_secs(40));
        if setup.runs > 1 {
            resumes.push(spawned.elapsed());
        }
        setup.wait_received(&mut child, *target, Duration::from_secs(40));
        std::thread::sleep(Duration::from_millis(*jitter));
        child.kill().unwrap();
        child.wait().unwrap();
        timeline.push(format!("kill at {:.1} s", started.elapsed().as_secs_f64()));
        // What Kannel still had queued arrives now: the next part after this is the
        // next run's.
        killed_at.push(setup.settled());
    }
    let mut last = setup.spawn_run();
    let spawned = Instant::now();
    let before = setup.received();
    while setup.received() == before && last.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(5));
    }
    if setup.received() > before {
        resumes.push(spawned.elapsed());
    }
    let exit = setup.wait_exit(&mut last, Duration::from_secs(90));
    timeline.push(format!(
        "final run done at {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    assert!(
        exit.success(),
        "the final run ended with {exit}; stderr: {}",
        setup.run_output("err")
    );
    let status = setup.status();
    let tally = setup.tally();
    let in_doubt = count(&status, "in_doubt");
    let missing = tally.missing(N);
    report(&format!(
        "kannel_crash_resume_never_sends_twice: {KILLS} kills (SMSC counts at the kills {killed_at:?}), \
         restart to the next part {:?}; SMSC: {} parts, {} duplicate parts, {} numbers twice, \
         {missing} recipients not received; status: {} submitted, {} delivered, {in_doubt} in doubt, \
         state {}; {:.1} s ({})",
        resumes
            .iter()
            .map(|d| format!("{:.1} s", d.as_secs_f64()))
            .collect::<Vec<_>>(),
        tally.parts,
        tally.duplicate_parts,
        tally.duplicate_numbers,
        count(&status, "submitted"),
        count(&status, "delivered"),
        status["state"],
        started.elapsed().as_secs_f64(),
        timeline.join(", ")
    ));
    assert_eq!(tally.duplicate_parts, 0, "a part reached the SMSC twice");
    assert_eq!(tally.duplicate_numbers, 0, "a recipient got two messages");
    assert!(
        missing <= in_doubt,
        "{missing} recipients never reached the SMSC, only {in_doubt} in doubt"
    );
    assert!(in_doubt <= KILLS, "{in_doubt} in doubt after {KILLS} kills");
    // `delivered` is printed, not asserted: the listener answers smsbox's delivery
    // reports before the runner writes them to the store (between two dispatch rounds),
    // so a kill loses the reports taken in since the last round. Those rows stay
    // `submitted`; the last run waits `--report-wait` for them and completes.
    assert_eq!(count(&status, "recipients"), N);
    assert_eq!(status["state"], "completed", "{status}");
    for (i, resume) in resumes.iter().enumerate() {
        assert!(
            *resume < Duration::from_secs(12),
            "restart {} took {resume:?} to send again: a stale lease blocked it",
            i + 1
        );
    }
}

/// Parts to `to` at the SMSC, as text.
fn texts_to(setup: &Setup, to: &str) -> Vec<String> {
    setup
        .smsc
        .received()
        .iter()
        .filter(|p| p.to == to)
        .map(support::text_of)
        .collect()
}

#[test]
fn kannel_stop_mid_run_gets_confirmation_only() {
    let Some(bins) = kannel_or_skip("kannel_stop_mid_run_gets_confirmation_only") else {
        return;
    };
    const N: usize = 400;
    let started = Instant::now();
    let mut setup = Setup::new(bins, "stop", N, 150);
    // The plan sends in contact order: the last recipient comes last.
    let late = number(N - 1);
    let mut run = setup.spawn_run();
    setup.wait_received(&mut run, N / 4, Duration::from_secs(40));
    assert!(
        texts_to(&setup, &late).is_empty(),
        "{late} was sent before the STOP could be injected"
    );
    let injected_at = setup.received();
    setup.smsc.send_mo(&late, SHORT_CODE, "STOP").unwrap();
    let exit = setup.wait_exit(&mut run, Duration::from_secs(90));
    assert!(
        exit.success(),
        "the run ended with {exit}; stderr: {}",
        setup.run_output("err")
    );
    let status = setup.status();
    let tally = setup.tally();
    let to_late = texts_to(&setup, &late);
    report(&format!(
        "kannel_stop_mid_run_gets_confirmation_only: STOP from the last recipient injected when the \
         SMSC had {injected_at} parts; SMSC: {} parts, {} duplicate parts; {late} got {to_late:?}; \
         status: {} delivered, {} opted out, {} in doubt; {:.1} s",
        tally.parts,
        tally.duplicate_parts,
        count(&status, "delivered"),
        count(&status, "opted_out"),
        count(&status, "in_doubt"),
        started.elapsed().as_secs_f64()
    ));
    assert_eq!(to_late.len(), 1, "{late} got {to_late:?}");
    assert!(
        to_late[0].contains("unsubscribed") && !to_late[0].contains("Order"),
        "{late} got {to_late:?}, not the STOP confirmation alone"
    );
    assert_eq!(count(&status, "opted_out"), 1, "{status}");
    for i in 0..N - 1 {
        assert_eq!(
            tally.per_number.get(&number(i)),
            Some(&1),
            "recipient {i} ({})",
            number(i)
        );
    }
    assert_eq!(
        tally.parts, N,
        "N - 1 campaign messages and one confirmation"
    );
    assert_eq!(count(&status, "delivered"), N - 1, "{status}");
    assert_eq!(status["state"], "completed", "{status}");
}

#[test]
fn kannel_restart_mid_run_loses_nothing() {
    let Some(bins) = kannel_or_skip("kannel_restart_mid_run_loses_nothing") else {
        return;
    };
    const N: usize = 400;
    let started = Instant::now();
    let mut setup = Setup::new(bins, "restart", N, 150);
    let mut run = setup.spawn_run();
    setup.wait_received(&mut run, N / 3, Duration::from_secs(40));
    let down = Instant::now();
    setup.kannel.stop();
    let stopped_at = setup.received();
    std::thread::sleep(Duration::from_secs(1));
    setup.kannel.start();
    wait_online(setup.kannel.ports.admin);
    let downtime = down.elapsed();
    let exit = setup.wait_exit(&mut run, Duration::from_secs(120));
    assert!(
        exit.success(),
        "the run ended with {exit}; stderr: {}",
        setup.run_output("err")
    );
    let status = setup.status();
    let tally = setup.tally();
    report(&format!(
        "kannel_restart_mid_run_loses_nothing: Kannel stopped when the SMSC had {stopped_at} parts, \
         back after {:.1} s; SMSC: {} parts, {} duplicate parts, {} recipients not received; \
         status: {} submitted, {} delivered, {} failed, {} in doubt; {:.1} s",
        downtime.as_secs_f64(),
        tally.parts,
        tally.duplicate_parts,
        tally.missing(N),
        count(&status, "submitted"),
        count(&status, "delivered"),
        count(&status, "failed"),
        count(&status, "in_doubt"),
        started.elapsed().as_secs_f64()
    ));
    // Nothing reached the SMSC twice, and nothing is lost silently: a recipient the SMSC
    // never saw is reported in doubt. At most one request can be in doubt: the one smsbox
    // held when it stopped (smsbox logs it "added", then bearerbox shuts down before
    // taking it; the campaign's `at_most_once` does not send it again).
    assert_eq!(tally.duplicate_parts, 0, "a part reached the SMSC twice");
    assert_eq!(tally.duplicate_numbers, 0, "a recipient got two messages");
    let in_doubt = count(&status, "in_doubt");
    assert!(
        in_doubt <= 1,
        "{in_doubt} in doubt after one Kannel restart"
    );
    assert!(
        tally.missing(N) <= in_doubt,
        "{} recipients never reached the SMSC, only {in_doubt} in doubt",
        tally.missing(N)
    );
    // Every part sent before or after the restart was retried if needed and reported.
    assert!(
        count(&status, "delivered") + in_doubt >= tally.parts,
        "parts at the SMSC without a report: {status}"
    );
    assert_eq!(count(&status, "failed"), 0, "{status}");
    assert_eq!(status["state"], "completed", "{status}");
}
