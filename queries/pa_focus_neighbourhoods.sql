-- Persistent absence (PA, 10%+ of possible sessions missed over the period) by the
-- ward of the pupil's home (home_lsoa -> ward via the reference lsoa21 table), this
-- period and the same period last year, with the gap to the LA's rate (percentage
-- points) and the ward's average IMD decile (1 = most deprived). Compulsory school
-- age; phase as filtered. Wards with fewer than $min_count enrolments are left out.
with
-- @include fragments/this_and_last_year.sql
enrolment as (
    -- enrolments of compulsory school age with possible sessions in the period, phase as filtered
    select period, home_lsoa, possible, authorised + unauthorised as absent
    from period_enrolment
    where possible > 0
      and compulsory_age
      and ($phase is null or phase = $phase)
),
placed as (
    select e.*, coalesce(l.ward_name, 'Home area not known') as ward_name, l.imd_decile
    from enrolment e
    left join lsoa21 l on l.lsoa21_code = e.home_lsoa
),
by_ward as (
    select ward_name,
        avg(imd_decile) filter (where period = 'selected') as mean_imd_decile,
        count(*) filter (where period = 'selected') as enrolments,
        count(*) filter (where period = 'selected' and is_persistent_absentee(absent, possible)) as pa_enrolments,
        count(*) filter (where period = 'last year') as last_year_enrolments,
        count(*) filter (where period = 'last year' and is_persistent_absentee(absent, possible)) as last_year_pa_enrolments
    from placed group by ward_name
),
la as (
    select pct(count(*) filter (where is_persistent_absentee(absent, possible)), count(*)) as la_pa_rate
    from enrolment where period = 'selected'
),
final as (
    select b.ward_name, b.mean_imd_decile, b.enrolments, b.pa_enrolments,
        100.0 * b.pa_enrolments / b.enrolments as persistent_absence_rate,
        case when b.last_year_enrolments >= $min_count
             then 100.0 * b.last_year_pa_enrolments / b.last_year_enrolments end as last_year_rate,
        la.la_pa_rate
    from by_ward b cross join la
    where b.enrolments >= $min_count
)
select *, persistent_absence_rate - last_year_rate as change_on_last_year,
    persistent_absence_rate - la_pa_rate as gap_to_la
from final
order by persistent_absence_rate desc, ward_name
