-- One school's punctuality each school week of the selected period: late before the
-- register closed (L, counts as present) and late after it closed (U, unauthorised
-- absence), as sessions and per 100 possible sessions, with the pupils late at least
-- once that week. Every enrolment (all ages).
with final as (
    select w.week_start,
        sum(w.possible) as possible_sessions,
        sum(w.late_before_close) as late_before_close_sessions,
        sum(w.late_after_close) as late_after_close_sessions,
        pct(sum(w.late_before_close), sum(w.possible)) as late_before_close_rate,
        pct(sum(w.late_after_close), sum(w.possible)) as late_after_close_rate,
        count(*) filter (where w.late_before_close + w.late_after_close > 0) as pupils_late
    from pupil_week w
    where ($scope_urns is null or w.urn in (select unnest($scope_urns)))
      and w.urn = $urn
      and w.academic_year = $year
      and w.week_start between $week_from and $week_to
    group by w.week_start
    having sum(w.possible) > 0
)
select * from final order by week_start
