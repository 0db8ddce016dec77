-- The sales-floor reception rotation (轮见制, SPEC K1–K5).
--
-- A team (`code`, e.g. `floor-a`) belongs to a store. Its board is core's `rotation::Board` as
-- JSON, changed only inside a write that first moves `version` on by one: that update takes the
-- row's lock on PostgreSQL, so two servers on one database decide one walk-in at a time, each
-- from the board the other left, never twice. Screens watching the board compare `version`.
--
-- `rotation_events` is the team's log (core `rotation::Event` as JSON, append-only): replaying a
-- day's events gives the stored board. A reorder carries the supervisor's reason.
--
-- `rotation_visits` is one row per customer received: who received them and why, the customer's
-- phone as its lookup hash only (never the number; `customer_mask` is what screens show), the
-- contact date (a returning customer's own representative is the one who last received them),
-- the credit rule decided at assignment (K4; `credit_other` the other representative the rule
-- names), whether the visit counts as a turn used, and the till receipt the sale was marked with.
-- `idem_key` is a walk-in's Idempotency-Key: a repeat answers the first assignment.
--
-- `rotation_credit_changes` is the record to dispute a credit: every change of a visit's rule
-- with who, when and why (append-only).

create table rotation_teams (
    id          bigint generated always as identity primary key,
    code        text not null unique,
    store_id    bigint not null references stores(id),
    board       text not null default '{}',
    version     bigint not null default 0,
    updated_at  timestamptz not null
);

create table rotation_events (
    id        bigint generated always as identity primary key,
    team_id   bigint not null references rotation_teams(id),
    version   bigint not null,
    at        timestamptz not null,
    staff_id  bigint references staff(id),
    event     text not null,
    note      text not null default ''
);
create index rotation_events_team on rotation_events(team_id, id);

create table rotation_visits (
    id             bigint generated always as identity primary key,
    team_id        bigint not null references rotation_teams(id),
    day            date not null,
    seq            bigint not null,
    at             timestamptz not null,
    rep_id         bigint not null references staff(id),
    reason         text not null,
    own_rep_id     bigint references staff(id),
    handed_from    bigint references staff(id),
    customer_hash  text,
    customer_mask  text not null default '',
    credit_rule    text not null default 'receiver',
    credit_other   bigint references staff(id),
    counted        boolean not null default true,
    receipt_no     text,
    sale_fen       bigint,
    sold_at        timestamptz,
    idem_key       text,
    unique (team_id, day, seq)
);
create unique index rotation_visits_idem on rotation_visits(team_id, idem_key);
create index rotation_visits_customer on rotation_visits(customer_hash, at);
create index rotation_visits_day on rotation_visits(team_id, day);
create unique index rotation_visits_receipt on rotation_visits(team_id, receipt_no);

create table rotation_credit_changes (
    id            bigint generated always as identity primary key,
    visit_id      bigint not null references rotation_visits(id),
    at            timestamptz not null,
    staff_id      bigint references staff(id),
    rule_before   text not null,
    other_before  bigint,
    rule_after    text not null,
    other_after   bigint,
    note          text not null
);
create index rotation_credit_changes_visit on rotation_credit_changes(visit_id);

create trigger rotation_events_no_update before update or delete on rotation_events
    for each row execute function gb_append_only();
create trigger rotation_credit_changes_no_update before update or delete on rotation_credit_changes
    for each row execute function gb_append_only();
