-- Attendance of the pupils supported with each strategy, in the $weeks school weeks before
-- and after the action (an aggregate per strategy across the viewer's scope).
-- Actions (status 'done', pupil actions only, from actions.store) come in as parallel
-- lists: $action_strategies, $action_urns, $action_pupils, $action_dates. A pupil counts
-- once per strategy (their first such action). Before / after: the pupil's last $weeks
-- school weeks starting before the week of the action and the first $weeks starting after
-- it (the action's week in neither), as meeting_action_attendance.sql. Only pupils with
-- weeks on both sides count. Rates pool sessions: attending / possible, in %.
-- Not a controlled comparison: no pupils without the strategy are compared, and pupils
-- chosen because their attendance had fallen tend to recover somewhat anyway.
with raw as (
    select unnest($action_strategies)::varchar as strategy_id,
        unnest($action_urns)::integer as urn,
        unnest($action_pupils)::varchar as pupil_id,
        unnest($action_dates)::date as action_date
),
actions as (
    select strategy_id, urn, pupil_id, date_trunc('week', min(action_date))::date as action_week
    from raw
    where $scope_urns is null or urn in (select unnest($scope_urns))
    group by all
),
weeks as (
    select a.strategy_id, a.urn, a.pupil_id, w.possible, w.present + w.aea as attending,
        w.week_start < a.action_week as is_before,
        row_number() over (partition by a.strategy_id, a.urn, a.pupil_id, w.week_start < a.action_week
                           order by case when w.week_start < a.action_week then -epoch(w.week_start)
                                         else epoch(w.week_start) end) as n
    from actions a
    join pupil_week w on w.urn = a.urn and w.pupil_id = a.pupil_id
    where ($scope_urns is null or w.urn in (select unnest($scope_urns)))
      and w.possible > 0 and w.week_start <> a.action_week
),
per_pupil as (
    select strategy_id, urn, pupil_id,
        sum(possible) filter (where is_before) as possible_before,
        sum(attending) filter (where is_before) as attending_before,
        sum(possible) filter (where not is_before) as possible_after,
        sum(attending) filter (where not is_before) as attending_after
    from weeks
    where n <= $weeks
    group by all
    having count(*) filter (where is_before) > 0 and count(*) filter (where not is_before) > 0
),
final as (
    select strategy_id,
        count(*) as pupils,
        count(distinct urn) as schools,
        count(*) filter (where pct(attending_after, possible_after) > pct(attending_before, possible_before))
            as pupils_improved,
        pct(count(*) filter (where pct(attending_after, possible_after) > pct(attending_before, possible_before)),
            count(*)) as share_improved,
        sum(possible_before) as possible_before,
        sum(possible_after) as possible_after,
        pct(sum(attending_before), sum(possible_before)) as attendance_before,
        pct(sum(attending_after), sum(possible_after)) as attendance_after,
        pct(sum(attending_after), sum(possible_after)) - pct(sum(attending_before), sum(possible_before))
            as change_points
    from per_pupil
    group by strategy_id
)
select * from final order by strategy_id
