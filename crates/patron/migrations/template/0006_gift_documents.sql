-- Gift stock documents (SPEC D6), points exchanges (C7) and birthday gifts (J3).
-- Every stock change they cause is a gift_movements row (0005) naming the document.

-- Delivery notes (收货), transfers between stores (调拨) and monthly stock-takes (盘点).
-- lines: JSON [{gift_id, qty}] for deliveries and transfers;
-- [{gift_id, expected, counted, explanation}] for stock-takes.
create table gift_documents (
    id             ID_PK,
    kind           text not null check (kind in ('delivery', 'transfer', 'stocktake')),
    store_id       INT not null references stores(id),
    -- a transfer's receiving store
    to_store_id    INT references stores(id),
    -- a delivery: the supplier's note number and the supplier
    note_no        text not null default '',
    supplier       text not null default '',
    -- a stock-take: the month counted (2026-11)
    month          text not null default '',
    lines          text not null,
    note           text not null default '',
    -- done (deliveries, transfers, stock-takes without differences) | pending | approved
    -- | rejected | withdrawn
    state          text not null,
    approval_id    INT,
    business_date  DATE not null,
    created_by     INT references staff(id),
    created_at     TS not null
);
create index gift_documents_store on gift_documents(store_id, kind, id);

-- Points exchanged for a gift (积分兑换), at the desk or in the portal: the points entry
-- (kind exchange) and the stock movement (kind exchange) commit with this row.
create table gift_exchanges (
    id             ID_PK,
    member_id      INT not null references members(id),
    store_id       INT not null references stores(id),
    gift_id        INT not null references gifts(id),
    qty            INT not null check (qty > 0),
    points         INT not null check (points > 0),
    -- desk | portal | api
    channel        text not null,
    -- the portal form's one-time key: a double submit exchanges once
    idem_key       text unique,
    staff_id       INT references staff(id),
    business_date  DATE not null,
    at             TS not null
);
create index gift_exchanges_member on gift_exchanges(member_id, id);

-- The birthday gift of each tier (J3).
create table birthday_gift_settings (
    tier_code  text primary key references tiers(code),
    gift_id    INT not null references gifts(id),
    qty        INT not null check (qty > 0)
);

-- A member's birthday gift of one year, created by the birthday job; claimable at the desk in
-- the birthday month, once.
create table birthday_entitlements (
    id                ID_PK,
    member_id         INT not null references members(id),
    year              INT not null,
    birth_month       INT not null check (birth_month between 1 and 12),
    tier_code         text not null,
    gift_id           INT not null references gifts(id),
    qty               INT not null check (qty > 0),
    created_at        TS not null,
    claimed_at        TS,
    claimed_store_id  INT references stores(id),
    claimed_by        INT references staff(id),
    unique (member_id, year)
);
create index birthday_entitlements_month on birthday_entitlements(year, birth_month);
