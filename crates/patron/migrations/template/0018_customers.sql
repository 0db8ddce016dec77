-- The business calendar's stored part and the organisation customers (SPEC F1, F2, F4, F8;
-- issue 14).
--
-- Calendar: each working calendar (the offices, the sales floor, the service desk) has weekly
-- hours per weekday, written `09:00-12:00,13:00-17:30` ('' = not worked), and dated overrides
-- that replace a weekday's hours for one date: a public holiday ('') or a make-up workday (调休).
-- Festival dates are computed (core `calendar::festivals`); `festival_dates` keeps only the dates
-- someone corrected, which replace the computed ones.

create table work_calendars (
    code      text primary key,
    name_zh   text not null,
    name_en   text not null,
    mon       text not null default '',
    tue       text not null default '',
    wed       text not null default '',
    thu       text not null default '',
    fri       text not null default '',
    sat       text not null default '',
    sun       text not null default '',
    updated_by INT references staff(id),
    updated_at TS
);

insert into work_calendars (code, name_zh, name_en, mon, tue, wed, thu, fri, sat, sun) values
    ('office', '部门办公', 'Department offices',
     '09:00-12:00,13:00-17:30', '09:00-12:00,13:00-17:30', '09:00-12:00,13:00-17:30',
     '09:00-12:00,13:00-17:30', '09:00-12:00,13:00-17:30', '', ''),
    ('floor', '商场营业', 'Sales floor',
     '10:00-22:00', '10:00-22:00', '10:00-22:00', '10:00-22:00', '10:00-22:00',
     '10:00-22:00', '10:00-22:00'),
    ('service', '客服中心', 'Customer service',
     '09:00-21:00', '09:00-21:00', '09:00-21:00', '09:00-21:00', '09:00-21:00',
     '09:00-21:00', '09:00-21:00');

create table calendar_days (
    calendar   text not null references work_calendars(code),
    on_date    DATE not null,
    -- '' = not worked (a holiday); otherwise the hours worked that day (a make-up workday)
    hours      text not null,
    note       text not null default '',
    updated_by INT references staff(id),
    updated_at TS not null,
    primary key (calendar, on_date)
);

create table festival_dates (
    year       INT not null,
    code       text not null,
    on_date    DATE not null,
    updated_by INT references staff(id),
    updated_at TS not null,
    primary key (year, code)
);

-- Customer settings (one row): callback cadence per grade, the pool rules.
create table customer_settings (
    id                  INT primary key check (id = 1),
    cadence_a_days      INT not null default 14 check (cadence_a_days between 1 and 366),
    cadence_b_days      INT not null default 14 check (cadence_b_days between 1 and 366),
    cadence_c_days      INT not null default 14 check (cadence_c_days between 1 and 366),
    -- a new customer with no callback this many days after being recorded returns to the pool
    first_contact_days  INT not null default 7 check (first_contact_days between 1 and 366),
    -- the owner is warned this many days before a customer would return to the pool
    warn_days           INT not null default 3 check (warn_days between 0 and 30),
    -- how many customers one person may hold by claiming from the pool
    claim_cap           INT not null default 50 check (claim_cap between 0 and 100000),
    updated_by          INT references staff(id),
    updated_at          TS
);
insert into customer_settings (id) values (1);

-- The customer file (客户资料, F1). `name_key` is the name with spaces and brackets folded, so
-- "某某公司" and "某某 公司（ ）" are one customer; `credit_code` is the unified social credit code
-- (统一社会信用代码) when given. Both are unique: of two salespeople recording the same
-- organisation at once, the first insert wins and the second is refused naming the owner.
-- `owner_staff_id` null = in the shared pool (公海).
create table customers (
    id               ID_PK,
    name             text not null,
    name_key         text not null,
    credit_code      text,
    kind             text not null check (kind in ('enterprise', 'government', 'collective', 'individual')),
    grade            text not null check (grade in ('A', 'B', 'C')),
    address          text not null default '',
    credit_note      text not null default '',
    notes            text not null default '',
    store_id         INT not null references stores(id),
    owner_staff_id   INT references staff(id),
    owned_since      TS,
    state            text not null default 'active' check (state in ('active', 'archived')),
    archived_at      TS,
    archived_reason  text not null default '',
    -- the last callback logged (any caller); null = never contacted
    last_contact_at  TS,
    -- the day the owner was last warned that this customer is about to return to the pool
    pool_warned_on   DATE,
    created_by       INT references staff(id),
    created_at       TS not null
);
create unique index customers_name_key on customers(name_key);
create unique index customers_credit_code on customers(credit_code) where credit_code is not null;
create index customers_owner on customers(owner_staff_id, state);
create index customers_state_contact on customers(state, last_contact_at);

