-- One school's figures term by term, for the governors' summary of what changed since
-- the last term: each term of the selected academic year up to $week_to and of the year
-- before (so the first term can be compared with last summer). Compulsory school age;
-- each term's PA (10%+ missed) and SA (50%+) are over that term alone. Returns the selected
-- year's terms and the last term of the year before; in_progress = the term runs on past $week_to.
-- Small numbers: the governors' page runs this through queries.run_suppressed
-- (queries/suppression.py): counts under the scope's threshold and rates built on them -> 'c'.
with school as (
    select urn from schools
    where urn = $urn and ($scope_urns is null or urn in (select unnest($scope_urns)))
),
terms as (
    select academic_year, term, min(week_start) as first_week, max(week_start) as last_week
    from school_calendar
    where academic_year in ($year, $year - 1)
    group by all
    having min(week_start) <= $week_to
),
enrolment as (
    select t.academic_year, t.term, t.first_week, t.last_week, w.pupil_id,
        sum(w.possible) as possible,
        sum(w.present + w.aea) as attending,
        sum(w.authorised + w.unauthorised) as absent,
        sum(w.unauthorised) as unauthorised
    from pupil_week w
    join terms t
      on w.academic_year = t.academic_year
     and w.week_start between t.first_week and least(t.last_week, $week_to)
    join pupil_year y
      on y.academic_year = w.academic_year and y.urn = w.urn and y.pupil_id = w.pupil_id
    where w.urn in (select urn from school) and y.compulsory_age
    group by all
    having sum(w.possible) > 0
),
measured as (
    select academic_year, term, first_week, last_week,
        count(*) as enrolments,
        pct(sum(attending), sum(possible)) as attendance_rate,
        pct(sum(absent), sum(possible)) as overall_absence_rate,
        pct(sum(unauthorised), sum(possible)) as unauthorised_absence_rate,
        count(*) filter (where is_persistent_absentee(absent, possible)) as pa_enrolments,
        count(*) filter (where is_severe_absentee(absent, possible)) as sa_enrolments,
        days_lost(sum(absent)) as days_lost
    from enrolment
    group by all
),
final as (
    select academic_year, term,
        term || ' ' || case when term = 'Autumn' then academic_year else academic_year + 1 end as term_label,
        first_week, last_week > $week_to as in_progress, enrolments, attendance_rate, overall_absence_rate, unauthorised_absence_rate,
        days_lost, pa_enrolments, pct(pa_enrolments, enrolments) as persistent_absence_rate,
        sa_enrolments, pct(sa_enrolments, enrolments) as severe_absence_rate
    from measured
    where academic_year = $year
       or first_week = (select max(first_week) from terms where academic_year = $year - 1)
)
select * from final order by first_week
