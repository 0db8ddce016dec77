-- Foundation: stores, staff and roles, sessions, till keys, API tokens, approvals, audit log.
-- The same steps as migrations/sqlite/0001_foundation.sql.

create table stores (
    id          bigint generated always as identity primary key,
    code        text not null unique,
    name        text not null,
    time_zone   text not null default 'Asia/Shanghai',
    active      boolean not null default true,
    created_at  timestamptz not null
);

create table staff (
    id                    bigint generated always as identity primary key,
    username              text not null unique,
    display_name          text not null,
    password_hash         text not null,
    must_change_password  boolean not null default true,
    disabled              boolean not null default false,
    failed_logins         bigint not null default 0,
    locked_until          timestamptz,
    lang                  text not null default 'zh-CN',
    created_at            timestamptz not null,
    password_changed_at   timestamptz
);

create table staff_roles (
    staff_id  bigint not null references staff(id),
    role      text not null,
    store_id  bigint not null references stores(id),
    primary key (staff_id, role, store_id)
);

create table sessions (
    id            text primary key,
    subject_kind  text not null,
    subject_id    bigint not null,
    csrf_token    text not null,
    created_at    timestamptz not null,
    seen_at       timestamptz not null
);
create index sessions_subject on sessions(subject_kind, subject_id);

create table till_keys (
    id            bigint generated always as identity primary key,
    store_id      bigint not null references stores(id),
    till_id       text not null,
    label         text not null default '',
    key_prefix    text not null,
    key_hash      text not null unique,
    created_by    text not null,
    created_at    timestamptz not null,
    revoked_at    timestamptz,
    revoked_by    text,
    last_used_at  timestamptz
);
create unique index till_keys_live on till_keys(store_id, till_id) where revoked_at is null;

create table api_tokens (
    id            bigint generated always as identity primary key,
    name          text not null,
    staff_id      bigint not null references staff(id),
    token_prefix  text not null,
    token_hash    text not null unique,
    created_by    text not null,
    created_at    timestamptz not null,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    revoked_by    text,
    last_used_at  timestamptz
);

create table approvals (
    id            bigint generated always as identity primary key,
    kind          text not null,
    store_id      bigint references stores(id),
    subject_kind  text not null,
    subject_id    text not null,
    summary       text not null,
    payload       text not null,
    status        text not null default 'pending',
    requested_by  bigint not null references staff(id),
    requested_at  timestamptz not null,
    decided_by    bigint references staff(id),
    decided_at    timestamptz,
    reason        text,
    previous_id   bigint references approvals(id)
);
create index approvals_pending on approvals(status, kind);

create table audit_log (
    seq          bigint primary key,
    at           timestamptz not null,
    actor_kind   text not null,
    actor_id     bigint,
    actor_name   text not null,
    action       text not null,
    entity_kind  text not null,
    entity_id    text not null,
    store_id     bigint,
    before       text,
    after        text,
    request_id   text,
    prev_hash    text not null,
    hash         text not null
);
create index audit_log_actor on audit_log(actor_name, seq);
create index audit_log_entity on audit_log(entity_kind, entity_id, seq);
create index audit_log_at on audit_log(at);

create table audit_head (
    id        bigint primary key check (id = 1),
    last_seq  bigint not null,
    last_hash text not null
);
insert into audit_head (id, last_seq, last_hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end;
$$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_append_only();
