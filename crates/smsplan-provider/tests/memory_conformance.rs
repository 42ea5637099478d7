//! The in-memory gateway passes the conformance suite every adapter runs.
#![cfg(feature = "testing")]

use std::sync::Arc;

use smsplan_provider::gateway::Gateway;
use smsplan_provider::memory::InMemoryGateway;
use smsplan_provider::testing::{CHECKS, InMemoryHarness, Verdict, run};

#[test]
fn in_memory_gateway_passes_every_conformance_check() {
    let harness = InMemoryHarness::new(InMemoryGateway::default());
    let report = run(&harness);
    assert!(report.all_passed(), "{report}");
    assert_eq!(report.checks.len(), CHECKS.len());
    assert!(
        report.checks.iter().all(|(_, v)| *v == Verdict::Passed),
        "{report}"
    );
}

#[test]
fn the_suite_catches_a_gateway_that_sends_twice() {
    // A gateway that forgets ids: the idempotency check must fail.
    #[derive(Debug, Default)]
    struct Forgetful(InMemoryGateway, std::sync::atomic::AtomicU32);
    impl Gateway for Forgetful {
        fn submit(
            &self,
            message: &smsplan_provider::gateway::OutboundMessage,
        ) -> Result<
            smsplan_provider::gateway::SubmitReceipt,
            smsplan_provider::gateway::ProviderError,
        > {
            let n = self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let renamed = smsplan_provider::gateway::OutboundMessage::new(
                smsplan_provider::gateway::MessageId::new(&format!("{}-{n}", message.id()))
                    .unwrap(),
                message.from().clone(),
                message.to().clone(),
                message.body().clone(),
            );
            self.0.submit(&renamed).map(|mut r| {
                r.id = message.id().clone();
                r
            })
        }
    }
    struct H(Forgetful);
    impl smsplan_provider::testing::Harness for H {
        fn gateway(&self) -> &dyn Gateway {
            &self.0
        }
        fn received(&self) -> Vec<smsplan_provider::testing::ReceivedPart> {
            self.0
                .0
                .sent()
                .into_iter()
                .map(|p| smsplan_provider::testing::ReceivedPart {
                    to: p.to.as_str().into(),
                    udh: p.encoded.udh.clone(),
                    content: smsplan_provider::testing::Content::Text(p.encoded.text.clone()),
                    handle: String::new(),
                })
                .collect()
        }
        fn report(
            &self,
            _: &smsplan_provider::testing::ReceivedPart,
            _: smsplan_provider::delivery::DeliveryState,
        ) -> smsplan_provider::testing::Reporting {
            smsplan_provider::testing::Reporting::Unsupported
        }
        fn inject_inbound(
            &self,
            _: &smsplan_provider::number::Msisdn,
            _: &smsplan_provider::number::Msisdn,
            _: &str,
        ) -> Result<(), String> {
            Err("not supported".into())
        }
        fn patience(&self) -> std::time::Duration {
            std::time::Duration::from_millis(100)
        }
    }
    let report = run(&H(Forgetful::default()));
    assert!(!report.all_passed());
    let verdict = |name| &report.checks.iter().find(|(n, _)| *n == name).unwrap().1;
    assert!(
        matches!(verdict("same_id_twice_is_sent_once"), Verdict::Failed(_)),
        "{report}"
    );
    assert!(matches!(
        verdict("delivered_report_reaches_poll_once"),
        Verdict::Skipped(_)
    ));
}

#[test]
fn gateway_is_dyn_compatible() {
    let _: Arc<dyn Gateway> = Arc::new(InMemoryGateway::default());
}
