-- One school's absence by day of the week and session (AM / PM) over the selected period:
-- possible sessions, absence sessions, overall and unauthorised absence (% of possible).
-- From school_session, which counts every pupil on roll (all ages, not only compulsory
-- school age).
with final as (
    select isodow(s.date) as day_no, dayname(s.date) as day_of_week, s.session,
        sum(s.possible) as possible_sessions,
        sum(s.absent) as absence_sessions,
        pct(sum(s.absent), sum(s.possible)) as overall_absence_rate,
        pct(sum(s.unauthorised), sum(s.possible)) as unauthorised_absence_rate
    from school_session s
    where ($scope_urns is null or s.urn in (select unnest($scope_urns)))
      and s.urn = $urn
      and s.academic_year = $year
      and s.date between $week_from and $week_to + 4
    group by all
    having sum(s.possible) > 0
)
select * from final order by day_no, session
