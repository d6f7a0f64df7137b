-- One row per school per school week: its compulsory-age enrolments' sessions (pupil_year's
-- compulsory_age, DfE's rule), with the school's phase as pupil_year has it. The week-by-week
-- absence of the LA and of a school (queries/la_weekly_absence.sql, school_weekly.sql) read
-- these 16,000 rows a year instead of summing 9 million pupil_week rows on every view, and the
-- feed's school weeks (export_week.sql) are these.
create or replace table school_week as
with final as (
    select w.academic_year, w.week_start, w.urn, any_value(y.phase) as phase,
        sum(w.possible)::integer as possible,
        sum(w.present + w.aea)::integer as attending,
        sum(w.authorised)::integer as authorised,
        sum(w.unauthorised)::integer as unauthorised
    from {pupil_week} w
    join {pupil_year} y on y.academic_year = w.academic_year and y.ekey = w.ekey
    where y.compulsory_age
    group by w.academic_year, w.week_start, w.urn
)
select * from final order by academic_year, urn, week_start;
