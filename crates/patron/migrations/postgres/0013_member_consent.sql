-- Marketing consent (B2) with its date and source: when the member said yes or no and how
-- (registration, the desk, a signed form, the import, the portal). Members who consented at
-- registration are dated from their registration.

alter table members add column consent_at timestamptz;
alter table members add column consent_source text not null default '';

update members set consent_at = created_at, consent_source = 'registration' where marketing_consent;
