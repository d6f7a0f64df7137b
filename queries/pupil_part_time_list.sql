-- returns: pupil rows
-- Pupils on part-time timetables (code C2) in the selected period: each must be known to the LA
-- and time-limited.
-- Rule: at least one C2 session in the period. latest_school_week = C2 in the school's latest week.
-- Population, pseudonyms and the shared columns: fragments/pupil_list_head.sql and _tail.sql.
with
-- @include fragments/pupil_list_head.sql
c2 as (
    select urn, pupil_id,
        sum(part_time_timetable) as c2_sessions,
        min(week_start) filter (where part_time_timetable > 0) as c2_first_week,
        max(week_start) filter (where part_time_timetable > 0) as c2_latest_week
    from weeks
    where week_start >= $week_from
    group by urn, pupil_id
),
listed as (
    select urn, pupil_id, c2_sessions, c2_first_week, c2_latest_week,
        c2_latest_week = (select max(week_start) from weeks where possible > 0) as c2_in_latest_school_week
    from c2
    where c2_sessions > 0
),
-- @include fragments/pupil_list_tail.sql
