-- Overall absence rate (% of possible sessions) each school week of the selected
-- year and of the year before, aligned by week of the academic year (week 1 = the
-- first school week), with England's published weekly figure (daily collection)
-- where DfE publishes one. Compulsory school age; phase as filtered.
with la_weeks as (
    -- school_week: each school's compulsory-age enrolments' sessions a week
    select academic_year, week_start,
        sum(possible) as possible_sessions,
        sum(authorised + unauthorised) as absence_sessions
    from school_week
    where ($scope_urns is null or urn in (select unnest($scope_urns)))
      and academic_year in ($year, $year - 1)
      and ($phase is null or phase = $phase)
    group by all
    having sum(possible) > 0
),
year_start as (
    select academic_year, min(week_start) as first_week
    from school_calendar
    where academic_year in ($year, $year - 1)
    group by all
),
la_series as (
    select case when l.academic_year = $year then 'This year' else 'Last year' end as series,
        l.academic_year, l.week_start,
        1 + date_diff('week', s.first_week, l.week_start) as week_of_year,
        l.possible_sessions,
        100.0 * l.absence_sessions / l.possible_sessions as overall_absence_rate
    from la_weeks l join year_start s using (academic_year)
),
england as (
    select 'England (published)' as series, b.time_period as academic_year, b.week_start,
        1 + date_diff('week', s.first_week, b.week_start) as week_of_year,
        b.possible_sessions,
        b.overall_absence_rate
    from bench_weekly b
    join year_start s on s.academic_year = b.time_period
    where b.collection = 'daily'
      and b.geographic_level = 'National'
      and b.phase = $bench_phase
      and b.time_period = $year
),
final as (
    select * from la_series
    union all
    select * from england
)
select * from final order by series, week_of_year
