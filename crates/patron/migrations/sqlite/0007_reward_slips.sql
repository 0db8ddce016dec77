-- Threshold rewards and the reward desk (SPEC D1–D5): the settings and thresholds, the stored
-- month-end lists with their 核分 and notices, reward slips, and the follow-up log.
-- Generated for both backends by scripts/gen-migration.py from migrations/template/.

-- One row: how long a slip is valid, the follow-up period before it lapses, and whether an
-- expired slip gives its points back (written in the ledger as `reward_return`).
create table reward_settings (
    id                        integer primary key check (id = 1),
    slip_valid_months         integer not null default 3 check (slip_valid_months between 1 and 24),
    follow_up_months          integer not null default 1 check (follow_up_months between 0 and 12),
    return_points_on_expiry   boolean not null default false
);
insert into reward_settings (id) values (1);

-- The four default gifts (a row of the shared gift list) unless they exist.
insert into gifts (code, name_zh, name_en, kind, value_fen, created_at) values
    ('REWARD-200', '200元返礼礼品', '¥200 reward gift', 'gift', 20000, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('REWARD-500', '500元返礼礼品', '¥500 reward gift', 'gift', 50000, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('REWARD-800', '800元返礼礼品', '¥800 reward gift', 'gift', 80000, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('REWARD-1380', '1380元返礼礼品', '¥1,380 reward gift', 'gift', 138000, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    on conflict (code) do nothing;

-- Reward thresholds (返礼标准, D1): from this many points on, this gift.
create table reward_thresholds (
    points   integer primary key check (points > 0),
    gift_id  integer not null references gifts(id)
);
insert into reward_thresholds (points, gift_id) select 5000, id from gifts where code = 'REWARD-200';
insert into reward_thresholds (points, gift_id) select 8000, id from gifts where code = 'REWARD-500';
insert into reward_thresholds (points, gift_id) select 10000, id from gifts where code = 'REWARD-800';
insert into reward_thresholds (points, gift_id) select 15000, id from gifts where code = 'REWARD-1380';

-- The month-end list finds cards by expiry date.
create index cards_expires on cards(expires_on);

-- A stored list: the month-end list of cards expiring in `month` (YYYY-MM) that reached a
-- threshold (下月到期并到分值的会员卡), built once per month.
create table reward_lists (
    id          integer primary key,
    kind        text not null check (kind in ('month_end')),
    month       text not null,
    built_on    text not null,
    built_at    text not null,
    built_by    text not null,
    row_count   integer not null default 0,
    unique (kind, month)
);

-- One card on a list, as it stood when the list was built; 核分 and the notice are recorded on
-- the row (who, when, how).
create table reward_list_rows (
    list_id          integer not null references reward_lists(id),
    member_id        integer not null references members(id),
    card_no          text not null,
    store_id         integer not null references stores(id),
    points           integer not null,
    threshold_points integer not null,
    card_expires_on  text not null,
    checked_at       text,
    checked_by       integer references staff(id),
    check_ok         boolean,
    check_detail     text not null default '',
    notified_at      text,
    notified_by      integer references staff(id),
    notice_how       text,
    notice_note      text not null default '',
    primary key (list_id, member_id)
);
create index reward_list_rows_store on reward_list_rows(list_id, store_id);

-- A reward slip (返礼单/领奖单): the threshold's points were taken in the same transaction.
create table reward_slips (
    id               integer primary key,
    slip_no          text not null unique,
    member_id        integer not null references members(id),
    card_no          text not null,
    -- the card's issuing store (开卡店), told when the gift is claimed elsewhere
    card_store_id    integer not null references stores(id),
    -- the store whose desk made the slip
    store_id         integer not null references stores(id),
    list_id          integer references reward_lists(id),
    threshold_points integer not null,
    points           integer not null check (points > 0),
    gift_id          integer not null references gifts(id),
    -- the valid ID the clerk checked: its type and last four characters only
    id_type          text not null,
    id_last4         text not null,
    state            text not null check (state in ('issued', 'claimed', 'expired')),
    issued_on        text not null,
    valid_until      text not null,
    issued_at        text not null,
    issued_by        integer references staff(id),
    claimed_at       text,
    claimed_by       integer references staff(id),
    claim_store_id   integer references stores(id),
    expired_at       text,
    points_returned  integer not null default 0
);
create index reward_slips_state on reward_slips(state, valid_until);
create index reward_slips_store on reward_slips(store_id, id);
create index reward_slips_card_store on reward_slips(card_store_id, id);
create index reward_slips_member on reward_slips(member_id);

-- The follow-up of unclaimed slips (who, when, how, result); append-only.
create table reward_follow_ups (
    id        integer primary key,
    slip_id   integer not null references reward_slips(id),
    at        text not null,
    staff_id  integer references staff(id),
    how       text not null,
    result    text not null,
    note      text not null default ''
);
create index reward_follow_ups_slip on reward_follow_ups(slip_id, id);

create trigger reward_follow_ups_no_update before update on reward_follow_ups
begin
    select raise(abort, 'reward_follow_ups is append-only');
end;
create trigger reward_follow_ups_no_delete before delete on reward_follow_ups
begin
    select raise(abort, 'reward_follow_ups is append-only');
end;
