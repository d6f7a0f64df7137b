-- ---- shared block: the pupils of a pupil list and their totals over the period ----
-- (queries.sql_text expands it; every pupil_*_list.sql starts `with` and includes it.)
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
-- pupils: compulsory school age, on roll at school $urn in year $year, in the viewer's scope;
-- weeks: their pupil_week rows this year up to $week_to; period_totals: their sessions over
-- $week_from..$week_to, per enrolment, with possible sessions (DfE's population).
pupils as (
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
-- ---- end of the shared block ----
