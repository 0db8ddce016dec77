//! The HTTP side of `patron bench vouchers`: range sales and releases from the desks with an
//! API token, redeems from the tills with their keys, each timed per request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use patron_core::vouchers::{Serial, SerialRange, check_code};

use crate::kernel::clock::ManualClock;

/// Posts JSON; the answer's JSON on success, or the status and body.
async fn post(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    body: String,
) -> Result<serde_json::Value, String> {
    let res = client
        .post(url)
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let bytes = res.bytes().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        Ok(serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    } else {
        Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)))
    }
}

/// Counts an error and shows the first few.
fn note_error(errors: &AtomicU64, what: &str, e: &str) {
    if errors.fetch_add(1, Ordering::Relaxed) < 5 {
        eprintln!("{what} failed: {e}");
    }
}

fn micros(t: Instant) -> u32 {
    u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX)
}

/// Sells `all` in ranges of `size` from `desks` concurrent desks, by transfer (reserved until
/// released); moves the clock a day on every 1/24th of the sales. Returns the sale ids, the
/// latencies in µs and the errors.
#[allow(clippy::too_many_arguments)]
pub(super) async fn sell_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    clock: &Arc<ManualClock>,
    all: SerialRange,
    size: u64,
    sales: u64,
    desks: usize,
) -> (Vec<i64>, Vec<u32>, u64) {
    let per_day = sales.div_ceil(24).max(1);
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let url = format!("{base}/api/v1/groupbuy/sales");
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    let mut tasks = Vec::new();
    for _ in 0..desks {
        let (client, url, token, next, errors, clock) = (
            client.clone(),
            url.clone(),
            token.to_string(),
            next.clone(),
            errors.clone(),
            clock.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let (mut ids, mut lat) = (Vec::new(), Vec::new());
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= sales {
                    break;
                }
                if i > 0 && i % per_day == 0 {
                    clock.advance(chrono::Duration::days(1));
                }
                let k = i64::try_from(i).unwrap_or(0);
                let lo = all.first.0 + k * size;
                let range = SerialRange::new(lo, (lo + size - 1).min(all.last.0));
                let body = serde_json::json!({
                    "store_code": "HQ",
                    "buyer": {
                        "kind": "organisation",
                        "organisation": format!("压测单位 {i}"),
                        "contact": "王经理",
                        "phone": "010-65001234",
                    },
                    "payment": "transfer",
                    "lines": [{ "range": range.to_string() }],
                    "bank": "工商银行王府井支行",
                    "account_name": format!("压测单位 {i}"),
                    "account_no": format!("02000010090{i:08}"),
                    "real_name": "王小明",
                    "id_number": "11010519491231002X",
                    "request_key": format!("bench-sale-{i}"),
                })
                .to_string();
                let t0 = Instant::now();
                let res = post(&client, &url, &token, body).await;
                lat.push(micros(t0));
                match res {
                    Ok(v) => match v["sale_id"].as_i64() {
                        Some(id) if v["count"].as_i64() == Some(range.count()) => ids.push(id),
                        _ => note_error(&errors, "a sale", &v.to_string()),
                    },
                    Err(e) => note_error(&errors, "a sale", &e),
                }
            }
            (ids, lat)
        }));
    }
    let (mut ids, mut lat) = (Vec::new(), Vec::new());
    for t in tasks {
        match t.await {
            Ok((mut i, mut l)) => {
                ids.append(&mut i);
                lat.append(&mut l);
            }
            Err(e) => note_error(&errors, "a desk", &e.to_string()),
        }
    }
    ids.sort_unstable();
    (ids, lat, errors.load(Ordering::Relaxed))
}

/// Releases every sale on a counter-deposit slip, from `desks` concurrent desks.
pub(super) async fn release_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    sale_ids: &[i64],
    desks: usize,
) -> (Vec<u32>, u64) {
    let ids = Arc::new(sale_ids.to_vec());
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..desks {
        let (client, base, token, next, errors, ids) = (
            client.clone(),
            base.to_string(),
            token.to_string(),
            next.clone(),
            errors.clone(),
            ids.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(id) = usize::try_from(i).ok().and_then(|i| ids.get(i)) else {
                    break;
                };
                let body = serde_json::json!({
                    "reason": "counter_deposit",
                    "counter_slip_no": format!("YH-BENCH-{id}"),
                })
                .to_string();
                let t0 = Instant::now();
                let res = post(
                    &client,
                    &format!("{base}/api/v1/groupbuy/sales/{id}/release"),
                    &token,
                    body,
                )
                .await;
                lat.push(micros(t0));
                if let Err(e) = res {
                    note_error(&errors, "a release", &e);
                }
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        match t.await {
            Ok(mut l) => lat.append(&mut l),
            Err(e) => note_error(&errors, "a desk", &e.to_string()),
        }
    }
    (lat, errors.load(Ordering::Relaxed))
}

/// The `i`th voucher to redeem: a permutation of the series (the multiplier is a prime larger
/// than any series), so no voucher is redeemed twice and they spread over every sale.
fn redeem_serial(all: SerialRange, i: u64) -> Serial {
    let n = u128::try_from(all.count()).unwrap_or(1).max(1);
    let k = (u128::from(i) * 2_654_435_761) % n;
    Serial(all.first.0 + i64::try_from(k).unwrap_or(0))
}

/// Redeems `count` vouchers of `all`, one till key per concurrent client.
pub(super) async fn redeem_many(
    client: &reqwest::Client,
    base: &str,
    keys: &[String],
    voucher_key: [u8; 32],
    all: SerialRange,
    count: u64,
) -> (Vec<u32>, u64) {
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for (t, key) in keys.iter().enumerate() {
        let (client, base, key, next, errors) = (
            client.clone(),
            base.to_string(),
            key.clone(),
            next.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let serial = redeem_serial(all, i);
                let body = serde_json::json!({
                    "store_code": "HQ",
                    "receipt_no": format!("V{t:03}-{i}"),
                    "check_code": check_code(&voucher_key, serial),
                })
                .to_string();
                let t0 = Instant::now();
                let res = post(
                    &client,
                    &format!("{base}/api/v1/pos/vouchers/{serial}/redeem"),
                    &key,
                    body,
                )
                .await;
                lat.push(micros(t0));
                match res {
                    Ok(v) if v["face_value_fen"].as_i64() == Some(10_000) => {}
                    Ok(v) => note_error(&errors, "a redeem", &v.to_string()),
                    Err(e) => note_error(&errors, "a redeem", &e),
                }
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        match t.await {
            Ok(mut l) => lat.append(&mut l),
            Err(e) => note_error(&errors, "a till", &e.to_string()),
        }
    }
    (lat, errors.load(Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redeemed_serials_are_distinct_and_within_the_series() {
        let all = SerialRange::new(1, 1_000);
        let mut seen: Vec<i64> = (0..1_000).map(|i| redeem_serial(all, i).0).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 1_000);
        assert_eq!(seen.first().copied(), Some(1));
        assert_eq!(seen.last().copied(), Some(1_000));
    }
}
