-- Where a cohort's persistent absence is: for one cohort (group $group_key of
-- characteristic $dimension), each school's cohort size, its persistently absent cohort
-- pupils and their share of the LA cohort's PA, the cohort's PA rate and overall absence
-- against the school's other pupils (the within-school gap, percentage points).
-- Population: enrolments of compulsory school age with possible sessions in the selected
-- weeks $week_from..$week_to of academic year $year; phase as filtered.
-- PA = 10%+ of possible sessions missed over the period (is_persistent_absentee).
-- Suppression: a school's cohort figures are withheld when the cohort there has fewer
-- than $min_count enrolments; the gap also when the other pupils number fewer.
with
-- @include fragments/selected_population.sql
-- @include fragments/population_cohort.sql
by_school as (
    select urn,
        count(*) filter (where in_cohort) as cohort_enrolments,
        count(*) filter (where in_cohort and is_persistent_absentee(absent, possible)) as cohort_pa,
        sum(absent) filter (where in_cohort) as cohort_absent,
        sum(possible) filter (where in_cohort) as cohort_possible,
        count(*) filter (where not in_cohort) as other_enrolments,
        count(*) filter (where not in_cohort and is_persistent_absentee(absent, possible)) as other_pa,
        sum(absent) filter (where not in_cohort) as other_absent,
        sum(possible) filter (where not in_cohort) as other_possible
    from (select *, group_key is not distinct from $group_key as in_cohort from labelled)
    group by urn
),
la_cohort as (
    select sum(cohort_pa) as la_cohort_pa from by_school
),
final as (
    select b.urn, s.school_name, s.phase,
        b.cohort_enrolments < $min_count as suppressed,
        case when b.cohort_enrolments < $min_count then 'fewer than ' || $min_count
             else format('{:,}', b.cohort_enrolments) end as size_note,
        case when b.cohort_enrolments >= $min_count then b.cohort_enrolments end as cohort_enrolments,
        case when b.cohort_enrolments >= $min_count then b.cohort_pa end as cohort_pa_enrolments,
        -- share of all the LA cohort's persistently absent enrolments, %
        case when b.cohort_enrolments >= $min_count then pct(b.cohort_pa, l.la_cohort_pa) end
            as share_of_cohort_pa,
        case when b.cohort_enrolments >= $min_count then pct(b.cohort_pa, b.cohort_enrolments) end
            as cohort_persistent_absence_rate,
        case when b.cohort_enrolments >= $min_count and b.other_enrolments >= $min_count
             then pct(b.other_pa, b.other_enrolments) end as other_persistent_absence_rate,
        case when b.cohort_enrolments >= $min_count and b.other_enrolments >= $min_count
             then pct(b.cohort_pa, b.cohort_enrolments) - pct(b.other_pa, b.other_enrolments) end
            as gap_persistent_absence,
        case when b.cohort_enrolments >= $min_count then pct(b.cohort_absent, b.cohort_possible) end
            as cohort_overall_absence_rate,
        case when b.cohort_enrolments >= $min_count and b.other_enrolments >= $min_count
             then pct(b.cohort_absent, b.cohort_possible) - pct(b.other_absent, b.other_possible) end
            as gap_overall_absence
    from by_school b
    cross join la_cohort l
    left join schools s on s.urn = b.urn
    where b.cohort_enrolments > 0
)
select * from final
order by suppressed, cohort_pa_enrolments desc nulls last, gap_persistent_absence desc nulls last, school_name
