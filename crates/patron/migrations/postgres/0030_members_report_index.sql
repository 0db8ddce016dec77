-- Members by tier, store and channel (report M1) over two million members: one index holding
-- every column that count reads, in its grouping order, so the count walks the index (no table
-- rows, no sort) on both backends.
create index members_report_idx on members (store_id, tier_code, channel, status, joined_on);
