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
weeks as (
    select w.academic_year, w.week_start, w.urn = $urn as is_school,
        sum(w.possible) as possible_sessions,
        sum(w.authorised + w.unauthorised) as absence_sessions,
        sum(w.unauthorised) as unauthorised_sessions,
        count(distinct w.urn) filter (where w.urn <> $urn and w.possible > 0) as other_schools
    from pupil_week w
    join pupil_year y
      on y.academic_year = w.academic_year and y.urn = w.urn and y.pupil_id = w.pupil_id
    where w.academic_year in ($year, $year - 1)
      and y.compulsory_age
      and y.phase = (select phase from school)
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
