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
        sum(illness) as illness, sum(medical) as medical,
        sum(authorised_holiday) as authorised_holiday, sum(excluded) as excluded,
        sum(part_time_timetable) as part_time_timetable, sum(other_authorised) as other_authorised,
        sum(unauthorised_holiday) as unauthorised_holiday, sum(other_unauthorised) as other_unauthorised,
        sum(not_yet_known) as not_yet_known, sum(late_after_close) as late_after_close
    from labelled
    group by all
    having count(*) >= $min_count
),
long as (
    unpivot series
    on illness, medical, authorised_holiday, excluded, part_time_timetable, other_authorised,
       unauthorised_holiday, other_unauthorised, not_yet_known, late_after_close
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
