-- Absence by reason over the chosen period and the same period last year, each as
-- sessions (half days) and % of possible sessions, with England's published rate
-- (daily collection, latest year on or before the selected year) where DfE
-- publishes that reason. Compulsory school age; phase as filtered.
with
-- @include fragments/this_and_last_year.sql
period_sessions as (
    -- compulsory school age, phase as filtered: each enrolment's sessions over the period
    select period, possible, authorised, unauthorised, illness, medical, authorised_holiday,
        excluded, part_time_timetable, other_authorised, unauthorised_holiday,
        other_unauthorised, not_yet_known, late_after_close
    from period_enrolment
    where compulsory_age
      and ($phase is null or phase = $phase)
),
sessions as (
    select period,
        sum(possible) as possible,
        sum(authorised + unauthorised) as absent,
-- @include fragments/reason_sums.sql
    from period_sessions
    group by period
),
long as (
    unpivot sessions
-- @include fragments/reason_columns.sql
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
      and phase = $bench_phase and time_period = $year
      and $with_england  -- only when England's figure covers the same weeks (queries.comparison)
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
