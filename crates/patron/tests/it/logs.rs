//! Personal data never appears in a log line (house rule, SPEC N1): with every log on at debug
//! level, a till looks a member up by phone, the desk registers, searches and reveals; the
//! captured log holds neither the phone nor the ID number.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::both;
use crate::support::spawn_app;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

both!(
    phones_and_id_numbers_never_reach_the_log,
    |backend| async move {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(captured.clone())
            .with_ansi(false)
            .finish();
        // Global, so the server's worker threads log here too (nextest runs each test alone).
        let _ = tracing::subscriber::set_global_default(subscriber);
        let t = spawn_app(backend).await;
        t.add_staff("agent", &[("service", t.hq)], false).await;
        let key = t.till_key(t.hq, "01").await;
        let r = patron::areas::members::register(
            &t.ctx(),
            "HQ",
            &patron::areas::members::MemberIn {
                name: "隐私会员".into(),
                phone: "13712345678".into(),
                id_type: "resident_card".into(),
                id_no: "11010519491231002X".into(),
                ..Default::default()
            },
            true,
        )
        .await
        .expect("register");
        let (status, _) = t
            .get_json("/api/v1/pos/members/lookup?phone=13712345678", &key)
            .await;
        assert!(status.is_success());
        let (status, _) = t
            .get_json("/api/v1/pos/members/lookup?phone=13700000000", &key)
            .await;
        assert_eq!(status.as_u16(), 404);
        let agent = t.login("agent").await;
        let found = agent.get("/members?q=13712345678").await;
        assert!(found.body.contains("隐私会员"));
        let shown = agent
            .post(
                &format!("/members/{}/reveal", r.member_id),
                &format!("/members/{}", r.member_id),
                &[],
            )
            .await;
        assert!(shown.body.contains("13712345678"), "the agent does see it");
        t.stop().await;
        let log = String::from_utf8_lossy(&captured.0.lock().expect("lock")).to_string();
        assert!(
            log.contains("/api/v1/pos/members/lookup") && log.contains("/members/"),
            "the server's request log was captured: {}",
            &log[..log.len().min(2000)]
        );
        for secret in ["13712345678", "11010519491231002X", "13700000000"] {
            assert!(!log.contains(secret), "{secret} found in the log");
        }
    }
);
