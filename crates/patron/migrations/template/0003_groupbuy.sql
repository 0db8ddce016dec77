-- Group-buy vouchers (SPEC E): settings, series, one row per voucher, the append-only movement
-- ledger, and the department's documents (requisitions, customer register, sales, cheques,
-- deposit slips, cash journal, rebates, write-offs, daily reports, month-end reconciliations).
-- Generated for both backends by scripts/gen-migration.py from migrations/template/.

-- Whether the tills of a store must enter the check code (api/pos.md; on unless turned off).
alter table stores add column voucher_check_code boolean not null default true;

create table gb_settings (
    id                             integer primary key check (id = 1),
    cash_limit_organisation_fen    INT not null default 500000,
    cash_limit_person_fen          INT not null default 5000000,
    real_name_from_fen             INT not null default 1000000,
    anonymous_max_face_fen         INT not null default 100000,
    anonymous_min_validity_months  INT not null default 36,
    cheque_clear_days              INT not null default 3,
    report_time                    text not null default '17:00',
    wrong_codes_per_minute         INT not null default 5,
    rebate_unit_fen                INT not null default 10000
);
insert into gb_settings (id) values (1);

-- Rebate tiers (返奖标准, E9): from this purchase amount on, this rate.
create table gb_rebate_tiers (
    min_purchase_fen  INT primary key,
    rate_permille     INT not null check (rate_permille > 0 and rate_permille < 1000)
);
insert into gb_rebate_tiers (min_purchase_fen, rate_permille) values
    (1000000, 20), (5000000, 30), (10000000, 50);

-- Numbers for documents (sale, requisition, deposit slip, rebate slip, reconciliation number).
create table doc_counters (
    kind   text not null,
    scope  text not null,
    n      INT not null,
    primary key (kind, scope)
);

-- A print run of vouchers with one face value and expiry; serials first..last are its own.
create table voucher_series (
    id              ID_PK,
    code            text not null unique,
    name            text not null,
    face_value_fen  INT not null check (face_value_fen > 0),
    named           boolean not null default false,
    expires_on      DATE not null,
    first_serial    INT not null,
    last_serial     INT not null,
    created_at      TS not null,
    created_by      INT references staff(id)
);

-- One row per paper voucher: its state changes only together with a movement row.
create table vouchers (
    serial_no          INT primary key,
    series_id          INT not null references voucher_series(id),
    face_value_fen     INT not null,
    state              text not null,
    store_id           INT references stores(id),
    requisition_id     INT,
    sale_id            INT,
    rebate_id          INT,
    redeemed_at        TS,
    redeemed_store_id  INT,
    redeemed_till      text,
    redeemed_receipt   text
);
create index vouchers_store_state on vouchers(store_id, state);
create index vouchers_sale on vouchers(sale_id);
create index vouchers_requisition on vouchers(requisition_id);

-- The ledger of stock (E1): every change of state of a range, who, when and why.
create table voucher_movements (
    id            ID_PK,
    at            TS not null,
    biz_date      DATE not null,
    store_id      INT references stores(id),
    kind          text not null,
    first_serial  INT not null,
    last_serial   INT not null,
    count         INT not null check (count > 0),
    amount_fen    INT not null,
    from_state    text not null,
    to_state      text not null,
    doc_kind      text,
    doc_id        INT,
    staff_id      INT references staff(id),
    till_id       text,
    note          text not null default ''
);
create index voucher_movements_store_date on voucher_movements(store_id, biz_date);
create index voucher_movements_doc on voucher_movements(doc_kind, doc_id);

-- Requisition (请示报告单 → 领券, E2).
create table gb_requisitions (
    id                ID_PK,
    req_no            text not null unique,
    store_id          INT not null references stores(id),
    lines             text not null,
    total_count       INT not null,
    total_fen         INT not null,
    purpose           text not null,
    state             text not null,
    approval_id       INT references approvals(id),
    pickup_on         DATE,
    ranges            text not null default '',
    prepared_by       INT references staff(id),
    prepared_at       TS,
    handed_by         INT references staff(id),
    handed_at         TS,
    received_by       INT references staff(id),
    received_at       TS,
    serials_checked   boolean not null default false,
    seal_checked      boolean not null default false,
    quantity_checked  boolean not null default false,
    created_by        INT not null references staff(id),
    created_at        TS not null
);

-- Buyers (客户资料登记表, E4): confidential; the phone is stored encrypted.
create table gb_buyers (
    id            ID_PK,
    kind          text not null,
    organisation  text not null default '',
    contact       text not null,
    phone_enc     text,
    phone_hash    text,
    created_at    TS not null,
    created_by    INT references staff(id)
);
create index gb_buyers_org on gb_buyers(organisation);
create index gb_buyers_phone on gb_buyers(phone_hash);

