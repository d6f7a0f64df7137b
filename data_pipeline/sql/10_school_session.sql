-- Each school's sessions by date and AM/PM: day-of-week and session patterns.
-- Marks are first counted by code (about 2 million groups at 87 million marks),
-- so that the join to the codes is made once a group, not once a mark; a load
-- of new dates reads the counts its files' checks made (build.FULL_SOURCES,
-- validate.file_marks) instead of counting the marks again.
create or replace table school_session as
with by_code as ({marks_by_code})
select
    case when month(m.date) >= 9 then year(m.date) else year(m.date) - 1 end as academic_year,
    m.urn, m.date, m.session,
    coalesce(sum(n) filter (where r.counts_possible), 0)::integer as possible,
    coalesce(sum(n) filter (where r.is_authorised or r.is_unauthorised), 0)::integer as absent,
    coalesce(sum(n) filter (where r.is_authorised), 0)::integer as authorised,
    coalesce(sum(n) filter (where r.is_unauthorised), 0)::integer as unauthorised,
    -- code N (reason not yet provided), for the data quality query's unresolved N codes
    coalesce(sum(n) filter (where m.code = 'N'), 0)::integer as n_codes
from by_code m
join ref_codes r
  on r.code = m.code
 and r.code_set = code_set_of(m.date)
group by all;
