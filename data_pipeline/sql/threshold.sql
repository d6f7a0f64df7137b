-- The national framework's threshold for penalty notices (from August 2024): 10 or more
-- sessions of unauthorised absence (G, N, O, U: ref_codes.is_unauthorised) within a rolling
-- 10 school weeks. A pupil is one pupil_id across the LA's schools: the window follows them
-- when they move. A school week, for a pupil, is a week in which they had a possible session
-- at any school (their school was open and they were on roll), so holidays are skipped and
-- the window runs across terms and academic years. The window ends on $as_of (its week's
-- sessions up to that date) and holds the pupil's latest 10 school weeks; pupils no longer on
-- roll (their school went on without them) are not in a window ending on $as_of.
-- first_reached: the first date of $as_of's academic year on which the pupil's own rolling
-- window (their 10 school weeks ending that date) held 10 or more unauthorised sessions: the
-- date of the session that took them there, or their first school day of the year when last
-- year's last weeks already held 10.
with sessions as (
    select m.pupil_id, m.urn, m.date, m.session,
        (m.date - (isodow(m.date) - 1)::integer) as week_start,
        r.counts_possible, r.is_unauthorised
    from marks m
    join ref_codes r on r.code = m.code and r.code_set = code_set_of(m.date)
    where m.date <= $as_of
),
pupil_weeks as (
    -- each pupil's school weeks, numbered from the latest (1 = the week of $as_of, if any)
    select pupil_id, week_start,
        row_number() over (partition by pupil_id order by week_start desc) as back,
        row_number() over (partition by pupil_id order by week_start) as seq
    from sessions
    where counts_possible
    group by pupil_id, week_start
),
school_latest as (
    -- each school's latest open week up to $as_of
    select urn, max(week_start) as week_start from sessions where counts_possible group by urn
),
on_roll as (
    -- pupils still on roll: their latest school week is their latest school's latest open week
    -- (a pupil who left is not in a window ending today, whatever their old weeks held)
    select p.pupil_id
    from (
        select pupil_id, max(week_start) as week_start,
            arg_max(urn, date::timestamp + case when session = 'PM' then interval 12 hour else interval 0 hour end)
                as urn
        from sessions where counts_possible group by pupil_id
    ) p
    join school_latest l on l.urn = p.urn and l.week_start = p.week_start
),
window_weeks as (
    select pupil_id, week_start from pupil_weeks
    where back <= 10 and pupil_id in (select pupil_id from on_roll)
),
in_window as (
    select s.* from sessions s join window_weeks w using (pupil_id, week_start)
),
snapshot as (
    select pupil_id,
        arg_max(urn, date::timestamp + case when session = 'PM' then interval 12 hour else interval 0 hour end)
            filter (where is_unauthorised) as urn,
        list(distinct urn order by urn) as urns,
        count(*) filter (where is_unauthorised) as unauthorised_sessions,
        min(week_start) as window_start
    from in_window
    group by pupil_id
    having count(*) filter (where is_unauthorised) >= 10
),
unauthorised_days as (
    -- the candidate dates for first_reached: days of this academic year with unauthorised sessions
    select s.pupil_id, s.date, w.seq, count(*) as n
    from sessions s join pupil_weeks w using (pupil_id, week_start)
    where s.is_unauthorised and s.pupil_id in (select pupil_id from snapshot)
    group by s.pupil_id, s.date, w.seq
),
this_year as (
    select make_date(
        case when month($as_of::date) >= 9 then year($as_of::date) else year($as_of::date) - 1 end, 9, 1
    ) as first_day
),
candidates as (
    -- the days on which a pupil can first be at the threshold this year: each day of this year
    -- with unauthorised sessions, and the pupil's first school day of the year (a window that
    -- already held 10 sessions from last year's last weeks)
    select pupil_id, date, seq from unauthorised_days where date >= (select first_day from this_year)
    union
    select s.pupil_id, min(s.date), arg_min(w.seq, s.date)
    from sessions s join pupil_weeks w using (pupil_id, week_start)
    where s.counts_possible and s.date >= (select first_day from this_year)
      and s.pupil_id in (select pupil_id from snapshot)
    group by s.pupil_id
),
reached as (
    select d.pupil_id, d.date as first_reached
    from candidates d
    join unauthorised_days e
      on e.pupil_id = d.pupil_id and e.seq between d.seq - 9 and d.seq and e.date <= d.date
    group by d.pupil_id, d.date
    having sum(e.n) >= 10
)
select s.pupil_id, s.urn, s.urns, s.unauthorised_sessions, s.window_start, $as_of::date as window_end,
    min(r.first_reached) as first_reached
from snapshot s
left join reached r using (pupil_id)
where $urn is null or list_contains(s.urns, $urn)
group by all
order by s.unauthorised_sessions desc, s.pupil_id
