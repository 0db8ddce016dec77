-- Visits, outreach, the directory review and market research (SPEC F5, F6, F7, F9; issue 14).

-- The daily outreach plan (外联计划, F5): one row per planned visit of a salesperson's day; the
-- day's summary (外联总结) fills the same row: how far it got, the intent, whether the contact
-- was reached, when they would sign, and why not.
create table customer_outreach (
    id            integer primary key,
    staff_id      integer not null references staff(id),
    store_id      integer not null references stores(id),
    on_date       text not null,
    customer_id   integer references customers(id),
    organisation  text not null,
    contact       text not null default '',
    purpose       text not null default '',
    summarised    boolean not null default false,
    contact_made  boolean not null default false,
    result        text not null default '',
    intent        text not null default 'none' check (intent in ('none', 'low', 'medium', 'high')),
    sign_by       text,
    why_not       text not null default '',
    summarised_at text,
    created_at    text not null
);
create index customer_outreach_day on customer_outreach(on_date, staff_id);

-- Visit requests (客户走访单, F6): approved (approval kind `customer_visit`) before leaving; the
-- visit is marked done only when approved; the minutes (会谈纪要) are due two working days
-- (office calendar) after the visit date.
create table customer_visits (
    id              integer primary key,
    customer_id     integer not null references customers(id),
    store_id        integer not null references stores(id),
    requested_by    integer not null references staff(id),
    visit_on        text not null,
    purpose         text not null,
    participants    text not null default '',
    gifts           text not null default '',
    budget_fen      integer not null default 0 check (budget_fen >= 0),
    state           text not null default 'pending'
                    check (state in ('pending', 'approved', 'rejected', 'done', 'cancelled')),
    approval_id     integer references approvals(id),
    done_at         text,
    minutes_due_on  text,
    attendees       text not null default '',
    discussion      text not null default '',
    agreements      text not null default '',
    follow_ups      text not null default '',
    minutes_by      integer references staff(id),
    minutes_at      text,
    created_at      text not null
);
create index customer_visits_state on customer_visits(state, minutes_due_on);
create index customer_visits_customer on customer_visits(customer_id, visit_on);

-- The directory review (名录审核, F7): one round per half-year (`period` 2027-02 or 2027-08),
-- opened by the job on 1 February / 1 August or by a manager; each active customer is one item
-- its owner confirms or archives.
create table customer_reviews (
    id          integer primary key,
    period      text not null unique,
    opened_on   text not null,
    opened_by   integer references staff(id),
    created_at  text not null
);

create table customer_review_items (
    review_id       integer not null references customer_reviews(id),
    customer_id     integer not null references customers(id),
    owner_staff_id  integer references staff(id),
    outcome         text not null default 'open' check (outcome in ('open', 'confirmed', 'archived')),
    note            text not null default '',
    decided_by      integer references staff(id),
    decided_at      text,
    primary key (review_id, customer_id)
);
create index customer_review_items_owner on customer_review_items(review_id, owner_staff_id, outcome);

-- Market research (市场调研, F9): tasks with findings, linked to a customer and/or a partner.
create table customer_research (
    id                 integer primary key,
    title              text not null,
    scope              text not null default '',
    due_on             text,
    assignee_staff_id  integer references staff(id),
    customer_id        integer references customers(id),
    partner_id         integer references partners(id),
    findings           text not null default '',
    state              text not null default 'open' check (state in ('open', 'filed')),
    store_id           integer not null references stores(id),
    created_by         integer references staff(id),
    created_at         text not null,
    updated_at         text not null
);
create index customer_research_due on customer_research(state, due_on);

-- Attachments of a research task, kept in the database (at most 5 MB each; pdf, jpg, png, xlsx,
-- docx, checked by their first bytes).
create table customer_research_files (
    id            integer primary key,
    research_id   integer not null references customer_research(id),
    file_name     text not null,
    content_type  text not null,
    size_bytes    integer not null,
    sha256        text not null,
    data          blob not null,
    uploaded_by   integer references staff(id),
    uploaded_at   text not null
);
create index customer_research_files_research on customer_research_files(research_id, id);
