-- Partner merchants (特约商户/特约单位, SPEC G1–G4): the partner file, the append-only history
-- of its pipeline stages, contracts with their member benefit and expiry reminder, documents
-- on file, and the append-only log of callbacks.

create table partners (
    id                    ID_PK,
    name                  text not null,
    category              text not null,
    address               text not null default '',
    contact_person        text not null default '',
    -- the contact's phone, encrypted (members/pii.rs) and masked for lists; never in logs
    contact_phone_enc     text,
    contact_phone_masked  text not null default '',
    -- screened → contacted → negotiating → agreed → signed → active → expired | ended
    stage                 text not null check (stage in ('screened', 'contacted', 'negotiating',
                              'agreed', 'signed', 'active', 'expired', 'ended')),
    stage_on              DATE not null,
    -- the staff member responsible (reminders go to them) and their department
    owner_staff_id        INT references staff(id),
    department            text not null default '',
    -- callbacks (定期回访): every N days; the next one due
    callback_every_days   INT not null default 30 check (callback_every_days between 1 and 366),
    next_callback_on      DATE,
    created_by            INT references staff(id),
    created_at            TS not null
);
create unique index partners_name on partners(name);
create index partners_stage on partners(stage);

-- Every stage change, dated, with its note (the first row is the screening).
create table partner_stages (
    id          ID_PK,
    partner_id  INT not null references partners(id),
    from_stage  text,
    to_stage    text not null,
    on_date     DATE not null,
    note        text not null default '',
    staff_id    INT references staff(id),
    actor       text not null,
    at          TS not null
);
create index partner_stages_partner on partner_stages(partner_id, id);

create table partner_contracts (
    id                 ID_PK,
    partner_id         INT not null references partners(id),
    contract_no        text not null unique,
    starts_on          DATE not null,
    ends_on            DATE not null,
    benefit_zh         text not null,
    benefit_en         text not null default '',
    -- the member discount, in permille of the price (950 = 5% off); null: a benefit in words
    discount_permille  INT check (discount_permille is null or (discount_permille > 0 and discount_permille < 1000)),
    settlement_terms   text not null default '',
    -- the store codes it applies to, comma separated; empty: every store
    stores             text not null default '',
    -- remind this many days before the end
    remind_days        INT not null default 30 check (remind_days between 1 and 365),
    -- in_force | expired | ended
    state              text not null default 'in_force' check (state in ('in_force', 'expired', 'ended')),
    reminded_on        DATE,
    created_by         INT references staff(id),
    created_at         TS not null,
    check (ends_on >= starts_on)
);
create index partner_contracts_partner on partner_contracts(partner_id, id);
create index partner_contracts_ends on partner_contracts(state, ends_on);

-- Documents on file: number, title, where the paper is kept; an optional file reference.
create table partner_documents (
    id           ID_PK,
    partner_id   INT not null references partners(id),
    contract_id  INT references partner_contracts(id),
    doc_no       text not null,
    title        text not null,
    kept_at      text not null,
    file_ref     text not null default '',
    created_by   INT references staff(id),
    created_at   TS not null,
    unique (partner_id, doc_no)
);

-- Callbacks (回访登记): when, who, how, what, issues raised, follow-up; the next one due.
create table partner_callbacks (
    id           ID_PK,
    partner_id   INT not null references partners(id),
    on_date      DATE not null,
    staff_id     INT references staff(id),
    caller       text not null,
    way          text not null check (way in ('phone', 'visit')),
    content      text not null,
    issues       text not null default '',
    follow_up    text not null default '',
    next_due_on  DATE,
    at           TS not null
);
create index partner_callbacks_partner on partner_callbacks(partner_id, id);

-- sqlite:
create trigger partner_stages_no_update before update on partner_stages
begin
    select raise(abort, 'partner_stages is append-only');
end;
create trigger partner_stages_no_delete before delete on partner_stages
begin
    select raise(abort, 'partner_stages is append-only');
end;
create trigger partner_callbacks_no_update before update on partner_callbacks
begin
    select raise(abort, 'partner_callbacks is append-only');
end;
create trigger partner_callbacks_no_delete before delete on partner_callbacks
begin
    select raise(abort, 'partner_callbacks is append-only');
end;
-- postgres:
create trigger partner_stages_no_update before update or delete on partner_stages
    for each row execute function gb_append_only();
create trigger partner_stages_no_truncate before truncate on partner_stages
    for each statement execute function gb_append_only();
create trigger partner_callbacks_no_update before update or delete on partner_callbacks
    for each row execute function gb_append_only();
create trigger partner_callbacks_no_truncate before truncate on partner_callbacks
    for each statement execute function gb_append_only();
-- both
