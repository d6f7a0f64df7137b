-- England's published figures (daily attendance collection, year to date at year end)
-- for the phase, in the latest published year on or before the selected year.
-- Rates are % (of possible sessions; PA of enrolments). SA is not published in the
-- daily collection (NULL).
with england as (
    select *
    from bench_la_year
    where collection = 'daily'
      and geographic_level = 'National'
      and phase = $bench_phase
      and time_period <= $year
),
final as (
    select time_period, period_label, source_file, phase,
        attendance_rate, overall_absence_rate, authorised_absence_rate,
        unauthorised_absence_rate, persistent_absence_rate, severe_absence_rate
    from england
    order by time_period desc
    limit 1
)
select * from final
