-- One school's overall absence (% of possible sessions) each school week of the selected
-- year and of the year before, aligned by week of the academic year (week 1 = the LA's
-- first school week), with the LA's rate for schools of the same phase this year.
-- Compulsory school age. The LA series is an aggregate over every school of the phase,
-- shown for a week only when at least 3 schools other than this one had possible
-- sessions that week (fewer would let a head subtract their own figures and recover
-- another school's; see school_headline.sql).
with school as (
    select urn, phase from schools
    where urn = $urn and ($scope_urns is null or urn in (select unnest($scope_urns)))
),
school_weeks as (
    -- each school of the phase and week (school_week: its compulsory-age enrolments' sessions),
    -- this year (the LA series) and, for this school only, last year too
    select academic_year, week_start, urn,
        possible as possible_sessions,
        authorised + unauthorised as absence_sessions,
        unauthorised as unauthorised_sessions
    from school_week
    where academic_year in ($year, $year - 1)
      and (academic_year = $year or urn = $urn)
      and phase = (select phase from school)
),
weeks as (
    select academic_year, week_start, urn = $urn as is_school,
        sum(possible_sessions) as possible_sessions,
        sum(absence_sessions) as absence_sessions,
        sum(unauthorised_sessions) as unauthorised_sessions,
        -- schools other than this one with possible sessions that week
        count(*) filter (where urn <> $urn and possible_sessions > 0) as other_schools
    from school_weeks
    group by all
),
year_start as (
    select academic_year, min(week_start) as first_week
    from school_calendar where academic_year in ($year, $year - 1)
    group by all
),
series as (
    select 'This year' as series, academic_year, week_start,
        possible_sessions, absence_sessions, unauthorised_sessions
    from weeks where is_school and academic_year = $year
    union all
    select 'Last year', academic_year, week_start, possible_sessions, absence_sessions, unauthorised_sessions
    from weeks where is_school and academic_year = $year - 1
    union all
    select 'LA, same phase', academic_year, week_start,
        sum(possible_sessions), sum(absence_sessions), sum(unauthorised_sessions)
    from weeks where academic_year = $year
    group by all
    having sum(other_schools) >= 3
),
final as (
    select s.series, s.academic_year, s.week_start,
        1 + date_diff('week', y.first_week, s.week_start) as week_of_year,
        s.possible_sessions,
        pct(s.absence_sessions, s.possible_sessions) as overall_absence_rate,
        pct(s.unauthorised_sessions, s.possible_sessions) as unauthorised_absence_rate
    from series s join year_start y using (academic_year)
    where s.possible_sessions > 0
)
select * from final order by series, week_of_year
