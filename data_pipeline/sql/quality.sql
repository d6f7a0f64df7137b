-- Data quality, per school, as at $as_of: unresolved_n, the N marks (reason not yet provided)
-- dated more than 5 of the school's own school days before $as_of (N is a placeholder the school
-- must replace); missing_sessions, sessions of an enrolment's span (its first to its last mark)
-- on which the school marked other pupils but not this one; last_mark_date, the school's latest
-- mark on or before $as_of. A school day is a date the school recorded a possible session on.
with marks_to_date as (
    select urn, pupil_id, date, session, code from marks where date <= $as_of
),
school_days as (
    -- (school_session: the marts' count of each school's marks by date and session)
    select urn, date, row_number() over (partition by urn order by date) as n
    from (select distinct urn, date from school_session where date <= $as_of and possible > 0)
),
days_to_as_of as (
    select urn, count(*) as n from school_days group by urn
),
late_n as (
    -- N marks with more than 5 school days of the school after their date, up to $as_of
    select m.urn, count(*) as unresolved_n
    from marks_to_date m
    join school_days d on d.urn = m.urn and d.date = m.date
    join days_to_as_of t on t.urn = m.urn
    where m.code = 'N' and t.n - d.n > 5
    group by m.urn
),
school_sessions as (
    -- every session the school marked anyone, numbered in order
    select urn, date, session,
        row_number() over (partition by urn order by date, session) as k
    from school_session where date <= $as_of
),
spans as (
    select urn, pupil_id, min(date) as first_date, max(date) as last_date,
        count(*) as marked  -- one mark a session: the build's checks refuse duplicates
    from marks_to_date group by urn, pupil_id
),
day_k as (
    select urn, date, min(k) as k_first, max(k) as k_last from school_sessions group by urn, date
),
expected as (
    -- the school's sessions from the enrolment's first mark to its last (both days the school
    -- marked, since this pupil has a mark on each)
    select s.urn, s.pupil_id, s.marked, l.k_last - f.k_first + 1 as sessions
    from spans s
    join day_k f on f.urn = s.urn and f.date = s.first_date
    join day_k l on l.urn = s.urn and l.date = s.last_date
),
missing as (
    select urn, sum(greatest(sessions - marked, 0))::bigint as missing_sessions from expected group by urn
),
schools_seen as (
    select urn from schools union select distinct urn from marks_to_date
)
select s.urn,
    coalesce(n.unresolved_n, 0) as unresolved_n,
    coalesce(m.missing_sessions, 0) as missing_sessions,
    (select max(date) from marks_to_date x where x.urn = s.urn) as last_mark_date
from schools_seen s
left join late_n n using (urn)
left join missing m using (urn)
order by unresolved_n + missing_sessions desc, s.urn
