-- One school's year groups over the selected period, with the same weeks last year:
-- enrolments, overall absence (% of possible sessions), PA and SA (counts and % of
-- enrolments), days lost. $population: 'all' counts every enrolment with possible sessions
-- (Reception and sixth form included, labelled: year groups are how a school organises);
-- 'compulsory' only those of compulsory school age, the population of every other table
-- a governor sees with it, so that no suppressed cell can be worked out from their totals.
-- Small numbers: for governors the page runs this through queries.run_suppressed
-- (queries/suppression.py): counts under the scope's threshold and rates built on them -> 'c'.
with school as (
    select urn from schools
    where urn = $urn and ($scope_urns is null or urn in (select unnest($scope_urns)))
),
-- @include fragments/periods_this_and_last.sql
enrolment as (
    select p.period, w.pupil_id, any_value(y.ncyear) as ncyear,
        sum(w.possible) as possible,
        sum(w.authorised + w.unauthorised) as absent
    from pupil_week w
    join periods p
      on w.academic_year = p.academic_year and w.week_start between p.week_from and p.week_to
    join pupil_year y
      on y.academic_year = w.academic_year and y.urn = w.urn and y.pupil_id = w.pupil_id
    where w.urn in (select urn from school)
      and ($population = 'all' or y.compulsory_age)
    group by p.period, w.pupil_id
    having sum(w.possible) > 0
),
by_year as (
    select ncyear,
        count(*) filter (where period = 'selected') as enrolments,
        sum(possible) filter (where period = 'selected') as possible_sessions,
        sum(absent) filter (where period = 'selected') as absence_sessions,
        count(*) filter (where period = 'selected' and is_persistent_absentee(absent, possible)) as pa_enrolments,
        count(*) filter (where period = 'selected' and is_severe_absentee(absent, possible)) as sa_enrolments,
        count(*) filter (where period = 'last year') as ly_enrolments,
        count(*) filter (where period = 'last year' and is_persistent_absentee(absent, possible)) as ly_pa_enrolments
    from enrolment group by ncyear
),
measured as (
    select ncyear,
        case when ncyear = 0 then 'Reception' when ncyear < 0 then 'Nursery'
             when ncyear is null then 'Not known' else 'Year ' || ncyear end as year_group,
        enrolments, pa_enrolments, sa_enrolments, ly_enrolments, ly_pa_enrolments,
        pct(absence_sessions, possible_sessions) as overall_absence_rate,
        pct(pa_enrolments, enrolments) as persistent_absence_rate,
        pct(sa_enrolments, enrolments) as severe_absence_rate,
        pct(ly_pa_enrolments, ly_enrolments) as last_year_pa_rate,
        days_lost(absence_sessions) as days_lost
    from by_year
    where enrolments > 0
),
final as (
    select * from measured
)
select * from final order by ncyear nulls last
