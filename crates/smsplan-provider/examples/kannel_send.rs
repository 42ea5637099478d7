//! Sends one message through a running Kannel and waits for its delivery reports.
//!
//! ```sh
//! KANNEL_SENDSMS=http://127.0.0.1:13013/cgi-bin/sendsms KANNEL_USER=smsplan \
//! KANNEL_PASSWORD=secret CALLBACK_SECRET=0123456789abcdef TO=+33612345678 \
//!   cargo run -p smsplan-provider --features kannel --example kannel_send
//! ```
//!
//! The callback listener binds 127.0.0.1:14080 (`CALLBACK_PORT` to change it); print the
//! `kannel.conf` groups to add with `PRINT_CONF=1`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use smsplan_provider::gateway::{Body, Gateway, GatewayEvent, MessageId, OutboundMessage};
use smsplan_provider::kannel::{
    CallbackListener, CallbackSecret, KannelConfig, KannelGateway, ListenerOptions,
};
use smsplan_provider::number::Msisdn;
use smsplan_provider::sender::SenderId;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = env("CALLBACK_PORT", "14080").parse()?;
    let config = KannelConfig::new(
        &env("KANNEL_SENDSMS", "http://127.0.0.1:13013/cgi-bin/sendsms"),
        &env("KANNEL_USER", "smsplan"),
        &env("KANNEL_PASSWORD", ""),
        &format!("http://127.0.0.1:{port}"),
        CallbackSecret::new(&env("CALLBACK_SECRET", "change-me-0123456789"))?,
    )?;
    if std::env::var_os("PRINT_CONF").is_some() {
        println!("{}", config.conf_snippet());
        return Ok(());
    }
    let gateway = KannelGateway::new(config);
    let listener = CallbackListener::start(
        gateway.callbacks(),
        ListenerOptions::default().bind_to(SocketAddr::from(([127, 0, 0, 1], port))),
    )?;
    let message = OutboundMessage::new(
        MessageId::new(&env("MESSAGE_ID", "example-1"))?,
        SenderId::short_code(&env("FROM", "36180"))?,
        Msisdn::parse(&env("TO", "+33612345678"))?,
        Body::Text(env("TEXT", "Hello from smsplan 👋")),
    );
    let receipt = gateway.submit(&message)?;
    println!("{} part(s) {:?}", receipt.parts, receipt.submission);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        for event in gateway.poll_events(100) {
            if let GatewayEvent::Delivery(r) = event {
                println!("part {}: {:?} {:?}", r.part, r.state, r.code);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("callbacks: {:?}", gateway.callbacks().stats());
    listener.shutdown();
    Ok(())
}
