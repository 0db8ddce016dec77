-- Range moves filter on store, state and a serial range (groupbuy::store::move_range). With the
-- serial in the index the range is an index condition; without it PostgreSQL's planner could
-- scan every voucher of a store in that state (measured by `patron bench vouchers`: a
-- 1,000-voucher move took 190–340 ms on 1,000,000 vouchers, 10–18 ms with this index).
drop index vouchers_store_state;
create index vouchers_store_state on vouchers(store_id, state, serial_no);
