-- The member import in steps (N3, issue 18): a checked file is first written, a chunk per short
-- write, into member_import_rows, where nobody sees it; then published into members, cards and
-- the ledger a chunk per short write, so tills are served between the chunks. Once an import is
-- publishing it is finished, by whoever finds it unfinished (the server at start, the next
-- import): nothing is ever half-imported. While it publishes, the phones and ID numbers it
-- brings are claimed: a member written any other way with one of them is refused.
create table member_imports (
    id          ID_PK,
    -- staging, publishing, done or abandoned
    state       text not null,
    -- 1 while staging or publishing, else null: one member import runs at a time
    running     INT unique,
    total       INT not null,
    -- rows of member_import_rows published so far (in seq order), then referrers set so far
    published   INT not null default 0,
    referred    INT not null default 0,
    -- the import's time: the members' created_at, the cards' activation, the opening entries
    at          TS not null,
    staff_id    INT references staff(id),
    -- the opening balances' lot expiry
    lots_expire DATE not null,
    updated_at  TS not null
);

create table member_import_rows (
    import_id         INT not null references member_imports(id),
    seq               INT not null,
    line              INT not null,
    name              text not null,
    gender            text,
    birthday          DATE,
    birth_md          text,
    phone_enc         text not null,
    phone_hash        text not null,
    phone_masked      text not null,
    id_type           text,
    id_enc            text,
    id_hash           text,
    id_masked         text,
    channel           text not null,
    store_id          INT not null,
    tier_code         text not null,
    joined_on         DATE not null,
    points            INT not null,
    -- marketing consent: given (true/false) when the file has an answer, else null
    consent           boolean,
    card_no           text not null,
    card_expires_on   DATE not null,
    referrer_card_no  text,
    primary key (import_id, seq)
);
create index member_import_rows_phone on member_import_rows(phone_hash);
create index member_import_rows_id on member_import_rows(id_hash) where id_hash is not null;

-- Which import wrote a member (null: written any other way).
alter table members add column import_id INT;

-- sqlite:
create trigger members_import_claim_insert before insert on members
when new.import_id is null and (
    exists (select 1 from member_import_rows r join member_imports i on i.id = r.import_id
            where i.state = 'publishing' and r.phone_hash = new.phone_hash)
    or exists (select 1 from member_import_rows r join member_imports i on i.id = r.import_id
               where i.state = 'publishing' and r.id_hash = new.id_hash))
begin
    select raise(abort, 'member.being_imported');
end;
create trigger members_import_claim_update before update of phone_hash, id_hash on members
when new.import_id is null and (
    exists (select 1 from member_import_rows r join member_imports i on i.id = r.import_id
            where i.state = 'publishing' and r.phone_hash = new.phone_hash
              and new.phone_hash is not old.phone_hash)
    or exists (select 1 from member_import_rows r join member_imports i on i.id = r.import_id
               where i.state = 'publishing' and r.id_hash = new.id_hash
                 and new.id_hash is not old.id_hash))
begin
    select raise(abort, 'member.being_imported');
end;
-- postgres:
create function members_import_claim() returns trigger language plpgsql as $$
begin
    if new.import_id is null and (
        (tg_op = 'INSERT' or new.phone_hash is distinct from old.phone_hash)
            and exists (select 1 from member_import_rows r join member_imports i on i.id = r.import_id
                        where i.state = 'publishing' and r.phone_hash = new.phone_hash)
        or (tg_op = 'INSERT' or new.id_hash is distinct from old.id_hash)
            and exists (select 1 from member_import_rows r join member_imports i on i.id = r.import_id
                        where i.state = 'publishing' and r.id_hash = new.id_hash)) then
        raise exception 'member.being_imported';
    end if;
    return new;
end;
$$;
create trigger members_import_claim before insert or update of phone_hash, id_hash on members
    for each row execute function members_import_claim();
-- both
