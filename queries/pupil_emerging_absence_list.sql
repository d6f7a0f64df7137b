-- returns: pupil rows
-- Pupils emerging into persistent absence: early support can stop it becoming a pattern.
-- Rule: attendance over the period above 90% and at most 95% (5% < absence < 10%: not yet PA)
-- and falling: attendance over the school's last 4 school weeks up to $week_to is lower than
-- over the earlier weeks of the period. School weeks = weeks with possible sessions at the school.
-- Population, pseudonyms and the shared columns: fragments/pupil_list_head.sql and _tail.sql.
with
-- @include fragments/pupil_list_head.sql
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
