-- no-transaction
-- Requests Patron itself raises (B7: a till accrual that reaches platinum spend asks a manager),
-- with no staff requester; at most one such request open per member and kind. A ledger entry
-- names the staff member who entered it and, when an approval carried it, the approver apart.
-- SQLite cannot drop a NOT NULL in place: the table is rebuilt with foreign keys off (outside a
-- transaction, as SQLite's own procedure says), keeping every row and id.
BEGIN;
alter table approvals alter column requested_by drop not null;
create unique index approvals_one_open_system on approvals(kind, subject_kind, subject_id)
    where status = 'pending' and requested_by is null;
alter table point_entries add column approved_by bigint references staff(id);
COMMIT;
