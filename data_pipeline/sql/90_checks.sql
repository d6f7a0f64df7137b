-- Each check returns the rows that break a rule; a build fails if any does.
select 'possible sessions = present + AEA + authorised + unauthorised' as rule, count(*) as failures
from pupil_week where possible <> present + aea + authorised + unauthorised
having count(*) > 0
union all
select 'one mark per pupil, school, date and session', count(*)
from pupil_week where duplicate_marks
having count(*) > 0
union all
select 'every enrolment has one characteristics row a year', count(*)
from (select 1 from pupil_year group by academic_year, urn, pupil_id having count(*) > 1)
having count(*) > 0
union all
select 'one enrolment key (ekey) per school and pupil', count(*)
from (select ekey from (select distinct urn, pupil_id, ekey from pupil_year) group by ekey having count(*) > 1)
having count(*) > 0
union all
-- pupil_half_term gives each school week's rows to one half term (a half term starts after a
-- gap of more than 5 days between school days, which a Monday-to-Friday week cannot hold)
select 'a school week is in one half term', count(*)
from (select 1 from school_calendar group by academic_year, week_start having count(distinct half_term_no) > 1)
having count(*) > 0
union all
-- a cohort key (pupil_year.cohort_key, a hash) stands for one set of characteristics: two sets
-- sharing one would show as two groups of a dimension for that key
select 'a cohort key stands for one set of characteristics', count(*)
from (select 1 from cohort_group group by cohort_key, dimension having count(*) > 1)
having count(*) > 0;
