-- The member portal's self-service (SPEC B10, B11, L1).
--
-- One-time SMS codes (first sign-in, forgotten password): only a keyed digest of the code is
-- kept; a code lives a few minutes, is used once (`used_at` set by a guarded update) and dies
-- after a few wrong tries. A new code for a member retires the earlier ones.
create table portal_codes (
    id          integer primary key,
    member_id   integer not null references members(id),
    code_hash   text not null,
    created_at  text not null,
    expires_at  text not null,
    used_at     text,
    attempts    integer not null default 0
);
create index portal_codes_member on portal_codes(member_id, id);

-- Counts of code requests and checks per phone (its lookup hash) and per client address in a
-- window: one row per subject, counted up in one upsert before anything else is done.
create table portal_code_limits (
    subject       text primary key,
    count         integer not null default 0,
    window_until  text not null
);

-- Marketing consent per channel (L1): the member's latest answer for SMS and for e-mail, when
-- and how it was given (the portal, or the desk's sources: desk, form, phone call). Where a
-- member has no row for a channel, the answer given on the application
-- (`members.marketing_consent`) holds; the desk's answer on the details form sets both channels.
-- The outbox sender reads this one truth for every marketing message when it sends, so a change
-- holds at once for every campaign and invitation not yet sent.
create table marketing_consents (
    member_id  integer not null references members(id),
    channel    text not null check (channel in ('sms', 'email')),
    consent    boolean not null,
    at         text not null,
    source     text not null check (source in ('portal', 'desk', 'form', 'phone_call')),
    primary key (member_id, channel)
);

-- A member's request, from the portal, to close their account (B11): it waits on the desk's
-- list until the desk has dealt with it (asked for the approved close, or recorded why not).
-- One open request per member.
create table portal_close_requests (
    id          integer primary key,
    member_id   integer not null references members(id),
    store_id    integer not null references stores(id),
    reason      text not null default '',
    state       text not null default 'open' check (state in ('open', 'handled')),
    created_at  text not null,
    handled_at  text,
    handled_by  integer references staff(id),
    note        text not null default ''
);
create unique index portal_close_requests_open on portal_close_requests(member_id) where state = 'open';
create index portal_close_requests_state on portal_close_requests(state, id);
