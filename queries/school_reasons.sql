-- One school's absence by reason over the selected period: sessions, days (sessions / 2),
-- % of possible sessions, share of all absence (%), the same weeks last year (%) and the
-- LA's schools of the same phase (%, an aggregate). Compulsory school age.
-- la_rate is NULL unless at least 3 schools other than this one had possible sessions
-- in the period (fewer would let a head subtract their own figures and recover another
-- school's; see school_headline.sql).
with school as (
    select urn, phase from schools
    where urn = $urn and ($scope_urns is null or urn in (select unnest($scope_urns)))
),
periods as (
    select 'selected' as period, $year::integer as academic_year,
           $week_from::date as week_from, $week_to::date as week_to
    union all
    select 'last year', $year::integer - 1, $ly_week_from::date, $ly_week_to::date
),
sessions as (
    select case when w.urn = $urn then p.period else 'la ' || p.period end as period,
        sum(w.possible) as possible,
        sum(w.authorised + w.unauthorised) as absent,
        sum(w.illness) as illness, sum(w.medical) as medical,
        sum(w.authorised_holiday) as authorised_holiday, sum(w.excluded) as excluded,
        sum(w.part_time_timetable) as part_time_timetable,
        sum(w.other_authorised) as other_authorised,
        sum(w.unauthorised_holiday) as unauthorised_holiday,
        sum(w.other_unauthorised) as other_unauthorised,
        sum(w.not_yet_known) as not_yet_known, sum(w.late_after_close) as late_after_close,
        count(distinct w.urn) filter (where w.possible > 0) as schools
    from pupil_week w
    join periods p
      on w.academic_year = p.academic_year and w.week_start between p.week_from and p.week_to
    join pupil_year y
      on y.academic_year = w.academic_year and y.urn = w.urn and y.pupil_id = w.pupil_id
    where y.compulsory_age and y.phase = (select phase from school)
    group by all
),
long as (
    unpivot sessions
    on illness, medical, authorised_holiday, excluded, part_time_timetable, other_authorised,
       unauthorised_holiday, other_unauthorised, not_yet_known, late_after_close
    into name reason value reason_sessions
),
final as (
    select reason,
        max(reason_sessions) filter (where period = 'selected') as sessions,
        days_lost(max(reason_sessions) filter (where period = 'selected')) as days_lost,
        pct(max(reason_sessions) filter (where period = 'selected'),
            max(possible) filter (where period = 'selected')) as rate,
        pct(max(reason_sessions) filter (where period = 'selected'),
            max(absent) filter (where period = 'selected')) as share_of_absence,
        pct(max(reason_sessions) filter (where period = 'last year'),
            max(possible) filter (where period = 'last year')) as last_year_rate,
        case when max(schools) filter (where period = 'la selected') >= 3 then
            pct(sum(reason_sessions) filter (where period in ('selected', 'la selected')),
                sum(possible) filter (where period in ('selected', 'la selected')))
        end as la_rate
    from long
    group by reason
    having max(reason_sessions) filter (where period = 'selected') is not null
)
select * from final order by rate desc nulls last, reason
