-- Data quality, per school, as at $as_of: unresolved_n, the N marks (reason not yet provided)
-- dated more than 5 of the school's own school days before $as_of (N is a placeholder the school
-- must replace); missing_sessions, sessions of an enrolment's span in the academic year of $as_of
-- (its first to its last mark that year, up to $as_of) on which the school marked other pupils
-- but not this one; last_mark_date, the school's latest mark on or before $as_of. A school day is
-- a date the school recorded a possible session on.
-- Read from the marts, not the marks (at the largest LA with three years, 259 M marks, the marks
-- took 10 s): school_session's N codes by date and session; pupil_year's marked sessions and
-- first and last weeks' bitmaps (pupil_week's sessions_marked, one bit a session of the week
-- with a mark: Mon AM = 1 ... Fri PM = 512), less pupil_week's weeks from $as_of's on (grouping
-- the year's pupil_week instead took 0.2 s at the largest LA).
with a as (
    -- $as_of's academic year; W, the Monday of its week (weeks before it count whole); and the
    -- cut of W's session bits up to $as_of's day
    select (case when month($as_of::date) >= 9 then year($as_of::date) else year($as_of::date) - 1 end) as year,
        ($as_of::date - (isodow($as_of::date) - 1)::integer) as w,
        case when isodow($as_of::date) >= 5 then 1023 else (1 << (2 * isodow($as_of::date))) - 1 end as cut
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
    select s.urn, sum(s.n_codes) as unresolved_n
    from school_session s
    join school_days d on d.urn = s.urn and d.date = s.date
    join days_to_as_of t on t.urn = s.urn
    where s.date <= $as_of and s.n_codes > 0 and t.n - d.n > 5
    group by s.urn
),
school_sessions as (
    -- every session the school marked anyone this year, numbered in order
    select urn, date, session,
        row_number() over (partition by urn order by date, session) as k
    from school_session cross join a where academic_year = a.year and date <= $as_of
),
-- A session's bit is 1 << (2 * day + pm): the lowest bit set in a week is its first day marked,
-- the highest its last.
this_week as (
    -- each enrolment's weeks from W on (none after it when $as_of is the latest day loaded):
    -- their marked sessions, and W's own cut at $as_of's day
    select urn, ekey,
        sum(bit_count(sessions_marked)) as from_w,
        max(case when week_start = a.w
                 then (sessions_marked & a.cut)::smallint
            end) as w_b
    from pupil_week cross join a
    where academic_year = a.year and week_start >= a.w
    group by urn, ekey
),
ends as (
    -- an enrolment a row (pupil_year: its year's marked sessions, first and last weeks' bitmaps),
    -- less what falls after $as_of
    select y.urn, y.ekey,
        y.sessions_marked - coalesce(t.from_w, 0) + coalesce(bit_count(t.w_b), 0) as marked,
        case when y.first_week < a.w
             then y.first_week + (bit_count(((y.first_week_marked & -y.first_week_marked) - 1)::smallint) // 2)::integer
             else a.w
                 + (bit_count(((t.w_b & -t.w_b) - 1)::smallint) // 2)::integer
        end as first_date,
        case when coalesce(t.w_b, 0) <> 0
             then a.w + (floor(log2(t.w_b))::integer // 2)
             when y.last_week < a.w
             then y.last_week + (floor(log2(y.last_week_marked))::integer // 2)
        end as last_date  -- null: marked before W and after $as_of, not in W up to it (below)
    from pupil_year y
    cross join a
    left join this_week t using (urn, ekey)
    where y.academic_year = a.year
        and (y.first_week < a.w or coalesce(t.w_b, 0) <> 0)
),
last_before_w as (
    -- those few enrolments' last week marked before W
    select w.urn, w.ekey,
        max(w.week_start) + (floor(log2(arg_max(w.sessions_marked, w.week_start)))::integer // 2) as last_date
    from pupil_week w
    cross join a
    semi join (select urn, ekey from ends where last_date is null) e using (urn, ekey)
    where w.academic_year = a.year and w.week_start < a.w
    group by w.urn, w.ekey
),
spans as (
    select e.urn, e.marked, e.first_date, coalesce(e.last_date, b.last_date) as last_date
    from ends e
    left join last_before_w b using (urn, ekey)
),
day_k as (
    select urn, date, min(k) as k_first, max(k) as k_last from school_sessions group by urn, date
),
first_k as materialized (
    -- one join at a time: planned together, the two joins to day_k met first on the school alone
    -- (14 M rows at the largest LA)
    select s.urn, s.marked, s.last_date, f.k_first
    from spans s
    join day_k f on f.urn = s.urn and f.date = s.first_date
),
expected as (
    -- the school's sessions from the enrolment's first mark to its last (both days the school
    -- marked, since this pupil has a mark on each)
    select s.urn, s.marked, l.k_last - s.k_first + 1 as sessions
    from first_k s
    join day_k l on l.urn = s.urn and l.date = s.last_date
),
missing as (
    select urn, sum(greatest(sessions - marked, 0))::bigint as missing_sessions from expected group by urn
),
schools_seen as (
    select urn from schools union select distinct urn from school_session where date <= $as_of
)
select s.urn,
    coalesce(n.unresolved_n, 0) as unresolved_n,
    coalesce(m.missing_sessions, 0) as missing_sessions,
    (select max(date) from school_session x where x.urn = s.urn and x.date <= $as_of) as last_mark_date
from schools_seen s
left join late_n n using (urn)
left join missing m using (urn)
order by unresolved_n + missing_sessions desc, s.urn
