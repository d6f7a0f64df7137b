-- One school's part-time timetables (code C2, authorised) each school week of the
-- selected period: pupils with at least one C2 session and the C2 sessions, also as
-- % of possible sessions. Every enrolment (all ages). Counts, no pupil identifiers.
with final as (
    select w.week_start,
        count(*) filter (where w.part_time_timetable > 0) as pupils_on_c2,
        sum(w.part_time_timetable) as c2_sessions,
        pct(sum(w.part_time_timetable), sum(w.possible)) as c2_rate
    from pupil_week w
    where ($scope_urns is null or w.urn in (select unnest($scope_urns)))
      and w.urn = $urn
      and w.academic_year = $year
      and w.week_start between $week_from and $week_to
    group by w.week_start
    having sum(w.possible) > 0
)
select * from final order by week_start
