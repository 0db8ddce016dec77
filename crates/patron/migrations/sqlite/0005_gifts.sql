-- Gifts and gift stock (SPEC D6, C7, J3): one list of gifts and coupons, the stock of each per
-- store (a projection, never negative), and the append-only ledger of every stock movement.
-- Reward slips, the exchange catalogue and birthday gifts all take stock through
-- rewards::gifts::take_in, so stock and the document that took it commit together.

create table gifts (
    id            integer primary key,
    code          text not null unique,
    name_zh       text not null,
    name_en       text not null,
    -- 'gift' (a thing handed over) or 'coupon' (a paper coupon handed over)
    kind          text not null check (kind in ('gift', 'coupon')),
    -- what the gift is worth (the reward threshold's ¥200, a coupon's face value)
    value_fen     integer not null check (value_fen >= 0),
    -- the points price in the exchange catalogue (C7); null: not in the catalogue
    points_price  integer check (points_price is null or points_price > 0),
    active        boolean not null default true,
    created_at    text not null
);

create table gift_stock (
    store_id  integer not null references stores(id),
    gift_id   integer not null references gifts(id),
    on_hand   integer not null default 0 check (on_hand >= 0),
    primary key (store_id, gift_id)
);

-- Every change of stock: kind receive | slip | exchange | birthday | transfer_out | transfer_in
-- | stocktake; qty signed (+ in, − out); the document (kind, number) it belongs to.
create table gift_movements (
    id             integer primary key,
    store_id       integer not null references stores(id),
    gift_id        integer not null references gifts(id),
    kind           text not null,
    qty            integer not null check (qty <> 0),
    on_hand_after  integer not null check (on_hand_after >= 0),
    doc_kind       text not null,
    doc_no         text not null,
    note           text not null default '',
    staff_id       integer references staff(id),
    business_date  text not null,
    at             text not null
);
create index gift_movements_store_gift on gift_movements(store_id, gift_id, id);
create index gift_movements_doc on gift_movements(doc_kind, doc_no);

create trigger gift_movements_no_update before update on gift_movements
begin
    select raise(abort, 'gift_movements is append-only');
end;
create trigger gift_movements_no_delete before delete on gift_movements
begin
    select raise(abort, 'gift_movements is append-only');
end;