-- Contacts: the phone is personal data, encrypted (kernel/pii.rs) with a masked copy for lists.
create table customer_contacts (
    id            ID_PK,
    customer_id   INT not null references customers(id),
    name          text not null,
    title         text not null default '',
    phone_enc     text,
    phone_masked  text not null default '',
    phone_hash    text,
    is_primary    INT not null default 0,
    created_by    INT references staff(id),
    created_at    TS not null
);
create index customer_contacts_customer on customer_contacts(customer_id, id);
create index customer_contacts_phone on customer_contacts(phone_hash);

-- Every change of owner (append-only): recorded, claimed from the pool, reassigned or balanced by
-- a manager, returned to the pool (no contact in time) — who, when, why.
create table customer_owners (
    id             ID_PK,
    customer_id    INT not null references customers(id),
    from_staff_id  INT references staff(id),
    to_staff_id    INT references staff(id),
    reason         text not null check (reason in ('recorded', 'claimed', 'reassigned', 'balanced', 'returned', 'archived', 'restored')),
    note           text not null default '',
    by_staff_id    INT references staff(id),
    at             TS not null
);
create index customer_owners_customer on customer_owners(customer_id, id);

-- The callback log (客户回访登记本, F4, F8), append-only. `owner_staff_id` is the owner when the
-- call was made (what the appraisal counts); `caller_staff_id` who made it.
create table customer_callbacks (
    id               ID_PK,
    customer_id      INT not null references customers(id),
    at               TS not null,
    way              text not null check (way in ('visit', 'phone', 'mail')),
    summary          text not null,
    outcome          text not null default '',
    next_step        text not null default '',
    caller_staff_id  INT not null references staff(id),
    owner_staff_id   INT references staff(id),
    store_id         INT not null references stores(id),
    biz_date         DATE not null,
    request_key      text unique,
    created_at       TS not null
);
create index customer_callbacks_customer on customer_callbacks(customer_id, at);
create index customer_callbacks_caller on customer_callbacks(caller_staff_id, biz_date);
create index customer_callbacks_date on customer_callbacks(biz_date);

-- sqlite:
create trigger customer_owners_no_update before update on customer_owners
begin
    select raise(abort, 'customer_owners is append-only');
end;
create trigger customer_owners_no_delete before delete on customer_owners
begin
    select raise(abort, 'customer_owners is append-only');
end;
create trigger customer_callbacks_no_update before update on customer_callbacks
begin
    select raise(abort, 'customer_callbacks is append-only');
end;
create trigger customer_callbacks_no_delete before delete on customer_callbacks
begin
    select raise(abort, 'customer_callbacks is append-only');
end;
create trigger customers_no_delete before delete on customers
begin
    select raise(abort, 'customers are archived, never deleted');
end;
-- postgres:
create trigger customer_owners_no_update before update or delete on customer_owners
    for each row execute function gb_append_only();
create trigger customer_owners_no_truncate before truncate on customer_owners
    for each statement execute function gb_append_only();
create trigger customer_callbacks_no_update before update or delete on customer_callbacks
    for each row execute function gb_append_only();
create trigger customer_callbacks_no_truncate before truncate on customer_callbacks
    for each statement execute function gb_append_only();
-- both
-- postgres:
create trigger customers_no_delete before delete on customers
    for each row execute function gb_append_only();
-- both

-- Group-buy buyers carry their organisation's folded name (core `identity::organisation_key`),
-- by which a customer's purchase history is found; rows from before are filled by the customers
-- area's linking job.
alter table gb_buyers add column org_key text;
create index gb_buyers_org_key on gb_buyers(org_key);
