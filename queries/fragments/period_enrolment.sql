-- ---- shared block: each enrolment's sessions over a period (queries.sql_text expands it) ----
-- The including query defines periods(period, academic_year, week_from, week_to), at most
-- one period an academic year, and period_urns(urn): the schools whose enrolments it needs
-- (the viewer's scope, from $scope_urns; a school page's comparators take every school of
-- the phase). It gets period_enrolment: one row per period and enrolment at those schools
-- with any pupil_week row in the period (add `possible > 0` for DfE's population, the
-- enrolments with possible sessions), holding the enrolment's pupil_year row
-- (characteristics, compulsory_age, phase, ekey) with the session counts (possible, present,
-- late_before_close, aea, authorised, unauthorised and the reasons, as in pupil_week)
-- summed over the period's weeks. The sums are those of the period's pupil_week rows per
-- enrolment (urn, pupil_id), found the cheap way:
-- - a period that takes in every week of its academic year holding any pupil_week row (the
--   year to date) reads the year's totals kept in pupil_year: nothing to sum;
-- - any other period sums its weeks per enrolment on the integer key ekey, and only those
--   totals are joined to pupil_year (materialized, so that the join cannot push a filter
--   on ekey back into the scan of every week).
year_span as (
    select p.period, p.academic_year, p.week_from, p.week_to,
        coalesce(p.week_from <= min(y.first_week) and p.week_to >= max(y.last_week), true) as whole_year
    from periods p
    left join pupil_year y on y.academic_year = p.academic_year
    group by p.period, p.academic_year, p.week_from, p.week_to
),
part_year as materialized (
    select w.academic_year, w.ekey,
        sum(w.possible) as possible, sum(w.present) as present,
        sum(w.late_before_close) as late_before_close, sum(w.aea) as aea,
        sum(w.authorised) as authorised, sum(w.unauthorised) as unauthorised,
        sum(w.late_after_close) as late_after_close, sum(w.illness) as illness,
        sum(w.medical) as medical, sum(w.authorised_holiday) as authorised_holiday,
        sum(w.excluded) as excluded, sum(w.part_time_timetable) as part_time_timetable,
        sum(w.other_authorised) as other_authorised, sum(w.unauthorised_holiday) as unauthorised_holiday,
        sum(w.other_unauthorised) as other_unauthorised, sum(w.not_yet_known) as not_yet_known
    from pupil_week w
    join year_span p
      on p.academic_year = w.academic_year and not p.whole_year
     and w.week_start between p.week_from and p.week_to
    where w.urn in (select urn from period_urns)
    group by w.academic_year, w.ekey
),
period_enrolment as (
    select p.period, y.* exclude (first_week, last_week, school_weeks)
    from pupil_year y
    join year_span p on p.academic_year = y.academic_year and p.whole_year
    where y.urn in (select urn from period_urns)
    union all
    select p.period, y.* exclude (first_week, last_week, school_weeks) replace (
        t.possible as possible, t.present as present, t.late_before_close as late_before_close,
        t.aea as aea, t.authorised as authorised, t.unauthorised as unauthorised,
        t.late_after_close as late_after_close, t.illness as illness, t.medical as medical,
        t.authorised_holiday as authorised_holiday, t.excluded as excluded,
        t.part_time_timetable as part_time_timetable, t.other_authorised as other_authorised,
        t.unauthorised_holiday as unauthorised_holiday, t.other_unauthorised as other_unauthorised,
        t.not_yet_known as not_yet_known)
    from part_year t
    join pupil_year y on y.academic_year = t.academic_year and y.ekey = t.ekey
    join year_span p on p.academic_year = t.academic_year
),
-- ---- end of the shared block ----
