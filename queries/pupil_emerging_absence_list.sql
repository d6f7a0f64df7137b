-- returns: pupil rows
-- Pupils emerging into persistent absence: early support can stop it becoming a pattern.
-- Rule: attendance over the period above 90% and at most 95% (5% < absence < 10%: not yet PA)
-- and falling: attendance over the school's last 4 school weeks up to $week_to is lower than
-- over the earlier weeks of the period. School weeks = weeks with possible sessions at the school.
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
    select distinct week_start from weeks where possible > 0
),
last_four as (
    select week_start from school_weeks
    where week_start between $week_from and $week_to
    order by week_start desc
    limit 4
),
split as (
    select w.urn, w.pupil_id,
        sum(w.possible) filter (where w.week_start in (select week_start from last_four)) as recent_possible,
        sum(w.present + w.aea) filter (where w.week_start in (select week_start from last_four)) as recent_attending,
        sum(w.possible) filter (where w.week_start not in (select week_start from last_four)) as earlier_possible,
        sum(w.present + w.aea) filter (where w.week_start not in (select week_start from last_four)) as earlier_attending
    from weeks w
    where w.week_start >= $week_from
    group by w.urn, w.pupil_id
),
listed as (
    select t.urn, t.pupil_id,
        pct(s.earlier_attending, s.earlier_possible) as attendance_before_last_4_weeks,
        pct(s.recent_attending, s.recent_possible) as attendance_last_4_weeks
    from period_totals t
    join split s using (urn, pupil_id)
    where not is_persistent_absentee(t.absent, t.possible)
      and t.absent * 20 >= t.possible
      and s.recent_possible > 0 and s.earlier_possible > 0
      and s.recent_attending * s.earlier_possible < s.earlier_attending * s.recent_possible
),
-- @include fragments/pupil_list_tail.sql
