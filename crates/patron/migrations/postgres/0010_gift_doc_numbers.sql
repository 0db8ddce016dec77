-- Gift stock documents and points exchanges take the department's numbering from the document
-- counter (kernel/docno.rs): {prefix}{store}{yyyymmdd}-{nnn}, stored with the row. Rows written
-- before this migration keep the number they were printed with ({prefix}{id:06}).

alter table gift_documents add column doc_no text not null default '';
alter table gift_exchanges add column doc_no text not null default '';

update gift_documents set doc_no = (case kind when 'delivery' then 'SH' when 'transfer' then 'DB'
    else 'PD' end) || lpad(id::text, 6, '0');
update gift_exchanges set doc_no = 'DH' || lpad(id::text, 6, '0');
