-- Foundation: stores, staff and roles, sessions, till keys, API tokens, approvals, audit log.
-- Timestamps are TEXT (RFC 3339, UTC, microseconds); the PostgreSQL twin uses TIMESTAMPTZ.

create table stores (
    id          integer primary key,
    code        text not null unique,
    name        text not null,
    time_zone   text not null default 'Asia/Shanghai',
    active      boolean not null default true,
    created_at  text not null
);

create table staff (
    id                    integer primary key,
    username              text not null unique,
    display_name          text not null,
    password_hash         text not null,
    must_change_password  boolean not null default true,
    disabled              boolean not null default false,
    failed_logins         integer not null default 0,
    locked_until          text,
    lang                  text not null default 'zh-CN',
    created_at            text not null,
    password_changed_at   text
);

-- A role is held at one store; several rows give several roles or stores.
create table staff_roles (
    staff_id  integer not null references staff(id),
    role      text not null,
    store_id  integer not null references stores(id),
    primary key (staff_id, role, store_id)
);

-- Console and portal sessions. The id column holds a keyed hash of the cookie's session id,
-- never the id itself; timeouts are checked against created_at (absolute) and seen_at (idle).
create table sessions (
    id            text primary key,
    subject_kind  text not null,
    subject_id    integer not null,
    csrf_token    text not null,
    created_at    text not null,
    seen_at       text not null
);
create index sessions_subject on sessions(subject_kind, subject_id);

create table till_keys (
    id            integer primary key,
    store_id      integer not null references stores(id),
    till_id       text not null,
    label         text not null default '',
    key_prefix    text not null,
    key_hash      text not null unique,
    created_by    text not null,
    created_at    text not null,
    revoked_at    text,
    revoked_by    text,
    last_used_at  text
);
-- One live key per till.
create unique index till_keys_live on till_keys(store_id, till_id) where revoked_at is null;

create table api_tokens (
    id            integer primary key,
    name          text not null,
    staff_id      integer not null references staff(id),
    token_prefix  text not null,
    token_hash    text not null unique,
    created_by    text not null,
    created_at    text not null,
    expires_at    text,
    revoked_at    text,
    revoked_by    text,
    last_used_at  text
);

create table approvals (
    id            integer primary key,
    kind          text not null,
    store_id      integer references stores(id),
    subject_kind  text not null,
    subject_id    text not null,
    summary       text not null,
    payload       text not null,
    status        text not null default 'pending',
    requested_by  integer not null references staff(id),
    requested_at  text not null,
    decided_by    integer references staff(id),
    decided_at    text,
    reason        text,
    previous_id   integer references approvals(id)
);
create index approvals_pending on approvals(status, kind);

create table audit_log (
    seq          integer primary key,
    at           text not null,
    actor_kind   text not null,
    actor_id     integer,
    actor_name   text not null,
    action       text not null,
    entity_kind  text not null,
    entity_id    text not null,
    store_id     integer,
    before       text,
    after        text,
    request_id   text,
    prev_hash    text not null,
    hash         text not null
);
create index audit_log_actor on audit_log(actor_name, seq);
create index audit_log_entity on audit_log(entity_kind, entity_id, seq);
create index audit_log_at on audit_log(at);

-- The head of the hash chain: one row, updated in the same transaction as each append. On
-- PostgreSQL its row lock orders concurrent appends.
create table audit_head (
    id        integer primary key check (id = 1),
    last_seq  integer not null,
    last_hash text not null
);
insert into audit_head (id, last_seq, last_hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Nobody, administrators included, edits or deletes an audit entry through Patron's database.
create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
