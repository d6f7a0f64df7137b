-- Absence by reason over the chosen period and the same period last year, each as
-- sessions (half days) and % of possible sessions, with England's published rate
-- (daily collection, latest year on or before the selected year) where DfE
-- publishes that reason. Compulsory school age; phase as filtered.
with periods as (
    select 'selected' as period, $year::integer as academic_year,
           $week_from::date as week_from, $week_to::date as week_to
    union all
    select 'last year', $year::integer - 1, $ly_week_from::date, $ly_week_to::date
),
sessions as (
    select p.period,
        sum(w.possible) as possible,
        sum(w.authorised + w.unauthorised) as absent,
        sum(w.illness) as illness,
        sum(w.medical) as medical,
        sum(w.authorised_holiday) as authorised_holiday,
        sum(w.excluded) as excluded,
        sum(w.part_time_timetable) as part_time_timetable,
        sum(w.other_authorised) as other_authorised,
        sum(w.unauthorised_holiday) as unauthorised_holiday,
        sum(w.other_unauthorised) as other_unauthorised,
        sum(w.not_yet_known) as not_yet_known,
        sum(w.late_after_close) as late_after_close
    from pupil_week w
    join periods p
      on w.academic_year = p.academic_year
     and w.week_start between p.week_from and p.week_to
    join pupil_year y
      on y.academic_year = w.academic_year and y.urn = w.urn and y.pupil_id = w.pupil_id
    where ($scope_urns is null or w.urn in (select unnest($scope_urns)))
      and y.compulsory_age
      and ($phase is null or y.phase = $phase)
    group by all
),
long as (
    unpivot sessions
    on illness, medical, authorised_holiday, excluded, part_time_timetable, other_authorised,
       unauthorised_holiday, other_unauthorised, not_yet_known, late_after_close
    into name reason value reason_sessions
),
la as (
    select reason,
        max(reason_sessions) filter (where period = 'selected') as sessions,
        100.0 * max(reason_sessions) filter (where period = 'selected')
              / nullif(max(possible) filter (where period = 'selected'), 0) as rate,
        -- share of all absence sessions in the period, %
        100.0 * max(reason_sessions) filter (where period = 'selected')
              / nullif(max(absent) filter (where period = 'selected'), 0) as share_of_absence,
        100.0 * max(reason_sessions) filter (where period = 'last year')
              / nullif(max(possible) filter (where period = 'last year'), 0) as last_year_rate
    from long
    group by reason
),
england_row as (
    select *
    from bench_la_year
    where collection = 'daily' and geographic_level = 'National'
      and phase = $bench_phase and time_period <= $year
    order by time_period desc
    limit 1
),
england as (
    unpivot (
        select time_period, illness_rate as illness, medical_rate as medical,
            part_time_rate as part_time_timetable, unauthorised_holiday_rate as unauthorised_holiday,
            other_unauthorised_rate as other_unauthorised, not_yet_known_rate as not_yet_known,
            late_after_close_rate as late_after_close
        from england_row
    )
    on illness, medical, part_time_timetable, unauthorised_holiday, other_unauthorised,
       not_yet_known, late_after_close
    into name reason value england_rate
),
final as (
    select la.reason, la.sessions, la.sessions / 2.0 as days_lost, la.rate, la.share_of_absence,
        la.last_year_rate,
        e.england_rate, e.time_period as england_year
    from la left join england e using (reason)
)
select * from final order by rate desc nulls last, reason
