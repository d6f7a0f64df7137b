-- Reasons for absence of one cohort (group $group_key of characteristic $dimension)
-- against all other pupils, over the selected school weeks $week_from..$week_to of
-- academic year $year. Population: enrolments of compulsory school age with possible
-- sessions in the period; phase as filtered.
-- Units: sessions are half days; rate = the reason's sessions as % of possible sessions;
-- share_of_absence = the reason's sessions as % of all absence sessions (authorised +
-- unauthorised). late_after_close (U) is part of unauthorised absence.
-- Suppression: nothing is shown for a series with fewer than $min_count enrolments.
with
-- @include fragments/selected_population.sql
-- @include fragments/population_cohort.sql
series as (
    select case when group_key is not distinct from $group_key then 'cohort' else 'others' end as series,
        count(*) as enrolments,
        sum(possible) as possible,
        sum(absent) as absent,
-- @include fragments/reason_sums.sql
    from labelled
    group by all
    having count(*) >= $min_count
),
long as (
    unpivot series
-- @include fragments/reason_columns.sql
    into name reason value sessions
),
final as (
    select reason,
        max(sessions) filter (where series = 'cohort') as cohort_sessions,
        pct(max(sessions) filter (where series = 'cohort'),
            max(possible) filter (where series = 'cohort')) as cohort_rate,
        pct(max(sessions) filter (where series = 'cohort'),
            max(absent) filter (where series = 'cohort')) as cohort_share_of_absence,
        pct(max(sessions) filter (where series = 'others'),
            max(possible) filter (where series = 'others')) as others_rate,
        pct(max(sessions) filter (where series = 'others'),
            max(absent) filter (where series = 'others')) as others_share_of_absence
    from long
    group by reason
)
select * from final order by cohort_rate desc nulls last, others_rate desc, reason
