-- Login attempts counted in the database before a password is checked (staff console and
-- member portal), so every instance sharing the database sees the same counts. One row per
-- thing counted: an account from one address (at most max_failures checks per lock window), an
-- account from every address and an address against every account (each slowed progressively).
-- Subjects never hold a phone number or a typed name: known accounts are `id:…`, unknown ones a
-- keyed digest of what was typed.
create table login_throttle (
    -- staff | member
    realm         text not null,
    -- `id:17@127.0.0.1`, `id:17`, `addr:127.0.0.1`, `name:<digest>`, `phone:<digest>` …
    subject       text not null,
    -- attempts counted in the current window (a good password clears the account's rows)
    failures      bigint not null default 0,
    window_until  timestamptz not null,
    -- the next attempt is not checked before this time (progressive delay)
    next_at       timestamptz not null,
    primary key (realm, subject)
);
create index login_throttle_window on login_throttle(window_until);
