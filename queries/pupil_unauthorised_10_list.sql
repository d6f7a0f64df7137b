-- returns: pupil rows
-- Pupils who reached 10 sessions of unauthorised absence within a rolling 10 school weeks
-- (the national framework's point at which support must already be evidenced).
-- Rule: for each school week of the year up to $week_to, unauthorised sessions in that week and
-- the 9 school weeks before it (across the summer too); on the list when any window reaches 10.
-- School weeks = weeks in which the school had possible sessions, so holidays do not count.
-- Population, pseudonyms and the shared columns: fragments/pupil_list_head.sql and _tail.sql.
with
-- @include fragments/pupil_list_head.sql
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
