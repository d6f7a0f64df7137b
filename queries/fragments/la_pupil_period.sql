-- ---- shared block: every pupil of compulsory school age on roll at a school in the viewer's
-- scope in academic year $year, per enrolment (DfE's unit: ekey), with their sessions over
-- $week_from..$week_to. Included by la_vulnerable_pupils.sql and la_early_warning.sql, each of
-- which then chooses its pupils (la_candidates(ekey)) from these and includes
-- fragments/la_pupil_rows.sql for their rows.
la_pupils as (
    select y.urn, y.pupil_id, y.ekey, y.ncyear, y.cla, y.cin, y.cpp, y.sen_provision, y.young_carer,
        y.possible, y.present + y.aea as attending, y.authorised + y.unauthorised as absent, y.school_weeks,
        y.last_4_attending, y.last_4_possible
    from pupil_year y
    where ($scope_urns is null or y.urn in (select unnest($scope_urns)))
      and y.academic_year = $year and y.compulsory_age
),
-- the enrolments' school weeks of the period (weeks with a possible session); read where used,
-- not materialized: each use keeps its own filters (a bounded span of weeks, chosen pupils)
la_weeks as not materialized (
    select w.ekey, w.academic_year, w.week_start, w.possible, w.present + w.aea as attending,
        w.authorised + w.unauthorised as absent
    from pupil_week w
    semi join la_pupils p using (ekey)
    where w.academic_year = $year and w.week_start between $week_from and $week_to and w.possible > 0
),
-- A period that takes in every week of the year held (the year to date) reads each enrolment's
-- year totals kept in pupil_year, as fragments/period_enrolment.sql does; any other period
-- sums its weeks, joined to a row that exists only for such a period: for the year to date
-- there is nothing to join, which ends the scan of the weeks at once.
la_whole_year as (
    select coalesce($week_from <= min(first_week) and $week_to >= max(last_week), true) as whole_year
    from pupil_year
    where academic_year = $year
),
la_sums as (
    select ekey, possible, attending, absent, school_weeks
    from la_pupils
    where school_weeks > 0 and (select whole_year from la_whole_year)
    union all
    select w.ekey, sum(w.possible), sum(w.attending), sum(w.absent), count(*)
    from la_weeks w
    join (select $year as academic_year from la_whole_year where not whole_year) part_year
      on part_year.academic_year = w.academic_year
    group by w.ekey
),
-- ---- end of the shared block ----
