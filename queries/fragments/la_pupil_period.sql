-- ---- shared block: every pupil of compulsory school age on roll at a school in the viewer's
-- scope in academic year $year, per enrolment (DfE's unit: ekey), with their sessions over
-- $week_from..$week_to. Included by la_vulnerable_pupils.sql and la_early_warning.sql, each of
-- which then chooses its pupils (la_candidates(ekey)) from these and includes
-- fragments/la_pupil_rows.sql for their rows.
la_pupils as (
    select y.urn, y.pupil_id, y.ekey, y.ncyear, y.cla, y.cin, y.cpp, y.sen_provision, y.young_carer
    from pupil_year y
    where ($scope_urns is null or y.urn in (select unnest($scope_urns)))
      and y.academic_year = $year and y.compulsory_age
),
-- the enrolments' school weeks of the period (weeks with a possible session); read where used,
-- not materialized: each use keeps its own filters (a bounded span of weeks, chosen pupils)
la_weeks as not materialized (
    select w.ekey, w.week_start, w.possible, w.present + w.aea as attending,
        w.authorised + w.unauthorised as absent
    from pupil_week w
    semi join la_pupils p using (ekey)
    where w.academic_year = $year and w.week_start between $week_from and $week_to and w.possible > 0
),
la_sums as (
    select ekey,
        sum(possible) as possible,
        sum(attending) as attending,
        sum(absent) as absent,
        count(*) as school_weeks,
        count(*) filter (where week_start > $week_to - interval 10 weeks) as recent_weeks
    from la_weeks
    group by ekey
),
-- ---- end of the shared block ----
