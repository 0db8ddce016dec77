-- Member events (会员活动, SPEC H1–H4): the plan, its target tiers with their sign-up opening
-- times (priority windows), and one row per member who signed up (with the check-in). The
-- counter `signed_up` is moved only by guarded updates (`… where signed_up < capacity`), and the
-- check constraint keeps it within the capacity whatever happens.

create table events (
    id                     ID_PK,
    store_id               INT not null references stores(id),
    theme                  text not null,
    -- launch | member_sale | experience | birthday | trip
    kind                   text not null,
    starts_at              TS not null,
    ends_at                TS not null,
    place                  text not null,
    content                text not null default '',
    -- '' (everyone in the target tiers) | birthday_month | min_spend
    segment                text not null default '',
    segment_min_spend_fen  INT not null default 0,
    segment_window_days    INT not null default 0,
    capacity               INT not null check (capacity > 0),
    signed_up              INT not null default 0,
    budget_fen             INT not null default 0 check (budget_fen >= 0),
    actual_cost_fen        INT,
    points                 INT not null default 0 check (points >= 0),
    analysis_weeks         INT not null default 4,
    -- draft | pending | approved | rejected | closed
    state                  text not null,
    approval_id            INT references approvals(id),
    invited_count          INT not null default 0,
    invited_at             TS,
    -- the analysis as it stood when the event was closed (JSON), archived with the plan
    analysis               text,
    closed_at              TS,
    created_by             INT references staff(id),
    created_at             TS not null,
    updated_at             TS not null,
    check (signed_up >= 0 and signed_up <= capacity)
);
create index events_state_start on events(state, starts_at);

-- The tiers an event is for, each with the time its members may start signing up.
create table event_tiers (
    event_id   INT not null references events(id),
    tier_code  text not null references tiers(code),
    opens_at   TS not null,
    primary key (event_id, tier_code)
);

-- One row per member and event: signed up (or cancelled), and checked in at the door.
create table event_signups (
    id                ID_PK,
    event_id          INT not null references events(id),
    member_id         INT not null references members(id),
    -- signed | cancelled
    status            text not null,
    channel           text not null,
    signed_at         TS not null,
    cancelled_at      TS,
    staff_id          INT references staff(id),
    checked_in_at     TS,
    checkin_staff_id  INT references staff(id),
    points_awarded    INT not null default 0,
    unique (event_id, member_id)
);
create index event_signups_member on event_signups(member_id);
