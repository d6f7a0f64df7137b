-- Persistent absence (PA: enrolments with 10%+ of possible sessions missed over the
-- period) by school, this period and the same period last year, with the gap to the
-- LA's rate (percentage points). Compulsory school age; phase as filtered.
-- Schools with fewer than $min_count enrolments are left out (suppression).
with
-- @include fragments/this_and_last_year.sql
enrolment as (
    -- enrolments of compulsory school age with possible sessions in the period, phase as filtered
    select period, urn, possible, authorised + unauthorised as absent
    from period_enrolment
    where possible > 0
      and compulsory_age
      and ($phase is null or phase = $phase)
),
by_school as (
    select urn,
        count(*) filter (where period = 'selected') as enrolments,
        count(*) filter (where period = 'selected' and is_persistent_absentee(absent, possible)) as pa_enrolments,
        count(*) filter (where period = 'last year') as last_year_enrolments,
        count(*) filter (where period = 'last year' and is_persistent_absentee(absent, possible)) as last_year_pa_enrolments
    from enrolment group by urn
),
la as (
    select pct(count(*) filter (where is_persistent_absentee(absent, possible)), count(*)) as la_pa_rate
    from enrolment where period = 'selected'
),
final as (
    select b.urn, s.school_name, s.phase, b.enrolments, b.pa_enrolments,
        100.0 * b.pa_enrolments / b.enrolments as persistent_absence_rate,
        case when b.last_year_enrolments >= $min_count
             then 100.0 * b.last_year_pa_enrolments / b.last_year_enrolments end as last_year_rate,
        la.la_pa_rate
    from by_school b
    cross join la
    left join schools s using (urn)
    where b.enrolments >= $min_count
)
select *, persistent_absence_rate - last_year_rate as change_on_last_year,
    persistent_absence_rate - la_pa_rate as gap_to_la
from final
order by persistent_absence_rate desc, school_name, urn
