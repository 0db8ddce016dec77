-- Reports (SPEC M1-M5): the summaries the large reports read, kept up by jobs so a report over
-- millions of members and receipts answers in seconds, and the exports run in the background.
--
-- RFM (M1): the breakpoints and the window staff set. A member's recency is "recent" when the
-- last purchase is at most `recent_days` before the day the figures were made; frequency is
-- "frequent" at `frequent_purchases` purchases or more in the window; money is "high" at
-- `high_spend_fen` or more. Each member falls in one of eight named segments.
create table report_settings (
    id                  bigint primary key check (id = 1),
    window_months       bigint not null default 12 check (window_months between 1 and 36),
    recent_days         bigint not null default 90 check (recent_days between 1 and 1095),
    frequent_purchases  bigint not null default 4 check (frequent_purchases between 1 and 10000),
    high_spend_fen      bigint not null default 500000 check (high_spend_fen >= 1),
    updated_by          bigint references staff(id),
    updated_at          timestamptz
);
insert into report_settings (id) values (1);

-- Each member's purchases in the RFM window, as of `as_of` (the `reports-rfm` job remakes it
-- daily, in chunks of members, from `receipts`), with the member's store, tier and channel of
-- that day so a segment count needs no join. An open member with no purchase in the window has
-- no row.
create table report_rfm (
    member_id   bigint primary key references members(id),
    store_id    bigint not null references stores(id),
    tier_code   text not null,
    channel     text not null,
    last_at     timestamptz not null,
    purchases   bigint not null,
    spend_fen   bigint not null,
    as_of       date not null
);

-- Points issued, spent and expired per store and month (the store's time zone), rolled up
-- from `point_entries` by the `reports-rollup` job; `report_cursors` holds the last entry
-- counted, so a report adds only the entries after it.
create table report_points_months (
    store_id   bigint not null references stores(id),
    month      text not null,
    issued     bigint not null default 0,
    spent      bigint not null default 0,
    expired    bigint not null default 0,
    entries    bigint not null default 0,
    primary key (store_id, month)
);

create table report_cursors (
    name     text primary key,
    last_id  bigint not null default 0,
    made_at  timestamptz
);
insert into report_cursors (name) values ('points');
insert into report_cursors (name) values ('rfm');

-- Exports that run in the background (M5): queued by a person or the CLI, written to a file
-- under the data directory's `exports` folder, with their progress.
create table report_exports (
    id           bigint generated always as identity primary key,
    report       text not null,
    params       text not null default '{}',
    format       text not null check (format in ('csv', 'xlsx')),
    lang         text not null default 'zh-CN',
    state        text not null default 'running' check (state in ('running', 'done', 'failed')),
    rows_done    bigint not null default 0,
    rows_total   bigint not null default 0,
    file         text not null default '',
    bytes        bigint not null default 0,
    note         text not null default '',
    staff_id     bigint references staff(id),
    started_at   timestamptz not null,
    finished_at  timestamptz
);
create index report_exports_staff on report_exports(staff_id, id);
