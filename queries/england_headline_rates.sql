-- England's published figures for one academic year ($year) and phase: DfE's daily attendance
-- collection, year to date at the end of the year (the only span it publishes here). Rates
-- are % (of possible sessions; PA of enrolments, by the daily collection's rule: enrolments
-- with more than 10 possible sessions). SA is not published in the daily collection (NULL).
-- No row when the year is not published: a comparison is never made with another year.
select time_period, period_label, source_file, phase,
    attendance_rate, overall_absence_rate, authorised_absence_rate,
    unauthorised_absence_rate, persistent_absence_rate, severe_absence_rate
from bench_la_year
where collection = 'daily'
  and geographic_level = 'National'
  and phase = $bench_phase
  and time_period = $year
