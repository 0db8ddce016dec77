-- Member search by any part of a name (B9, issue 18): every member's name split into its
-- single characters and its pairs of neighbouring characters (lower-cased by the database), so a
-- search for "晓明" or "张" looks its grams up in an index instead of reading two million names.
-- Kept by triggers, so every way a name is written (registration, import, closing, the
-- benchmarks' loads) keeps it; the search checks each hit against the name itself.
-- sqlite:
create table member_name_grams (
    gram       text not null,
    member_id  INT not null,
    primary key (gram, member_id)
) without rowid;
-- postgres:
create table member_name_grams (
    gram       text not null,
    member_id  INT not null,
    primary key (gram, member_id)
);
-- both

-- The character positions a name's grams start at (names are at most 50 characters).
create table gram_positions (n integer primary key);
insert into gram_positions (n) values (1),(2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12),(13),(14),(15),(16),(17),(18),(19),(20),(21),(22),(23),(24),(25),(26),(27),(28),(29),(30),(31),(32),(33),(34),(35),(36),(37),(38),(39),(40),(41),(42),(43),(44),(45),(46),(47),(48),(49),(50),(51),(52),(53),(54),(55),(56),(57),(58),(59),(60),(61),(62),(63),(64),(65),(66),(67),(68),(69),(70),(71),(72),(73),(74),(75),(76),(77),(78),(79),(80),(81),(82),(83),(84),(85),(86),(87),(88),(89),(90),(91),(92),(93),(94),(95),(96),(97),(98),(99),(100);

insert into member_name_grams (gram, member_id)
select substr(lower(m.name), p.n, 1), m.id from members m join gram_positions p on p.n <= length(m.name)
union
select substr(lower(m.name), p.n, 2), m.id from members m join gram_positions p on p.n < length(m.name);

-- sqlite:
create trigger members_name_grams_insert after insert on members
begin
    insert or ignore into member_name_grams (gram, member_id)
    select substr(lower(new.name), n, 1), new.id from gram_positions where n <= length(new.name)
    union
    select substr(lower(new.name), n, 2), new.id from gram_positions where n < length(new.name);
end;
create trigger members_name_grams_update after update of name on members
when old.name <> new.name
begin
    delete from member_name_grams where member_id = old.id and gram in (
        select substr(lower(old.name), n, 1) from gram_positions where n <= length(old.name)
        union
        select substr(lower(old.name), n, 2) from gram_positions where n < length(old.name));
    insert or ignore into member_name_grams (gram, member_id)
    select substr(lower(new.name), n, 1), new.id from gram_positions where n <= length(new.name)
    union
    select substr(lower(new.name), n, 2), new.id from gram_positions where n < length(new.name);
end;
-- postgres:
-- Inserts are indexed once per statement (a bulk load or an import is one pass, not a call per row).
create function members_name_grams_insert() returns trigger language plpgsql as $$
begin
    insert into member_name_grams (gram, member_id)
    select substr(lower(r.name), p.n, 1), r.id from new_rows r join gram_positions p on p.n <= length(r.name)
    union
    select substr(lower(r.name), p.n, 2), r.id from new_rows r join gram_positions p on p.n < length(r.name)
    on conflict do nothing;
    return null;
end;
$$;
create trigger members_name_grams_insert after insert on members
    referencing new table as new_rows
    for each statement execute function members_name_grams_insert();
create function members_name_grams_update() returns trigger language plpgsql as $$
begin
    delete from member_name_grams where member_id = old.id and gram in (
        select substr(lower(old.name), n, 1) from gram_positions where n <= length(old.name)
        union
        select substr(lower(old.name), n, 2) from gram_positions where n < length(old.name));
    insert into member_name_grams (gram, member_id)
    select substr(lower(new.name), n, 1), new.id from gram_positions where n <= length(new.name)
    union
    select substr(lower(new.name), n, 2), new.id from gram_positions where n < length(new.name)
    on conflict do nothing;
    return null;
end;
$$;
create trigger members_name_grams_update after update of name on members
    for each row when (old.name is distinct from new.name)
    execute function members_name_grams_update();
-- both
