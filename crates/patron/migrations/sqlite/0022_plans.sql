-- Work plans and summaries (计划与总结, SPEC A3) and monthly targets with their actuals
-- (业绩考核 A4, recruitment per channel B1).
--
-- A plan and the summary that closes it are two rows of one period: a day, a week (starting
-- Monday) or a month (starting on the 1st). `due_at` is fixed when first written (the plan by
-- 09:30 of the period's first working day, the summary by the end of the first working day after
-- the period, office calendar); `late` says whether it was first written after that. Items are
-- JSON text: a plan's `[{"text"}]`, a summary's `[{"text","done","carry","note"}]`;
-- `next_items` (a summary's) is what carries into the next plan of the same kind of period.

create table plans (
    id          integer primary key,
    staff_id    integer not null references staff(id),
    period      text not null check (period in ('day', 'week', 'month')),
    starts_on   text not null,
    kind        text not null check (kind in ('plan', 'summary')),
    items       text not null default '[]',
    notes       text not null default '',
    next_items  text not null default '[]',
    due_at      text not null,
    first_at    text not null,
    late        boolean not null default false,
    updated_at  text not null
);
create unique index plans_key on plans(staff_id, period, starts_on, kind);
create index plans_period on plans(period, starts_on);

-- Monthly targets (指标) of a department (a store: `staff_id` 0) or of one person at it.
-- `metric`: gb_sales (fen), new_members, callbacks, recruit_<channel> (new members by channel).
create table plan_targets (
    id        integer primary key,
    month     text not null,
    store_id  integer not null references stores(id),
    staff_id  integer not null default 0,
    metric    text not null,
    target    integer not null check (target >= 0),
    set_by    integer references staff(id),
    set_at    text not null
);
create unique index plan_targets_key on plan_targets(month, store_id, staff_id, metric);

-- A month frozen at its end (job `plans-freeze-targets`): its actuals as computed then, which
-- later records never move. Both tables are append-only.
create table plan_target_months (
    month      text not null,
    store_id   integer not null references stores(id),
    frozen_at  text not null,
    primary key (month, store_id)
);

create table plan_target_actuals (
    month     text not null,
    store_id  integer not null references stores(id),
    staff_id  integer not null default 0,
    metric    text not null,
    actual    integer not null,
    primary key (month, store_id, staff_id, metric)
);

create trigger plan_target_months_no_update before update on plan_target_months
begin
    select raise(abort, 'plan_target_months is append-only');
end;
create trigger plan_target_months_no_delete before delete on plan_target_months
begin
    select raise(abort, 'plan_target_months is append-only');
end;
create trigger plan_target_actuals_no_update before update on plan_target_actuals
begin
    select raise(abort, 'plan_target_actuals is append-only');
end;
create trigger plan_target_actuals_no_delete before delete on plan_target_actuals
begin
    select raise(abort, 'plan_target_actuals is append-only');
end;
