-- Persistent absence (PA, 10%+ of possible sessions missed over the period) by the
-- ward of the pupil's home (home_lsoa -> ward via the reference lsoa21 table), this
-- period and the same period last year, with the gap to the LA's rate (percentage
-- points) and the ward's average IMD decile (1 = most deprived). Compulsory school
-- age; phase as filtered. Wards with fewer than $min_count enrolments are left out.
with periods as (
    select 'selected' as period, $year::integer as academic_year,
           $week_from::date as week_from, $week_to::date as week_to
    union all
    select 'last year', $year::integer - 1, $ly_week_from::date, $ly_week_to::date
),
enrolment as (
    select p.period, w.urn, w.pupil_id, any_value(y.home_lsoa) as home_lsoa,
        sum(w.possible) as possible,
        sum(w.authorised + w.unauthorised) as absent
    from pupil_week w
    join periods p
      on w.academic_year = p.academic_year and w.week_start between p.week_from and p.week_to
    join pupil_year y
      on y.academic_year = w.academic_year and y.urn = w.urn and y.pupil_id = w.pupil_id
    where ($scope_urns is null or w.urn in (select unnest($scope_urns)))
      and y.compulsory_age
      and ($phase is null or y.phase = $phase)
    group by p.period, w.urn, w.pupil_id
    having sum(w.possible) > 0
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
        count(*) filter (where period = 'selected' and absent * 10 >= possible) as pa_enrolments,
        count(*) filter (where period = 'last year') as last_year_enrolments,
        count(*) filter (where period = 'last year' and absent * 10 >= possible) as last_year_pa_enrolments
    from placed group by ward_name
),
la as (
    select 100.0 * count(*) filter (where absent * 10 >= possible) / count(*) as la_pa_rate
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
