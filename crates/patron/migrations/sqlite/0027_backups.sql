-- Backups (SPEC N2): the schedule set in the console and a record of every backup made.
--
-- One settings row: whether the daily backup runs, the hour (store time zone) after which it is
-- due, and how many scheduled backups to keep (older ones are removed after a verified one).
create table backup_settings (
    id          integer primary key check (id = 1),
    enabled     boolean not null default false,
    at_hour     integer not null default 2 check (at_hour between 0 and 23),
    keep        integer not null default 7 check (keep between 1 and 365),
    updated_by  integer references staff(id),
    updated_at  text
);
insert into backup_settings (id) values (1);

-- One row per backup: started as `running`, finished `done` (verified or not) or `failed`.
-- `name` is the backup's folder under the backups directory; `removed_at` is set when the
-- keep-N rule deleted it. `origin`: cli, console or schedule.
create table backup_runs (
    id           integer primary key,
    started_at   text not null,
    finished_at  text,
    origin       text not null check (origin in ('cli', 'console', 'schedule')),
    state        text not null default 'running' check (state in ('running', 'done', 'failed')),
    name         text not null default '',
    folder       text not null default '',
    backend      text not null,
    bytes        integer not null default 0,
    duration_ms  integer not null default 0,
    verified     boolean not null default false,
    migration    integer not null default 0,
    note         text not null default '',
    staff_id     integer references staff(id),
    removed_at   text
);
create index backup_runs_started on backup_runs(started_at);
