-- Members, cards, tiers, the points ledger, receipts from the tills, the outbox and job runs
-- (SPEC B, C, L, P). Dates are text, timestamps TIMESTAMP (TEXT on SQLite).

-- One row of loyalty settings (configurable in the console, audited).
create table loyalty_settings (
    id                           integer primary key check (id = 1),
    card_valid_months            integer not null default 12,
    points_valid_months          integer not null default 24,
    tier_window_months           integer not null default 12,
    birthday_multiplier_percent  integer not null default 200,
    redeem_points                integer not null default 100,
    redeem_value_fen             integer not null default 1000,
    missed_points_approval_fen   integer not null default 500000,
    annual_downgrade             boolean not null default true,
    portal_max_failures          integer not null default 5,
    portal_lock_minutes          integer not null default 15,
    expiry_reminder_days         integer not null default 30
);
insert into loyalty_settings (id) values (1);

-- Tiers (B7-B8): thresholds within the rolling window, and benefits.
create table tiers (
    code             text primary key,
    rank             integer not null unique,
    name_zh          text not null,
    name_en          text not null,
    points_per_yuan  integer not null,
    discount_percent integer not null,
    min_spend_fen    integer not null,
    min_count        integer not null default 0,
    needs_approval   boolean not null default false,
    referral_points  integer not null default 0,
    perks            text not null default ''
);
insert into tiers (code, rank, name_zh, name_en, points_per_yuan, discount_percent, min_spend_fen, min_count, needs_approval, referral_points, perks) values
 ('normal',   0, '普通会员', 'Regular',  1, 100, 0,        0,  false, 100, ''),
 ('silver',   1, '银卡',     'Silver',   2,  95, 1000000,  12, false, 300, 'birthday_gift'),
 ('gold',     2, '金卡',     'Gold',     3,  88, 5000000,  0,  false, 500, 'parking,priority_service,birthday_gift,event_priority'),
 ('platinum', 3, '白金卡',   'Platinum', 4,  75, 20000000, 0,  true,  800, 'parking,priority_service,birthday_gift,event_priority');

-- Card eligibility per store (B3): one receipt of at least min_receipt_fen, or of at least
-- counter_min_fen at one of the listed counters.
create table card_rules (
    store_id         integer primary key references stores(id),
    min_receipt_fen  integer not null default 100000,
    counter_min_fen  integer,
    counters         text not null default ''
);

create table card_sequences (
    store_id  integer primary key references stores(id),
    next_seq  integer not null
);

create table members (
    id                   integer primary key,
    name                 text not null,
    gender               text,
    birthday             text,
    birth_md             text,
    phone_enc            text,
    phone_hash           text unique,
    phone_masked         text,
    email                text,
    id_type              text,
    id_enc               text,
    id_hash              text unique,
    id_masked            text,
    address              text not null default '',
    occupation           text not null default '',
    channel              text not null,
    referrer_id          integer references members(id),
    marketing_consent    boolean not null default false,
    store_id             integer not null references stores(id),
    tier_code            text not null references tiers(code),
    tier_since           text not null,
    points_balance       integer not null default 0 check (points_balance >= 0),
    status               text not null default 'active',
    joined_on            text not null,
    created_at           text not null,
    closed_at            text,
    profile              text not null default '{}',
    notes                text not null default '',
    portal_password_hash text,
    portal_must_change   boolean not null default true,
    portal_failed        integer not null default 0,
    portal_locked_until  text
);
create index members_name on members(name);
create index members_birth_md on members(birth_md);
create index members_tier on members(tier_code);

create table cards (
    card_no            text primary key,
    member_id          integer not null references members(id),
    store_id           integer not null references stores(id),
    issued_on          text not null,
    expires_on         text not null,
    activated_at       text,
    state              text not null,
    replaced_by        text,
    opening_receipt_no text,
    created_at         text not null
);
create index cards_member on cards(member_id);
create unique index cards_one_live on cards(member_id) where state in ('issued', 'active', 'frozen');

-- Applications (B2-B4): submitted by a clerk, reviewed by customer service.
create table member_applications (
    id                   integer primary key,
    store_id             integer not null references stores(id),
    status               text not null,
    name                 text not null,
    data                 text not null,
    phone_hash           text,
    id_hash              text,
    receipt_no           text,
    receipt_fen          integer,
    counter              text,
    submitted_by         integer not null references staff(id),
    submitted_at         text not null,
    reviewed_by          integer references staff(id),
    reviewed_at          text,
    reason               text,
    member_id            integer references members(id)
);
create index member_applications_status on member_applications(status, store_id);

