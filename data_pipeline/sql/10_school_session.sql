-- Each school's sessions by date and AM/PM: day-of-week and session patterns.
create or replace table school_session as
select
    case when month(m.date) >= 9 then year(m.date) else year(m.date) - 1 end as academic_year,
    m.urn, m.date, m.session,
    count(*) filter (where r.counts_possible)::integer as possible,
    count(*) filter (where r.is_authorised or r.is_unauthorised)::integer as absent,
    count(*) filter (where r.is_authorised)::integer as authorised,
    count(*) filter (where r.is_unauthorised)::integer as unauthorised
from marks m
join ref_codes r
  on r.code = m.code
 and r.code_set = case when m.date >= DATE '2024-09-01' then '2024' else '2006' end
group by all;
