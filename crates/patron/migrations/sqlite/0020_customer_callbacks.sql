-- Callbacks' own tables (SPEC F3, F8; issue 14): problems escalated to the manager and the
-- holiday call campaigns. The callback log itself is `customer_callbacks` (0018).
--
-- An escalation (a problem the salesperson could not solve the same day) belongs to the callback
-- that raised it; its answer is due two working days later (the office calendar). It is answered
-- once: `answered_at` goes from null to a time by a guarded update.
create table customer_escalations (
    id           integer primary key,
    callback_id  integer not null unique references customer_callbacks(id),
    customer_id  integer not null references customers(id),
    store_id     integer not null references stores(id),
    problem      text not null,
    raised_by    integer not null references staff(id),
    raised_at    text not null,
    due_on       text not null,
    answer       text not null default '',
    answered_by  integer references staff(id),
    answered_at  text
);
create index customer_escalations_open on customer_escalations(answered_at, due_on);
create index customer_escalations_customer on customer_escalations(customer_id);

-- A holiday call campaign (F3): one per festival and year, built from the calendar and the
-- customers' history; calls run over the seven days from `calls_from`.
create table customer_campaigns (
    id             integer primary key,
    festival       text not null check (festival in ('new_year', 'womens_day', 'mid_autumn', 'national_day', 'spring_festival')),
    year           integer not null,
    festival_date  text not null,
    calls_from     text not null,
    calls_to       text not null,
    built_by       integer references staff(id),
    built_at       text not null,
    unique (festival, year)
);

-- One call of a campaign: who calls whom on which day, why the customer is on the list (its
-- purchases), last year's holiday purchase, a planned gift visit, and what the call led to
-- (filled when a callback of the customer is logged during the campaign).
create table customer_campaign_calls (
    id                integer primary key,
    campaign_id       integer not null references customer_campaigns(id),
    customer_id       integer not null references customers(id),
    owner_staff_id    integer references staff(id),
    call_on           text not null,
    list_no           integer not null,
    -- a large state-owned organisation (government or enterprise, grade A)
    large             integer not null default 0,
    -- group-buy sales in the two years before the build, and their amount
    purchases         integer not null default 0,
    purchase_fen      integer not null default 0,
    -- group-buy purchases in the 30 days before last year's same festival
    last_holiday_fen  integer not null default 0,
    -- a gift visit to a top customer (before 中秋 and 国庆), on this day
    gift_visit_on     text,
    callback_id       integer references customer_callbacks(id),
    called_on         text,
    reached           integer not null default 0,
    intends           integer not null default 0,
    expected_fen      integer not null default 0,
    unique (campaign_id, customer_id)
);
create index customer_campaign_calls_day on customer_campaign_calls(campaign_id, call_on);
create index customer_campaign_calls_customer on customer_campaign_calls(customer_id);
create index customer_campaign_calls_owner on customer_campaign_calls(owner_staff_id, call_on);
