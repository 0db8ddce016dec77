//! Data the tests set up or read behind the API: staff with API tokens, stores, points, gift
//! stock and portal passwords.

use super::app::{PASSWORD, TestApp};

/// Adds a staff member holding `roles` (role code, store id) and returns an API token of theirs.
pub async fn token(t: &TestApp, username: &str, roles: &[(&str, i64)]) -> String {
    let (id, _) = t.add_staff(username, roles, false).await;
    patron::areas::staff::keys::issue_token(&t.ctx(), username, id, None)
        .await
        .expect("token")
        .1
}

/// `token` for a staff member holding one role at HQ.
pub async fn hq_token(t: &TestApp, username: &str, role: &str) -> String {
    token(t, username, &[(role, t.hq)]).await
}

/// Adds an active store named "`code` 店" in Shanghai's time zone; returns its id. The cache
/// is cleared so that the running app sees the store at once.
pub async fn add_store(t: &TestApp, code: &str) -> i64 {
    let id = patron::areas::staff::create_store(
        &t.ctx(),
        &patron::areas::staff::StoreInput {
            code: code.into(),
            name: format!("{code} 店"),
            time_zone: "Asia/Shanghai".into(),
            active: true,
            email: String::new(),
        },
    )
    .await
    .expect("store")
    .id;
    t.app.cache.invalidate();
    id
}

/// Gives a member points through the ledger (entry, balance and lot together), dated today.
pub async fn give_points(t: &TestApp, member_id: i64, points: i64) {
    let now = t.app.clock.now();
    t.app
        .db
        .write(move |tx| {
            Box::pin(async move {
                patron::areas::points::ledger::credit_in(
                    tx,
                    &patron::areas::points::ledger::Change {
                        member_id,
                        points,
                        kind: "adjustment",
                        store_id: None,
                        source_ref: "test",
                        staff_id: None,
                        note: "",
                        today: now.date_naive(),
                        now,
                    },
                    12,
                )
                .await
            })
        })
        .await
        .expect("credit");
}

/// The member's stored points balance.
pub async fn balance(t: &TestApp, member_id: i64) -> i64 {
    t.scalar(
        "select points_balance from members where id = $1",
        member_id,
    )
    .await
}

/// How many of the gift `code` the store has (0 when it never had any).
pub async fn on_hand(t: &TestApp, store_id: i64, code: &str) -> i64 {
    let code = code.to_string();
    patron::on_db!(t.app.db, |p| {
        sqlx::query_scalar::<_, i64>(
            "select coalesce((select s.on_hand from gift_stock s join gifts g on g.id = s.gift_id \
             where s.store_id = $1 and g.code = $2), 0)",
        )
        .bind(store_id)
        .bind(code)
        .fetch_one(p)
        .await
        .expect("on hand")
    })
}

/// Sets a member's portal password to `PASSWORD` directly, with no forced change (the portal
/// tests cover the first-login change).
pub async fn set_portal_password(t: &TestApp, member_id: i64) {
    let hash = patron::auth::password::hash(PASSWORD).await.expect("hash");
    t.app
        .db
        .write(move |tx| {
            let hash = hash.clone();
            Box::pin(async move {
                patron::on_tx!(tx, |c| {
                    sqlx::query(
                        "update members set portal_password_hash = $1, portal_must_change = false where id = $2",
                    )
                    .bind(&hash)
                    .bind(member_id)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                Ok::<_, patron::kernel::db::DbError>(())
            })
        })
        .await
        .expect("portal password");
}

/// The first portal password the welcome message carries (read from the outbox before it is
/// sent).
pub async fn welcome_password(t: &TestApp, member_id: i64) -> String {
    let payload: String = patron::on_db!(t.app.db, |p| {
        sqlx::query_scalar("select payload from outbox where member_id = $1 and kind = 'welcome'")
            .bind(member_id)
            .fetch_one(p)
            .await
            .expect("welcome message")
    });
    let v: serde_json::Value = serde_json::from_str(&payload).expect("json");
    v["password"].as_str().expect("password").to_string()
}
