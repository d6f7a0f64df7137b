-- Persistent absence (PA: enrolments with 10%+ of possible sessions missed over the
-- period) by school, this period and the same period last year, with the gap to the
-- LA's rate (percentage points). Compulsory school age; phase as filtered.
-- Schools with fewer than $min_count enrolments are left out (suppression).
with periods as (
    select 'selected' as period, $year::integer as academic_year,
           $week_from::date as week_from, $week_to::date as week_to
    union all
    select 'last year', $year::integer - 1, $ly_week_from::date, $ly_week_to::date
),
enrolment as (
    select p.period, w.urn, w.pupil_id,
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
    group by all
    having sum(w.possible) > 0
),
by_school as (
    select urn,
        count(*) filter (where period = 'selected') as enrolments,
        count(*) filter (where period = 'selected' and absent * 10 >= possible) as pa_enrolments,
        count(*) filter (where period = 'last year') as last_year_enrolments,
        count(*) filter (where period = 'last year' and absent * 10 >= possible) as last_year_pa_enrolments
    from enrolment group by urn
),
la as (
    select 100.0 * count(*) filter (where absent * 10 >= possible) / count(*) as la_pa_rate
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
