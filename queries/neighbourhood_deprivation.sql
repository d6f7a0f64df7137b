-- Persistent absence by deprivation: PA and overall absence by the IMD 2025 decile of the
-- pupil's home LSOA (1 = most deprived 10% of England), for the whole LA and for one
-- school's intake ($urn; NULL = LA only). Pupils with no known home area form decile NULL.
-- Population: enrolments of compulsory school age with possible sessions in the selected
-- weeks $week_from..$week_to of academic year $year, phase as filtered, placed by the
-- pupil's home LSOA (pupil_year.home_lsoa) whatever school they attend; a pupil on roll
-- at two schools counts once per enrolment (DfE's rule).
-- Units: overall absence = absence sessions as % of possible sessions; PA = % of
-- enrolments missing 10%+ of possible sessions over the period (is_persistent_absentee);
-- gaps are percentage points against the whole population's rate.
-- Suppression: a decile with fewer than $min_count enrolments shows no counts or rates.
with
-- @include fragments/selected_population.sql
placed as (
    select p.*, r.imd_decile
    from population p
    left join lsoa21 r on r.lsoa21_code = p.home_lsoa
),
series as (
    select 'LA' as series, * from placed
    union all
    select 'School intake' as series, * from placed where urn = $urn
),
by_decile as (
    select series, imd_decile,
        count(*) as enrolments,
        count(*) filter (where is_persistent_absentee(absent, possible)) as pa,
        sum(absent) as absent, sum(possible) as possible
    from series
    group by series, imd_decile
),
final as (
    select series, imd_decile,
        case when imd_decile is null then 'Home area not known'
             when imd_decile = 1 then '1 (most deprived)'
             when imd_decile = 10 then '10 (least deprived)'
             else imd_decile::varchar end as decile_label,
        enrolments < $min_count as suppressed,
        case when enrolments < $min_count then 'fewer than ' || $min_count
             else format('{:,}', enrolments) end as size_note,
        case when enrolments >= $min_count then enrolments end as enrolments,
        case when enrolments >= $min_count then pa end as pa_enrolments,
        case when enrolments >= $min_count then pct(pa, enrolments) end as persistent_absence_rate,
        case when enrolments >= $min_count then pct(absent, possible) end as overall_absence_rate
    from by_decile
)
select * from final order by series, imd_decile nulls last
