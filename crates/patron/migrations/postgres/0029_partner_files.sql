-- Scanned contract files of partner merchants (SPEC G2), kept in the database so that every
-- backup holds them: at most 10 MB each, PDF, JPEG or PNG, checked by their first bytes before
-- anything is stored. A file belongs to one contract of the partner; files are only added.
create table partner_files (
    id            bigint generated always as identity primary key,
    partner_id    bigint not null references partners(id),
    contract_id   bigint not null references partner_contracts(id),
    file_name     text not null,
    content_type  text not null check (content_type in ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes    bigint not null check (size_bytes > 0 and size_bytes <= 10485760),
    sha256        text not null,
    data          bytea not null,
    uploaded_by   bigint references staff(id),
    uploaded_at   timestamptz not null
);
create index partner_files_partner on partner_files(partner_id, id);

-- Idempotency keys of the partners API's writes (`Idempotency-Key`): a repeat with the same key
-- answers the partner or contract the first request made. The row is claimed in the same write
-- as the record, so a failed request leaves no key behind.
create table partner_request_keys (
    kind         text not null check (kind in ('partner', 'contract')),
    request_key  text not null,
    entity_id    bigint,
    created_at   timestamptz not null,
    primary key (kind, request_key)
);
