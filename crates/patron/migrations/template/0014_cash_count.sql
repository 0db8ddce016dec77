-- Cash sales at the group-buy desk (E5): the amount the cashier counted and the three-seal check
-- (人名章, 活动章, 日期章) confirmed before the vouchers were handed over. Empty for cheque and
-- transfer sales, and for cash sales recorded before this step existed.

alter table gb_sales add column counted_fen INT;
alter table gb_sales add column seals_checked boolean not null default false;

-- Cash not paid in by day close: the sales no deposit slip has taken yet, and the sales each
-- deposit slip took.
create index gb_sales_cash_unpaid on gb_sales(store_id, biz_date) where deposit_id is null and payment = 'cash';
create index gb_sales_deposit on gb_sales(deposit_id);