create table gb_sales (
    id              ID_PK,
    sale_no         text not null unique,
    store_id        INT not null references stores(id),
    buyer_id        INT not null references gb_buyers(id),
    buyer_kind      text not null,
    payment         text not null,
    state           text not null,
    count           INT not null,
    amount_fen      INT not null,
    biz_date        DATE not null,
    expires_on      DATE not null,
    cheque_no       text,
    bank            text,
    account_name    text,
    account_no      text,
    due_on          DATE,
    counter_slip_no text,
    released_at     TS,
    released_by     INT references staff(id),
    released_on     DATE,
    release_reason  text,
    bounced_at      TS,
    bounced_by      INT references staff(id),
    bounce_reason   text,
    real_name       text,
    id_number_enc   text,
    deposit_id      INT,
    rebate_id       INT,
    request_key     text unique,
    created_by      INT not null references staff(id),
    created_at      TS not null
);
create index gb_sales_store_date on gb_sales(store_id, biz_date);
create index gb_sales_buyer on gb_sales(buyer_id);
create index gb_sales_state on gb_sales(state);

create table gb_sale_lines (
    sale_id          INT not null references gb_sales(id),
    line_no          INT not null,
    first_serial     INT not null,
    last_serial      INT not null,
    count            INT not null,
    series_face_fen  INT not null,
    face_value_fen   INT not null,
    amount_fen       INT not null,
    change_reason    text not null default '',
    primary key (sale_id, line_no)
);

-- Internal deposit slips (内部进帐单, E5-E6): money paid in to finance.
create table gb_deposits (
    id          ID_PK,
    deposit_no  text not null unique,
    store_id    INT not null references stores(id),
    biz_date    DATE not null,
    kind        text not null,
    amount_fen  INT not null,
    sales       INT not null,
    created_by  INT not null references staff(id),
    created_at  TS not null
);

-- The department's cash journal (现金日记帐): money in from buyers, out to finance; voucher
-- receipts as memo lines with their count.
create table gb_journal (
    id          ID_PK,
    store_id    INT not null references stores(id),
    at          TS not null,
    biz_date    DATE not null,
    kind        text not null,
    summary     text not null,
    doc_no      text not null,
    vouchers    INT not null default 0,
    debit_fen   INT not null default 0,
    credit_fen  INT not null default 0,
    staff_id    INT references staff(id)
);
create index gb_journal_store_date on gb_journal(store_id, biz_date);

-- Rebates (返扣单 and 返扣领取表, E9).
create table gb_rebates (
    id              ID_PK,
    rebate_no       text not null unique,
    store_id        INT not null references stores(id),
    buyer_id        INT not null references gb_buyers(id),
    purchase_fen    INT not null,
    rate_permille   INT not null,
    rebate_fen      INT not null,
    state           text not null,
    approval_id     INT references approvals(id),
    recon_no        text unique,
    notified_at     TS,
    notified_by     INT references staff(id),
    notified_how    text,
    paid_at         TS,
    paid_by         INT references staff(id),
    paid_on         DATE,
    signed_name     text,
    expires_on      DATE,
    created_by      INT not null references staff(id),
    created_at      TS not null
);

-- Void, damaged and lost vouchers (E11): with reason and approval.
create table gb_writeoffs (
    id           ID_PK,
    store_id     INT not null references stores(id),
    kind         text not null,
    ranges       text not null,
    count        INT not null,
    amount_fen   INT not null,
    reason       text not null,
    state        text not null,
    approval_id  INT references approvals(id),
    created_by   INT not null references staff(id),
    created_at   TS not null
);

-- The 17:00 report (E7) as generated by the job.
create table gb_daily_reports (
    store_id      INT not null references stores(id),
    biz_date      DATE not null,
    generated_at  TS not null,
    figures       text not null,
    primary key (store_id, biz_date)
);

-- Month-end reconciliation (E10): the figures as the department signed them; finance signs the
-- same figures; then the month is closed.
create table gb_reconciliations (
    id                 ID_PK,
    store_id           INT not null references stores(id),
    month              text not null,
    figures            text not null,
    dept_signed_by     INT references staff(id),
    dept_signed_at     TS,
    finance_signed_by  INT references staff(id),
    finance_signed_at  TS,
    closed             boolean not null default false,
    unique (store_id, month)
);

-- Wrong check codes per till key and minute (E13).
create table voucher_code_failures (
    till_key_id  INT not null,
    minute       text not null,
    failures     INT not null,
    primary key (till_key_id, minute)
);

-- sqlite:
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
-- postgres:
create function gb_append_only() returns trigger language plpgsql as $$
begin
    raise exception '% is append-only', tg_table_name;
end;
$$;
create trigger voucher_movements_no_update before update or delete on voucher_movements
    for each row execute function gb_append_only();
create trigger voucher_movements_no_truncate before truncate on voucher_movements
    for each statement execute function gb_append_only();
create trigger gb_journal_no_update before update or delete on gb_journal
    for each row execute function gb_append_only();
create function gb_month_closed() returns trigger language plpgsql as $$
begin
    if old.closed then
        raise exception 'a closed month never changes';
    end if;
    if tg_op = 'DELETE' then
        return old;
    end if;
    return new;
end;
$$;
create trigger gb_reconciliations_closed before update or delete on gb_reconciliations
    for each row execute function gb_month_closed();
-- both
