-- Schools for the map: location (WGS84), roll, and the PA and overall absence of their
-- pupils over the selected weeks $week_from..$week_to of academic year $year
-- (compulsory school age, phase as filtered), with the share of their pupils living in
-- the LA ($la_code). roll = the school's published number on roll (schools table,
-- all ages) where known, else its enrolments here.
-- Suppression: a school with fewer than $min_count enrolments shows no counts or rates.
with
-- @include fragments/selected_population.sql
by_school as (
    select p.urn,
        count(*) as enrolments,
        count(*) filter (where is_persistent_absentee(p.absent, p.possible)) as pa,
        sum(p.absent) as absent, sum(p.possible) as possible,
        count(*) filter (where r.la_code = $la_code or r.utla_code = $la_code) as living_in_la
    from population p
    left join lsoa21 r on r.lsoa21_code = p.home_lsoa
    group by p.urn
),
final as (
    select s.urn, s.school_name, s.phase, s.latitude, s.longitude,
        coalesce(s.number_of_pupils, b.enrolments) as roll,
        b.enrolments < $min_count as suppressed,
        case when b.enrolments < $min_count then 'fewer than ' || $min_count
             else format('{:,}', b.enrolments) end as size_note,
        case when b.enrolments >= $min_count then b.enrolments end as enrolments,
        case when b.enrolments >= $min_count then b.pa end as pa_enrolments,
        case when b.enrolments >= $min_count then pct(b.pa, b.enrolments) end as persistent_absence_rate,
        case when b.enrolments >= $min_count then pct(b.absent, b.possible) end as overall_absence_rate,
        case when b.enrolments >= $min_count then pct(b.living_in_la, b.enrolments) end as pct_living_in_la
    from by_school b
    join schools s on s.urn = b.urn
)
select * from final order by school_name
