-- no-transaction
-- Requests Patron itself raises (B7: a till accrual that reaches platinum spend asks a manager),
-- with no staff requester; at most one such request open per member and kind. A ledger entry
-- names the staff member who entered it and, when an approval carried it, the approver apart.
-- SQLite cannot drop a NOT NULL in place: the table is rebuilt with foreign keys off (outside a
-- transaction, as SQLite's own procedure says), keeping every row and id.
PRAGMA foreign_keys = OFF;
BEGIN;
create table approvals_new (
    id            integer primary key,
    kind          text not null,
    store_id      integer references stores(id),
    subject_kind  text not null,
    subject_id    text not null,
    summary       text not null,
    payload       text not null,
    status        text not null default 'pending',
    requested_by  integer references staff(id),
    requested_at  text not null,
    decided_by    integer references staff(id),
    decided_at    text,
    reason        text,
    previous_id   integer references approvals(id)
);
insert into approvals_new (id, kind, store_id, subject_kind, subject_id, summary, payload, status,
    requested_by, requested_at, decided_by, decided_at, reason, previous_id)
    select id, kind, store_id, subject_kind, subject_id, summary, payload, status,
    requested_by, requested_at, decided_by, decided_at, reason, previous_id from approvals;
drop table approvals;
alter table approvals_new rename to approvals;
create index approvals_pending on approvals(status, kind);
create unique index approvals_one_open_system on approvals(kind, subject_kind, subject_id)
    where status = 'pending' and requested_by is null;
alter table point_entries add column approved_by integer references staff(id);
COMMIT;
PRAGMA foreign_keys = ON;
