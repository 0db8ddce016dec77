-- Group-buy vouchers (SPEC E): settings, series, one row per voucher, the append-only movement
-- ledger, and the department's documents (requisitions, customer register, sales, cheques,
-- deposit slips, cash journal, rebates, write-offs, daily reports, month-end reconciliations).
-- Generated for both backends by scripts/gen-migration.py from migrations/template/.

-- Whether the tills of a store must enter the check code (api/pos.md; on unless turned off).
alter table stores add column voucher_check_code boolean not null default true;

create table gb_settings (
    id                             integer primary key check (id = 1),
    cash_limit_organisation_fen    integer not null default 500000,
    cash_limit_person_fen          integer not null default 5000000,
    real_name_from_fen             integer not null default 1000000,
    anonymous_max_face_fen         integer not null default 100000,
    anonymous_min_validity_months  integer not null default 36,
    cheque_clear_days              integer not null default 3,
    report_time                    text not null default '17:00',
    wrong_codes_per_minute         integer not null default 5,
    rebate_unit_fen                integer not null default 10000
);
insert into gb_settings (id) values (1);

-- Rebate tiers (返奖标准, E9): from this purchase amount on, this rate.
create table gb_rebate_tiers (
    min_purchase_fen  integer primary key,
    rate_permille     integer not null check (rate_permille > 0 and rate_permille < 1000)
);
insert into gb_rebate_tiers (min_purchase_fen, rate_permille) values
    (1000000, 20), (5000000, 30), (10000000, 50);

-- Numbers for documents (sale, requisition, deposit slip, rebate slip, reconciliation number).
create table doc_counters (
    kind   text not null,
    scope  text not null,
    n      integer not null,
    primary key (kind, scope)
);

-- A print run of vouchers with one face value and expiry; serials first..last are its own.
create table voucher_series (
    id              integer primary key,
    code            text not null unique,
    name            text not null,
    face_value_fen  integer not null check (face_value_fen > 0),
    named           boolean not null default false,
    expires_on      text not null,
    first_serial    integer not null,
    last_serial     integer not null,
    created_at      text not null,
    created_by      integer references staff(id)
);

-- One row per paper voucher: its state changes only together with a movement row.
create table vouchers (
    serial_no          integer primary key,
    series_id          integer not null references voucher_series(id),
    face_value_fen     integer not null,
    state              text not null,
    store_id           integer references stores(id),
    requisition_id     integer,
    sale_id            integer,
    rebate_id          integer,
    redeemed_at        text,
    redeemed_store_id  integer,
    redeemed_till      text,
    redeemed_receipt   text
);
create index vouchers_store_state on vouchers(store_id, state);
create index vouchers_sale on vouchers(sale_id);
create index vouchers_requisition on vouchers(requisition_id);

-- The ledger of stock (E1): every change of state of a range, who, when and why.
create table voucher_movements (
    id            integer primary key,
    at            text not null,
    biz_date      text not null,
    store_id      integer references stores(id),
    kind          text not null,
    first_serial  integer not null,
    last_serial   integer not null,
    count         integer not null check (count > 0),
    amount_fen    integer not null,
    from_state    text not null,
    to_state      text not null,
    doc_kind      text,
    doc_id        integer,
    staff_id      integer references staff(id),
    till_id       text,
    note          text not null default ''
);
create index voucher_movements_store_date on voucher_movements(store_id, biz_date);
create index voucher_movements_doc on voucher_movements(doc_kind, doc_id);

-- Requisition (请示报告单 → 领券, E2).
create table gb_requisitions (
    id                integer primary key,
    req_no            text not null unique,
    store_id          integer not null references stores(id),
    lines             text not null,
    total_count       integer not null,
    total_fen         integer not null,
    purpose           text not null,
    state             text not null,
    approval_id       integer references approvals(id),
    pickup_on         text,
    ranges            text not null default '',
    prepared_by       integer references staff(id),
    prepared_at       text,
    handed_by         integer references staff(id),
    handed_at         text,
    received_by       integer references staff(id),
    received_at       text,
    serials_checked   boolean not null default false,
    seal_checked      boolean not null default false,
    quantity_checked  boolean not null default false,
    created_by        integer not null references staff(id),
    created_at        text not null
);

-- Buyers (客户资料登记表, E4): confidential; the phone is stored encrypted.
create table gb_buyers (
    id            integer primary key,
    kind          text not null,
    organisation  text not null default '',
    contact       text not null,
    phone_enc     text,
    phone_hash    text,
    created_at    text not null,
    created_by    integer references staff(id)
);
create index gb_buyers_org on gb_buyers(organisation);
create index gb_buyers_phone on gb_buyers(phone_hash);

