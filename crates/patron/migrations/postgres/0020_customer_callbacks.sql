-- Callbacks' own tables (SPEC F3, F8; issue 14): problems escalated to the manager and the
-- holiday call campaigns. The callback log itself is `customer_callbacks` (0018).
--
-- An escalation (a problem the salesperson could not solve the same day) belongs to the callback
-- that raised it; its answer is due two working days later (the office calendar). It is answered
-- once: `answered_at` goes from null to a time by a guarded update.
create table customer_escalations (
    id           bigint generated always as identity primary key,
    callback_id  bigint not null unique references customer_callbacks(id),
    customer_id  bigint not null references customers(id),
    store_id     bigint not null references stores(id),
    problem      text not null,
    raised_by    bigint not null references staff(id),
    raised_at    timestamptz not null,
    due_on       date not null,
    answer       text not null default '',
    answered_by  bigint references staff(id),
    answered_at  timestamptz
);
create index customer_escalations_open on customer_escalations(answered_at, due_on);
create index customer_escalations_customer on customer_escalations(customer_id);

-- A holiday call campaign (F3): one per festival and year, built from the calendar and the
-- customers' history; calls run over the seven days from `calls_from`.
create table customer_campaigns (
    id             bigint generated always as identity primary key,
    festival       text not null check (festival in ('new_year', 'womens_day', 'mid_autumn', 'national_day', 'spring_festival')),
    year           bigint not null,
    festival_date  date not null,
    calls_from     date not null,
    calls_to       date not null,
    built_by       bigint references staff(id),
    built_at       timestamptz not null,
    unique (festival, year)
);

-- One call of a campaign: who calls whom on which day, why the customer is on the list (its
-- purchases), last year's holiday purchase, a planned gift visit, and what the call led to
-- (filled when a callback of the customer is logged during the campaign).
create table customer_campaign_calls (
    id                bigint generated always as identity primary key,
    campaign_id       bigint not null references customer_campaigns(id),
    customer_id       bigint not null references customers(id),
    owner_staff_id    bigint references staff(id),
    call_on           date not null,
    list_no           bigint not null,
    -- a large state-owned organisation (government or enterprise, grade A)
    large             bigint not null default 0,
    -- group-buy sales in the two years before the build, and their amount
    purchases         bigint not null default 0,
    purchase_fen      bigint not null default 0,
    -- group-buy purchases in the 30 days before last year's same festival
    last_holiday_fen  bigint not null default 0,
    -- a gift visit to a top customer (before 中秋 and 国庆), on this day
    gift_visit_on     date,
    callback_id       bigint references customer_callbacks(id),
    called_on         date,
    reached           bigint not null default 0,
    intends           bigint not null default 0,
    expected_fen      bigint not null default 0,
    unique (campaign_id, customer_id)
);
create index customer_campaign_calls_day on customer_campaign_calls(campaign_id, call_on);
create index customer_campaign_calls_customer on customer_campaign_calls(customer_id);
create index customer_campaign_calls_owner on customer_campaign_calls(owner_staff_id, call_on);