-- A receipt qualifies one card only (B3).
create table qualifying_receipts (
    store_id        integer not null references stores(id),
    receipt_no      text not null,
    application_id  integer not null references member_applications(id),
    primary key (store_id, receipt_no)
);

-- The points ledger (C8): append-only. A balance is the sum of a member's entries.
create table point_entries (
    id             integer primary key,
    member_id      integer not null references members(id),
    at             text not null,
    kind           text not null,
    points         integer not null,
    balance_after  integer not null,
    store_id       integer references stores(id),
    source_ref     text,
    till_id        text,
    staff_id       integer references staff(id),
    note           text not null default ''
);
create index point_entries_member on point_entries(member_id, id);
create index point_entries_kind_at on point_entries(kind, at);

-- What is left of the points earned per expiry date (C6): a projection of the ledger kept in
-- the same transaction as each entry. Spending takes the earliest expiry first.
create table point_lots (
    member_id   integer not null references members(id),
    expires_on  text not null,
    earned      integer not null default 0,
    remaining   integer not null check (remaining >= 0),
    primary key (member_id, expires_on)
);
create index point_lots_expiry on point_lots(expires_on) where remaining > 0;

-- Spend per member per month, for the tier window (B7).
create table member_spend (
    member_id   integer not null references members(id),
    month       text not null,
    amount_fen  integer not null,
    purchases   integer not null,
    primary key (member_id, month)
);

-- Receipts accrued (C1-C2): one per store and receipt number whatever the channel.
create table receipts (
    id            integer primary key,
    store_id      integer not null references stores(id),
    receipt_no    text not null,
    till_id       text,
    source        text not null,
    member_id     integer not null references members(id),
    card_no       text not null,
    occurred_at   text not null,
    total_fen     integer not null,
    points        integer not null,
    lines         text not null,
    returned      text not null default '{}',
    body_hash     text not null,
    balance_after integer not null,
    tier_code     text not null,
    tier_changed  boolean not null,
    staff_id      integer references staff(id),
    created_at    text not null,
    unique (store_id, receipt_no)
);
create index receipts_member on receipts(member_id, occurred_at);

create table point_returns (
    id                   integer primary key,
    store_id             integer not null references stores(id),
    return_no            text not null,
    receipt_id           integer not null references receipts(id),
    till_id              text,
    lines                text not null,
    body_hash            text not null,
    points_reversed      integer not null,
    cash_to_collect_fen  integer not null,
    balance_after        integer not null,
    created_at           text not null,
    unique (store_id, return_no)
);

create table point_redemptions (
    id             integer primary key,
    store_id       integer not null references stores(id),
    receipt_no     text not null,
    till_id        text,
    member_id      integer not null references members(id),
    points         integer not null,
    value_fen      integer not null,
    balance_after  integer not null,
    body_hash      text not null,
    created_at     text not null,
    unique (store_id, receipt_no)
);

create table tier_changes (
    id           integer primary key,
    member_id    integer not null references members(id),
    at           text not null,
    from_tier    text not null,
    to_tier      text not null,
    reason       text not null,
    staff_id     integer references staff(id)
);
create index tier_changes_member on tier_changes(member_id, id);

-- Notifications (L1): written in the same transaction as their event, sent once.
create table outbox (
    id               integer primary key,
    member_id        integer references members(id),
    kind             text not null,
    channel          text not null,
    dedupe_key       text not null unique,
    payload          text not null,
    marketing        boolean not null default false,
    status           text not null default 'pending',
    attempts         integer not null default 0,
    next_attempt_at  text not null,
    claimed_until    text,
    sent_at          text,
    last_error       text,
    created_at       text not null
);
create index outbox_due on outbox(status, next_attempt_at);

-- Timed work (DESIGN.md): one row per job and period, with a cursor so a run can resume.
create table job_runs (
    id           integer primary key,
    job          text not null,
    run_key      text not null,
    status       text not null,
    started_at   text not null,
    finished_at  text,
    processed    integer not null default 0,
    cursor       text,
    detail       text,
    unique (job, run_key)
);

-- Nobody edits or deletes a ledger entry: a correction is a new entry (C8).
create trigger point_entries_no_update before update on point_entries
begin
    select raise(abort, 'point_entries is append-only');
end;
create trigger point_entries_no_delete before delete on point_entries
begin
    select raise(abort, 'point_entries is append-only');
end;
