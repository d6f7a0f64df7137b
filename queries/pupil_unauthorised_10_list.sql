-- returns: pupil rows
-- Pupils who reached 10 sessions of unauthorised absence within a rolling 10 school weeks
-- (the national framework's point at which support must already be evidenced).
-- Rule: for each school week of the year up to $week_to, unauthorised sessions in that week and
-- the 9 school weeks before it (across the summer too); on the list when any window reaches 10.
-- School weeks = weeks in which the school had possible sessions, so holidays do not count.
-- Population: pupils of compulsory school age (pupil_year.compulsory_age) on roll at
-- school $urn in academic year $year, within the viewer's scope. Every list shows a
-- pseudonymous identifier ('P-' + 8 hex digits of sha256(key:urn:pupil_id), keyed by
-- $pseudonym_key, as queries.PSEUDONYM_SQL), never a name.
-- Shared columns (the same block ends every pupil_*_list.sql; tests check they agree):
-- attendance_rate and overall_absence_rate (% of possible sessions) and days_lost
-- (absence sessions / 2) over the selected period $week_from..$week_to;
-- weekly_attendance: attendance % each school week of the year up to $week_to
-- (a sparkline); main_reasons: the two largest reasons in the period (sessions);
-- cohort_flags: FSM, SEN (EHCP / SEN support), EAL, social worker, young carer.
with pupils as (
    select y.urn, y.pupil_id, y.ncyear, y.gender, y.fsm, y.sen_provision, y.eal,
        y.social_worker, y.young_carer
    from pupil_year y
    where ($scope_urns is null or y.urn in (select unnest($scope_urns)))
      and y.urn = $urn
      and y.academic_year = $year
      and y.compulsory_age
),
weeks as (
    -- the pupils' weeks this year up to the end of the period
    select w.*
    from pupil_week w
    join pupils p using (urn, pupil_id)
    where w.academic_year = $year and w.week_start <= $week_to
),
period_totals as (
    select urn, pupil_id,
        sum(possible) as possible,
        sum(present + aea) as attending,
        sum(authorised + unauthorised) as absent,
        sum(illness) as illness, sum(medical) as medical,
        sum(authorised_holiday) as authorised_holiday, sum(excluded) as excluded,
        sum(part_time_timetable) as part_time_timetable,
        sum(other_authorised) as other_authorised,
        sum(unauthorised_holiday) as unauthorised_holiday,
        sum(other_unauthorised) as other_unauthorised,
        sum(not_yet_known) as not_yet_known, sum(late_after_close) as late_after_close
    from weeks
    where week_start >= $week_from
    group by urn, pupil_id
    having sum(possible) > 0
),
school_weeks as (
    -- every school week of this school, all years, numbered in order
    select week_start, row_number() over (order by week_start) as k
    from (
        select distinct week_start
        from pupil_week
        where ($scope_urns is null or urn in (select unnest($scope_urns)))
          and urn = $urn and week_start <= $week_to and possible > 0
    )
),
pupil_weeks as (
    select w.urn, w.pupil_id, w.academic_year, w.week_start, sw.k, w.unauthorised
    from pupil_week w
    join pupils p using (urn, pupil_id)
    join school_weeks sw using (week_start)
),
windows as (
    select *,
        sum(unauthorised) over (partition by urn, pupil_id order by k
                                range between 9 preceding and current row) as unauthorised_in_10_weeks
    from pupil_weeks
),
latest_window as (
    -- the window that ends in the school's latest school week up to $week_to
    select urn, pupil_id,
        sum(unauthorised) as unauthorised_last_10_school_weeks
    from pupil_weeks
    where k > (select max(k) from school_weeks) - 10
    group by urn, pupil_id
),
listed as (
    select w.urn, w.pupil_id,
        min(w.week_start) as first_reached_week,
        max(w.unauthorised_in_10_weeks) as most_in_10_school_weeks,
        coalesce(any_value(lw.unauthorised_last_10_school_weeks), 0) as unauthorised_last_10_school_weeks
    from windows w
    left join latest_window lw using (urn, pupil_id)
    where w.academic_year = $year and w.unauthorised_in_10_weeks >= 10
    group by w.urn, w.pupil_id
),
-- @include fragments/pupil_list_tail.sql
