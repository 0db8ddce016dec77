-- Callbacks' own tables (SPEC F3, F8; issue 14): problems escalated to the manager and the
-- holiday call campaigns. The callback log itself is `customer_callbacks` (0018).
--
-- An escalation (a problem the salesperson could not solve the same day) belongs to the callback
-- that raised it; its answer is due two working days later (the office calendar). It is answered
-- once: `answered_at` goes from null to a time by a guarded update.
create table customer_escalations (
    id           ID_PK,
    callback_id  INT not null unique references customer_callbacks(id),
    customer_id  INT not null references customers(id),
    store_id     INT not null references stores(id),
    problem      text not null,
    raised_by    INT not null references staff(id),
    raised_at    TS not null,
    due_on       DATE not null,
    answer       text not null default '',
    answered_by  INT references staff(id),
    answered_at  TS
);
create index customer_escalations_open on customer_escalations(answered_at, due_on);
create index customer_escalations_customer on customer_escalations(customer_id);

-- A holiday call campaign (F3): one per festival and year, built from the calendar and the
-- customers' history; calls run over the seven days from `calls_from`.
create table customer_campaigns (
    id             ID_PK,
    festival       text not null check (festival in ('new_year', 'womens_day', 'mid_autumn', 'national_day', 'spring_festival')),
    year           INT not null,
    festival_date  DATE not null,
    calls_from     DATE not null,
    calls_to       DATE not null,
    built_by       INT references staff(id),
    built_at       TS not null,
    unique (festival, year)
);

-- One call of a campaign: who calls whom on which day, why the customer is on the list (its
-- purchases), last year's holiday purchase, a planned gift visit, and what the call led to
-- (filled when a callback of the customer is logged during the campaign).
create table customer_campaign_calls (
    id                ID_PK,
    campaign_id       INT not null references customer_campaigns(id),
    customer_id       INT not null references customers(id),
    owner_staff_id    INT references staff(id),
    call_on           DATE not null,
    list_no           INT not null,
    -- a large state-owned organisation (government or enterprise, grade A)
    large             INT not null default 0,
    -- group-buy sales in the two years before the build, and their amount
    purchases         INT not null default 0,
    purchase_fen      INT not null default 0,
    -- group-buy purchases in the 30 days before last year's same festival
    last_holiday_fen  INT not null default 0,
    -- a gift visit to a top customer (before 中秋 and 国庆), on this day
    gift_visit_on     DATE,
    callback_id       INT references customer_callbacks(id),
    called_on         DATE,
    reached           INT not null default 0,
    intends           INT not null default 0,
    expected_fen      INT not null default 0,
    unique (campaign_id, customer_id)
);
create index customer_campaign_calls_day on customer_campaign_calls(campaign_id, call_on);
create index customer_campaign_calls_customer on customer_campaign_calls(customer_id);
create index customer_campaign_calls_owner on customer_campaign_calls(owner_staff_id, call_on);
