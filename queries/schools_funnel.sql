-- Funnel plot of persistent absence (PA: 10%+ of possible sessions missed over the
-- period) against the number of enrolments, with binomial control limits around the
-- LA's PA rate for the phase: p0 ± z * sqrt(p0 * (1 - p0) / n) (normal approximation
-- to the binomial), z = 1.959964 (95%) and 3.090232 (99.8%), clipped to 0..100%.
-- A school outside the 99.8% limits would be there by chance alone about 2 times in
-- 1,000 (1 in 1,000 each side), given its size.
-- Population: enrolments of compulsory school age with possible sessions in the period.
-- Filters: $phase (also defines the LA rate), $school_type, $ward (points only).
with
-- @include fragments/selected_population.sql
by_school as (
    select urn, count(*) as enrolments,
        count(*) filter (where is_persistent_absentee(absent, possible)) as pa_enrolments
    from population group by urn
),
la as (
    select sum(pa_enrolments) / sum(enrolments) as p0 from by_school
),
-- @include fragments/school_ward.sql
limits as (
    select b.*, s.school_name, s.phase, s.establishment_type,
        coalesce(sw.ward_name, 'Not known') as ward_name,
        100 * la.p0 as la_pa_rate,
        100 * b.pa_enrolments / b.enrolments as persistent_absence_rate,
        100 * sqrt(la.p0 * (1 - la.p0) / b.enrolments) as se
    from by_school b
    cross join la
    join schools s using (urn)
    left join school_ward sw using (urn)
),
final as (
    select urn, school_name, phase, establishment_type, ward_name, enrolments, pa_enrolments,
        persistent_absence_rate, la_pa_rate,
        greatest(0, la_pa_rate - 1.959964 * se) as lower_95,
        least(100, la_pa_rate + 1.959964 * se) as upper_95,
        greatest(0, la_pa_rate - 3.090232 * se) as lower_998,
        least(100, la_pa_rate + 3.090232 * se) as upper_998,
        case when persistent_absence_rate > la_pa_rate + 3.090232 * se then 'above 99.8% limit'
             when persistent_absence_rate < la_pa_rate - 3.090232 * se then 'below 99.8% limit'
             when persistent_absence_rate > la_pa_rate + 1.959964 * se then 'above 95% limit'
             when persistent_absence_rate < la_pa_rate - 1.959964 * se then 'below 95% limit'
             else 'within limits' end as position
    from limits
    where ($school_type is null or establishment_type = $school_type)
      and ($ward is null or ward_name = $ward)
)
select * from final
order by persistent_absence_rate desc, school_name, urn
