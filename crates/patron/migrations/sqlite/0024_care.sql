-- VIP care (SPEC J1, J2, B9): each member's advisor and its history, the care settings, the
-- 3-3-2-1-4-6-9 schedules made from top members' till receipts and the tasks their steps
-- become when due, and the reception / service desk log.

-- Which tiers a purchase starts a care schedule for (codes, comma-separated; audited).
create table care_settings (
    id          integer primary key check (id = 1),
    care_tiers  text not null default 'platinum'
);
insert into care_settings (id) values (1);

-- How far the care job has read the receipts: every receipt with a smaller id has been looked
-- at. Receipts are read from the points area's table, read-only.
create table care_cursor (
    id          integer primary key check (id = 1),
    receipt_id  integer not null default 0
);
insert into care_cursor (id, receipt_id) values (1, 0);

-- The member's current advisor (a staff account), and every change (append-only).
create table care_advisors (
    member_id   integer primary key references members(id),
    staff_id    integer not null references staff(id),
    since       text not null,
    set_by      integer references staff(id)
);
create index care_advisors_staff on care_advisors(staff_id);

create table care_advisor_history (
    id             integer primary key,
    member_id      integer not null references members(id),
    from_staff_id  integer references staff(id),
    to_staff_id    integer references staff(id),
    at             text not null,
    by_staff_id    integer references staff(id),
    reason         text not null default ''
);
create index care_advisor_history_member on care_advisor_history(member_id, id);

-- One schedule per purchase (a till receipt of a member in a care tier): the receipt is the
-- natural key, so a replayed receipt or a second run of the job schedules nothing new.
-- `next_step` is the index of the first step not yet acted on (7: none left) and
-- `next_due_at` when it falls due; a newer purchase of the member supersedes the phone steps
-- (`superseded_by`).
create table care_schedules (
    id             integer primary key,
    member_id      integer not null references members(id),
    receipt_id     integer not null unique references receipts(id),
    store_id       integer not null references stores(id),
    receipt_no     text not null,
    total_fen      integer not null,
    tier_code      text not null,
    purchased_at   text not null,
    created_at     text not null,
    state          text not null default 'active'
        check (state in ('active', 'finished', 'cancelled', 'closed')),
    next_step      integer not null default 0,
    next_due_at    text,
    superseded_by  integer references care_schedules(id),
    superseded_at  text,
    cancelled_at   text,
    cancelled_by   integer references staff(id),
    cancel_reason  text not null default ''
);
create index care_schedules_due on care_schedules(next_due_at) where state = 'active';
create index care_schedules_member on care_schedules(member_id, purchased_at);

-- A step that fell due: a message queued (done when queued, or skipped without marketing
-- consent) or a phone callback for the member's advisor (open until done with its outcome).
-- One per schedule and step.
create table care_tasks (
    id           integer primary key,
    schedule_id  integer not null references care_schedules(id),
    member_id    integer not null references members(id),
    step         text not null,
    due_at       text not null,
    created_at   text not null,
    state        text not null check (state in ('open', 'done', 'skipped', 'superseded', 'cancelled')),
    outcome      text not null default '',
    remarks      text not null default '',
    done_at      text,
    done_by      integer references staff(id),
    unique (schedule_id, step)
);
create index care_tasks_open on care_tasks(state, due_at);
create index care_tasks_member on care_tasks(member_id, due_at);
create index care_tasks_done on care_tasks(done_at);

-- The reception record and the service desk log (VIP接待, 会员需求登记, ticket booking, group-buy
-- enquiries, invoices): append-only, linked to the member when there is one.
create table care_receptions (
    id            integer primary key,
    store_id      integer not null references stores(id),
    kind          text not null,
    member_id     integer references members(id),
    visitor       text not null default '',
    arrived_at    text not null,
    needs         text not null default '',
    service       text not null default '',
    problems      text not null default '',
    gift          text not null default '',
    follow_up     text not null default '',
    follow_up_on  text,
    staff_id      integer not null references staff(id),
    created_at    text not null,
    request_key   text unique
);
create index care_receptions_member on care_receptions(member_id, arrived_at);
create index care_receptions_at on care_receptions(arrived_at);

create trigger care_advisor_history_no_update before update on care_advisor_history
begin
    select raise(abort, 'care_advisor_history is append-only');
end;
create trigger care_advisor_history_no_delete before delete on care_advisor_history
begin
    select raise(abort, 'care_advisor_history is append-only');
end;
create trigger care_receptions_no_update before update on care_receptions
begin
    select raise(abort, 'care_receptions is append-only');
end;
create trigger care_receptions_no_delete before delete on care_receptions
begin
    select raise(abort, 'care_receptions is append-only');
end;
