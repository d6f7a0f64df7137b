-- returns: pupil rows
-- Pupils at or over the national framework's threshold at some point in the period: 10 or more
-- sessions of unauthorised absence (G, N, O, U) within 10 school weeks, in a window ending in a
-- school week of $week_from..$week_to.
-- Rule (as `python -m data_pipeline threshold`, data_pipeline/sql/threshold.sql, by whole weeks):
-- a pupil's school weeks are the weeks in which they had a possible session, so holidays do not
-- count and the window runs across terms and academic years; the window follows the pupil across
-- the schools in the viewer's scope (for the LA, every school: the same pupil_id at two URNs is
-- one pupil; for a school's staff, their own school's sessions only).
-- Only windows ending in a week the pupil was on this school's roll count.
-- first_reached_week: the first school week of academic year $year whose window held 10;
-- unauthorised_last_10_school_weeks: the window ending with the pupil's latest school week at
-- this school up to $week_to.
-- Population, pseudonyms and the shared columns: fragments/pupil_list_head.sql and _tail.sql.
with
-- @include fragments/pupil_list_head.sql
pupil_school_weeks as (
    select w.pupil_id, w.week_start, max(w.academic_year) as academic_year,
        sum(w.unauthorised) as unauthorised, bool_or(w.urn = $urn) as at_school
    from pupil_week w
    where ($scope_urns is null or w.urn in (select unnest($scope_urns)))
      and w.pupil_id in (select pupil_id from pupils)
      and w.week_start <= $week_to and w.possible > 0
    group by w.pupil_id, w.week_start
),
windows as (
    select *,
        sum(unauthorised) over (partition by pupil_id order by week_start
                                rows between 9 preceding and current row) as in_window
    from pupil_school_weeks
),
listed as (
    -- only windows ending in a week the pupil was at this school: a pupil who left is not on
    -- their old school's list for what happened after
    select $urn::integer as urn, pupil_id,
        min(week_start) filter (where academic_year = $year and in_window >= 10) as first_reached_week,
        max(in_window) filter (where week_start >= $week_from) as most_in_10_school_weeks,
        arg_max(in_window, week_start) as unauthorised_last_10_school_weeks
    from windows
    where at_school
    group by pupil_id
    having max(in_window) filter (where week_start >= $week_from) >= 10
),
-- @include fragments/pupil_list_tail.sql
