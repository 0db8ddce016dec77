//! SQL of `patron bench reports`: members, receipts and points entries loaded straight into
//! their tables in set-based statements (numbers only, never input), a chunk per statement.

/// A series of integers `from+1 ..= from+n` as a table `s(i)`.
pub(crate) fn series(pg: bool, from: u64, n: u64) -> String {
    let last = from + n;
    if pg {
        format!(
            "generate_series(CAST({} AS BIGINT), CAST({last} AS BIGINT)) as s(i)",
            from + 1
        )
    } else {
        format!(
            "(with recursive q(i) as (select {} union all select i + 1 from q where i < {last}) \
             select i from q) as s",
            from + 1
        )
    }
}

/// `n` members numbered from `from` over the three stores, the four tiers (70/20/8/2 %), the
/// seven channels, joined over five years back from 2026-09-25.
pub fn members_statement(pg: bool, stores: [i64; 3], from: u64, n: u64) -> String {
    let joined = if pg {
        "(date '2026-09-25' - CAST(s.i % 1826 AS INT))".to_owned()
    } else {
        "date('2026-09-25', '-' || (s.i % 1826) || ' days')".to_owned()
    };
    let [a, b, c] = stores;
    format!(
        "insert into members (name, channel, store_id, tier_code, tier_since, joined_on, \
         created_at, points_balance) select 'M' || s.i, \
         case s.i % 7 when 0 then 'desk' when 1 then 'website' when 2 then 'social' \
         when 3 then 'ecommerce' when 4 then 'event' when 5 then 'partner' else 'referral' end, \
         case s.i % 3 when 0 then {a} when 1 then {b} else {c} end, \
         case when s.i % 100 < 70 then 'normal' when s.i % 100 < 90 then 'silver' \
         when s.i % 100 < 98 then 'gold' else 'platinum' end, \
         {joined}, {joined}, {now}, 0 from {series}",
        now = if pg {
            "now()"
        } else {
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
        },
        series = series(pg, from, n)
    )
}

/// `n` receipts numbered from `from`, each for one of the first `buyers` members after
/// `first_id - 1` (the rest never buy: the dormant), at the member's store, spread over two
/// years back from 2026-09-25.
pub fn receipts_statement(pg: bool, first_id: i64, buyers: u64, from: u64, n: u64) -> String {
    let at = if pg {
        "(timestamptz '2026-09-25 10:00:00+08' - make_interval(mins => CAST(s.i % 1051200 AS INT)))"
            .to_owned()
    } else {
        "strftime('%Y-%m-%dT%H:%M:%S+00:00', '2026-09-25 02:00:00', '-' || (s.i % 1051200) || ' minutes')"
            .to_owned()
    };
    let buyers = buyers.max(1);
    format!(
        "insert into receipts (store_id, receipt_no, till_id, source, member_id, card_no, \
         occurred_at, total_fen, points, lines, body_hash, balance_after, tier_code, tier_changed, \
         created_at) select m.store_id, 'B' || s.i, 'T01', 'import', m.id, 'C' || m.id, {at}, \
         1000 + (s.i % 50000), 0, '[]', 'bench', 0, m.tier_code, false, {at} from {series} \
         join members m on m.id = {first_id} + ((s.i * 7919) % {buyers})",
        series = series(pg, from, n)
    )
}

/// One points entry per receipt with ids in `from+1 ..= from+n`: mostly accruals, every
/// seventh a redemption, every thirteenth an expiry.
pub fn entries_statement(from: u64, n: u64) -> String {
    format!(
        "insert into point_entries (member_id, at, kind, points, balance_after, store_id, \
         source_ref) select member_id, occurred_at, \
         case when id % 13 = 0 then 'expiry' when id % 7 = 0 then 'redeem' else 'accrual' end, \
         case when id % 13 = 0 then -(total_fen / 400) when id % 7 = 0 then -(total_fen / 200) \
         else total_fen / 100 end, 0, \
         case when id % 13 = 0 then null else store_id end, receipt_no from receipts \
         where id > {from} and id <= {last}",
        last = from + n
    )
}

/// Members with ids in `from+1 ..= from+n` (after `first_id - 1`) hold the sum of their entries,
/// as the ledger would have kept it (never below nought).
pub fn balances_statement(first_id: i64, from: u64, n: u64) -> String {
    let (lo, hi) = (first_id + from as i64, first_id + (from + n) as i64 - 1);
    format!(
        "update members set points_balance = coalesce((select case when sum(e.points) > 0 \
         then sum(e.points) else 0 end from point_entries e where e.member_id = members.id), 0) \
         where id between {lo} and {hi}"
    )
}

/// One lot per member holding its balance, as the ledger's lots would (C6).
pub fn lots_statement(first_id: i64, from: u64, n: u64) -> String {
    let (lo, hi) = (first_id + from as i64, first_id + (from + n) as i64 - 1);
    format!(
        "insert into point_lots (member_id, expires_on, earned, remaining) \
         select id, '2028-12-31', points_balance, points_balance from members \
         where points_balance > 0 and id between {lo} and {hi}"
    )
}