create table gb_sales (
    id              integer primary key,
    sale_no         text not null unique,
    store_id        integer not null references stores(id),
    buyer_id        integer not null references gb_buyers(id),
    buyer_kind      text not null,
    payment         text not null,
    state           text not null,
    count           integer not null,
    amount_fen      integer not null,
    biz_date        text not null,
    expires_on      text not null,
    cheque_no       text,
    bank            text,
    account_name    text,
    account_no      text,
    due_on          text,
    counter_slip_no text,
    released_at     text,
    released_by     integer references staff(id),
    released_on     text,
    release_reason  text,
    bounced_at      text,
    bounced_by      integer references staff(id),
    bounce_reason   text,
    real_name       text,
    id_number_enc   text,
    deposit_id      integer,
    rebate_id       integer,
    request_key     text unique,
    created_by      integer not null references staff(id),
    created_at      text not null
);
create index gb_sales_store_date on gb_sales(store_id, biz_date);
create index gb_sales_buyer on gb_sales(buyer_id);
create index gb_sales_state on gb_sales(state);

create table gb_sale_lines (
    sale_id          integer not null references gb_sales(id),
    line_no          integer not null,
    first_serial     integer not null,
    last_serial      integer not null,
    count            integer not null,
    series_face_fen  integer not null,
    face_value_fen   integer not null,
    amount_fen       integer not null,
    change_reason    text not null default '',
    primary key (sale_id, line_no)
);

-- Internal deposit slips (内部进帐单, E5-E6): money paid in to finance.
create table gb_deposits (
    id          integer primary key,
    deposit_no  text not null unique,
    store_id    integer not null references stores(id),
    biz_date    text not null,
    kind        text not null,
    amount_fen  integer not null,
    sales       integer not null,
    created_by  integer not null references staff(id),
    created_at  text not null
);

-- The department's cash journal (现金日记帐): money in from buyers, out to finance; voucher
-- receipts as memo lines with their count.
create table gb_journal (
    id          integer primary key,
    store_id    integer not null references stores(id),
    at          text not null,
    biz_date    text not null,
    kind        text not null,
    summary     text not null,
    doc_no      text not null,
    vouchers    integer not null default 0,
    debit_fen   integer not null default 0,
    credit_fen  integer not null default 0,
    staff_id    integer references staff(id)
);
create index gb_journal_store_date on gb_journal(store_id, biz_date);

-- Rebates (返扣单 and 返扣领取表, E9).
create table gb_rebates (
    id              integer primary key,
    rebate_no       text not null unique,
    store_id        integer not null references stores(id),
    buyer_id        integer not null references gb_buyers(id),
    purchase_fen    integer not null,
    rate_permille   integer not null,
    rebate_fen      integer not null,
    state           text not null,
    approval_id     integer references approvals(id),
    recon_no        text unique,
    notified_at     text,
    notified_by     integer references staff(id),
    notified_how    text,
    paid_at         text,
    paid_by         integer references staff(id),
    paid_on         text,
    signed_name     text,
    expires_on      text,
    created_by      integer not null references staff(id),
    created_at      text not null
);

-- Void, damaged and lost vouchers (E11): with reason and approval.
create table gb_writeoffs (
    id           integer primary key,
    store_id     integer not null references stores(id),
    kind         text not null,
    ranges       text not null,
    count        integer not null,
    amount_fen   integer not null,
    reason       text not null,
    state        text not null,
    approval_id  integer references approvals(id),
    created_by   integer not null references staff(id),
    created_at   text not null
);

-- The 17:00 report (E7) as generated by the job.
create table gb_daily_reports (
    store_id      integer not null references stores(id),
    biz_date      text not null,
    generated_at  text not null,
    figures       text not null,
    primary key (store_id, biz_date)
);

-- Month-end reconciliation (E10): the figures as the department signed them; finance signs the
-- same figures; then the month is closed.
create table gb_reconciliations (
    id                 integer primary key,
    store_id           integer not null references stores(id),
    month              text not null,
    figures            text not null,
    dept_signed_by     integer references staff(id),
    dept_signed_at     text,
    finance_signed_by  integer references staff(id),
    finance_signed_at  text,
    closed             boolean not null default false,
    unique (store_id, month)
);

-- Wrong check codes per till key and minute (E13).
create table voucher_code_failures (
    till_key_id  integer not null,
    minute       text not null,
    failures     integer not null,
    primary key (till_key_id, minute)
);

create trigger voucher_movements_no_update before update on voucher_movements
begin
    select raise(abort, 'voucher_movements is append-only');
end;
create trigger voucher_movements_no_delete before delete on voucher_movements
begin
    select raise(abort, 'voucher_movements is append-only');
end;
create trigger gb_journal_no_update before update on gb_journal
begin
    select raise(abort, 'gb_journal is append-only');
end;
create trigger gb_journal_no_delete before delete on gb_journal
begin
    select raise(abort, 'gb_journal is append-only');
end;
create trigger gb_reconciliations_closed before update on gb_reconciliations
when old.closed
begin
    select raise(abort, 'a closed month never changes');
end;
create trigger gb_reconciliations_no_delete before delete on gb_reconciliations
when old.closed
begin
    select raise(abort, 'a closed month never changes');
end;
