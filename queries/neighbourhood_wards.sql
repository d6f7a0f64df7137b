-- Attendance by the ward of the pupil's home (LSOA 2021 -> May 2025 ward, best fit),
-- for saying "PA in <ward> is 26%, 6 points above the LA". Pupils living outside the LA
-- ($la_code) and those with no known home area are grouped as such.
-- Population: enrolments of compulsory school age with possible sessions in the selected
-- weeks $week_from..$week_to of academic year $year, phase as filtered, placed by the
-- pupil's home LSOA (pupil_year.home_lsoa) whatever school they attend; a pupil on roll
-- at two schools counts once per enrolment (DfE's rule).
-- Units: overall absence = absence sessions as % of possible sessions; PA = % of
-- enrolments missing 10%+ of possible sessions over the period (is_persistent_absentee);
-- gaps are percentage points against the whole population's rate.
-- mean_imd_decile is the average IMD decile of the wards' pupils' home LSOAs.
-- Suppression: a ward with fewer than $min_count enrolments shows no counts or rates.
with
-- @include fragments/selected_population.sql
placed as (
    select p.*, r.imd_decile,
        case when p.home_lsoa is null or r.lsoa21_code is null then 'Home area not known'
             when r.la_code = $la_code or r.utla_code = $la_code then coalesce(r.ward_name, 'Ward not known')
             else 'Outside the LA' end as ward_name,
        r.la_code = $la_code or r.utla_code = $la_code as in_la
    from population p
    left join lsoa21 r on r.lsoa21_code = p.home_lsoa
),
la_rate as (
    select pct(count(*) filter (where is_persistent_absentee(absent, possible)), count(*)) as la_pa_rate,
        pct(sum(absent), sum(possible)) as la_overall_absence_rate
    from population
),
by_ward as (
    select ward_name, coalesce(bool_or(in_la), false) as in_la,
        count(distinct home_lsoa) as lsoas,
        avg(imd_decile) as mean_imd_decile,
        count(*) as enrolments,
        count(*) filter (where is_persistent_absentee(absent, possible)) as pa,
        sum(absent) as absent, sum(possible) as possible
    from placed
    group by ward_name
),
final as (
    select w.ward_name, w.in_la, w.lsoas,
        w.enrolments < $min_count as suppressed,
        case when w.enrolments < $min_count then 'fewer than ' || $min_count
             else format('{:,}', w.enrolments) end as size_note,
        case when w.enrolments >= $min_count then w.enrolments end as enrolments,
        case when w.enrolments >= $min_count then w.mean_imd_decile end as mean_imd_decile,
        case when w.enrolments >= $min_count then w.pa end as pa_enrolments,
        case when w.enrolments >= $min_count then pct(w.pa, w.enrolments) end as persistent_absence_rate,
        case when w.enrolments >= $min_count then pct(w.absent, w.possible) end as overall_absence_rate,
        case when w.enrolments >= $min_count then pct(w.pa, w.enrolments) - la.la_pa_rate end as gap_to_la,
        case when w.enrolments >= $min_count
             then pct(w.absent, w.possible) - la.la_overall_absence_rate end as overall_absence_gap_to_la,
        la.la_pa_rate, la.la_overall_absence_rate
    from by_ward w cross join la_rate la
)
select * from final order by in_la desc, persistent_absence_rate desc nulls last, ward_name
