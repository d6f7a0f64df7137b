-- Attendance by home neighbourhood: one row per LSOA 2021 of the LA ($la_code), and per
-- LSOA outside it where pupils live, with its ward and IMD decile (1 = most deprived 10%).
-- Population: enrolments of compulsory school age with possible sessions in the selected
-- weeks $week_from..$week_to of academic year $year, phase as filtered, placed by the
-- pupil's home LSOA (pupil_year.home_lsoa) whatever school they attend; a pupil on roll
-- at two schools counts once per enrolment (DfE's rule).
-- Units: overall absence = absence sessions as % of possible sessions; PA = % of
-- enrolments missing 10%+ of possible sessions over the period (is_persistent_absentee);
-- gaps are percentage points against the whole population's rate.
-- Suppression: an area with fewer than $min_count enrolments shows no counts or rates.
with
-- @include fragments/selected_population.sql
la_rate as (
    select pct(count(*) filter (where is_persistent_absentee(absent, possible)), count(*)) as la_pa_rate
    from population
),
by_home as (
    select home_lsoa,
        count(*) as enrolments,
        count(distinct urn) as schools_attended,
        count(*) filter (where is_persistent_absentee(absent, possible)) as pa,
        sum(absent) as absent,
        sum(possible) as possible
    from population
    where home_lsoa is not null
    group by home_lsoa
),
la_lsoas as (
    select lsoa21_code from lsoa21 where la_code = $la_code or utla_code = $la_code
),
areas as (
    select coalesce(l.lsoa21_code, h.home_lsoa) as lsoa21_code, h.*
    from la_lsoas l
    full join by_home h on h.home_lsoa = l.lsoa21_code
),
final as (
    select a.lsoa21_code, r.lsoa21_name, r.ward_code, r.ward_name, r.imd_decile,
        a.lsoa21_code in (select lsoa21_code from la_lsoas) as in_la,
        coalesce(a.enrolments, 0) < $min_count as suppressed,
        case when a.enrolments is null then 'no pupils'
             when a.enrolments < $min_count then 'fewer than ' || $min_count
             else format('{:,}', a.enrolments) end as size_note,
        case when a.enrolments >= $min_count then a.enrolments end as enrolments,
        case when a.enrolments >= $min_count then a.schools_attended end as schools_attended,
        case when a.enrolments >= $min_count then a.pa end as pa_enrolments,
        case when a.enrolments >= $min_count then pct(a.pa, a.enrolments) end as persistent_absence_rate,
        case when a.enrolments >= $min_count then pct(a.absent, a.possible) end as overall_absence_rate,
        case when a.enrolments >= $min_count then pct(a.pa, a.enrolments) - la.la_pa_rate end as gap_to_la,
        la.la_pa_rate
    from areas a
    left join lsoa21 r on r.lsoa21_code = a.lsoa21_code
    cross join la_rate la
)
select * from final order by in_la desc, persistent_absence_rate desc nulls last, lsoa21_code
