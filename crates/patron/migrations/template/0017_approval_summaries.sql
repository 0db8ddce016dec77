-- Missed-receipt requests filed before the fix carry a doubled currency sign in their summary
-- ("¥¥25,000.00"): the stored text is mended once, so no page has to patch it when shown.

update approvals set summary = replace(summary, '¥¥', '¥') where summary like '%¥¥%';
