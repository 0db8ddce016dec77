-- Complaints (投诉, SPEC I1–I5): intake, the clocks that run on each case, the breaches they
-- leave behind, the callback after resolution, the departments a case is routed to and the
-- settings page's numbers.
--
-- A clock is one row per run (`round`: a re-route or a re-opened case starts a new run of the
-- answer clock, the old run is stopped, never deleted). A clock past its `due_at` with no
-- `met_at` is breached once: `breached_at` is set by a guarded update and the breach row is keyed
-- by the clock, so a job run twice, two instances, or an action meeting a clock late all record
-- one breach. `complaint_breaches` is never deleted (a trigger refuses); its `met_at` is filled
-- in when the late clock is finally met.

create table complaint_departments (
    code      text primary key,
    name      text not null,
    active    boolean not null default true,
    position  integer not null default 0
);
insert into complaint_departments (code, name, position) values
 ('service_desk', '客服中心', 1),
 ('sales_floor', '商场营业部', 2),
 ('quality', '质检部', 3),
 ('purchasing', '采购部', 4),
 ('logistics', '物流部', 5),
 ('hr', '人力资源部', 6),
 ('member_centre', '会员中心', 7);

-- The clocks' lengths in minutes (the answer clocks in the service calendar's working minutes),
-- the days after which an unresolved case becomes major, and the months records stay in the
-- working lists.
create table complaint_settings (
    id                  integer primary key check (id = 1),
    acknowledge_minutes integer not null default 5,
    route_minutes       integer not null default 30,
    plan_minutes        integer not null default 60,
    result_minutes      integer not null default 120,
    report_minutes      integer not null default 10,
    resolve_minutes     integer not null default 720,
    feedback_minutes    integer not null default 1440,
    callback_minutes    integer not null default 1440,
    escalate_days       integer not null default 10,
    archive_months      integer not null default 24,
    updated_at          text,
    updated_by          integer references staff(id)
);
insert into complaint_settings (id) values (1);

create table complaints (
    id               integer primary key,
    store_id         integer not null references stores(id),
    channel          text not null check (channel in ('hotline', 'online', 'email', 'in_store')),
    received_at      text not null,
    complainant      text not null,
    member_id        integer references members(id),
    card_no          text,
    phone_enc        text,
    phone_hash       text,
    phone_masked     text,
    top_tier         boolean not null default false,
    content          text not null,
    category         text not null check (category in ('product_quality', 'service', 'other')),
    wants            text not null default '',
    severity         text not null check (severity in ('minor', 'major')),
    major_reason     text,
    major_at         text,
    state            text not null check (state in ('received', 'acknowledged', 'routed', 'answered', 'resolved', 'closed')),
    department       text references complaint_departments(code),
    acknowledged_at  text,
    routed_at        text,
    answered_at      text,
    plan             text not null default '',
    resolved_at      text,
    result           text not null default '',
    reported_at      text,
    closed_at        text,
    satisfied        boolean,
    rounds           integer not null default 0,
    reopened         integer not null default 0,
    typical          boolean not null default false,
    typical_note     text not null default '',
    archived_at      text,
    taken_by         integer references staff(id),
    request_key      text unique,
    created_at       text not null
);
create index complaints_working on complaints(archived_at, state);
create index complaints_member on complaints(member_id);
create index complaints_phone on complaints(phone_hash);
create index complaints_received on complaints(received_at);

create table complaint_clocks (
    id            integer primary key,
    complaint_id  integer not null references complaints(id),
    clock         text not null check (clock in ('acknowledge', 'route', 'answer', 'report', 'resolve', 'feedback', 'callback')),
    round         integer not null default 0,
    department    text,
    started_at    text not null,
    due_at        text not null,
    met_at        text,
    stopped_at    text,
    breached_at   text
);
create unique index complaint_clocks_key on complaint_clocks(complaint_id, clock, round);
create index complaint_clocks_due on complaint_clocks(due_at)
    where met_at is null and stopped_at is null and breached_at is null;

create table complaint_breaches (
    id            integer primary key,
    clock_id      integer not null unique references complaint_clocks(id),
    complaint_id  integer not null references complaints(id),
    store_id      integer not null references stores(id),
    clock         text not null,
    department    text,
    due_at        text not null,
    met_at        text,
    recorded_at   text not null
);
create index complaint_breaches_complaint on complaint_breaches(complaint_id);
create index complaint_breaches_due on complaint_breaches(due_at);

-- The callback after each resolution (`round` = the resolution it follows): one per round.
create table complaint_callbacks (
    id            integer primary key,
    complaint_id  integer not null references complaints(id),
    round         integer not null,
    satisfied     boolean not null,
    remarks       text not null default '',
    at            text not null,
    staff_id      integer references staff(id)
);
create unique index complaint_callbacks_key on complaint_callbacks(complaint_id, round);

create trigger complaint_breaches_no_delete before delete on complaint_breaches
begin
    select raise(abort, 'complaint_breaches is append-only');
end;
create trigger complaint_callbacks_no_delete before delete on complaint_callbacks
begin
    select raise(abort, 'complaint_callbacks is append-only');
end;
