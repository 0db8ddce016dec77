-- A birthday gift handed over gets the department's number from the document counter
-- (kernel/docno.rs) when it is claimed: SR{store}{yyyymmdd}-{nnn}. Gifts claimed before this
-- migration keep the number they were shown with (SR{id:06}); an unclaimed one has none yet.

alter table birthday_entitlements add column claim_no text not null default '';

-- sqlite:
update birthday_entitlements set claim_no = 'SR' || printf('%06d', id) where claimed_at is not null;
-- postgres:
update birthday_entitlements set claim_no = 'SR' || lpad(id::text, 6, '0') where claimed_at is not null;
-- both
