-- Notices for staff and stores, the outbox in the console, and message texts staff edit (L1;
-- issue 13, "the console as a workplace").
--
-- A message to a store or a staff member names them in its own columns (until now only in its
-- payload); the in-console inbox lists those rows, and `notice_reads` keeps who read which.
-- A store may have an e-mail address its notices are also sent to.

alter table stores add column email text not null default '';

alter table outbox add column to_store_id bigint references stores(id);
alter table outbox add column to_staff_id bigint references staff(id);

update outbox set to_store_id = (payload::json->>'to_store_id')::bigint
 where channel = 'store' and payload::json->>'to_store_id' is not null;
update outbox set to_staff_id = (payload::json->>'to_staff_id')::bigint
 where channel = 'staff' and payload::json->>'to_staff_id' is not null;

create index outbox_to_store on outbox(to_store_id, id);
create index outbox_to_staff on outbox(to_staff_id, id);
create index outbox_created on outbox(created_at);

-- Read or not, per person: a notice to a store is read by each of its staff on their own.
create table notice_reads (
    outbox_id  bigint not null references outbox(id),
    staff_id   bigint not null references staff(id),
    read_at    timestamptz not null,
    primary key (outbox_id, staff_id)
);

-- A message text edited in the console; without a row the built-in text is used.
create table message_templates (
    event       text not null,
    lang        text not null,
    subject     text not null,
    body        text not null,
    updated_by  bigint references staff(id),
    updated_at  timestamptz not null,
    primary key (event, lang)
);
