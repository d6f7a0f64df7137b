-- returns: pupil rows
-- Attendance before and after each pupil action (actions.store), from pupil_week.
-- The actions come in as parallel lists bound as parameters: $action_ids, $action_urns,
-- $action_pupils (warehouse pupil_id), $action_dates (ISO dates). For each action:
--   before = the pupil's last $weeks school weeks (weeks with possible sessions at that
--            school) that start before the week of the action date;
--   after  = the pupil's first $weeks school weeks that start after that week.
-- The action's own week counts in neither. Attendance % = (present + approved educational
-- activity) / possible sessions; absence sessions = authorised + unauthorised.
-- weeks_after < $weeks means the action is recent: fewer weeks to judge it by.
with actions as (
    select unnest($action_ids) as action_id,
        unnest($action_urns)::integer as urn,
        unnest($action_pupils)::varchar as pupil_id,
        date_trunc('week', unnest($action_dates)::date)::date as action_week
),
weeks as (
    select a.action_id, w.week_start, w.possible, w.present + w.aea as attending,
        w.authorised + w.unauthorised as absent, w.unauthorised,
        case when w.week_start < a.action_week then 'before' else 'after' end as side,
        row_number() over (partition by a.action_id, w.week_start < a.action_week
                           order by case when w.week_start < a.action_week then -epoch(w.week_start)
                                         else epoch(w.week_start) end) as n
    from actions a
    join pupil_week w on w.urn = a.urn and w.pupil_id = a.pupil_id
    where ($scope_urns is null or w.urn in (select unnest($scope_urns)))
      and w.possible > 0
      and w.week_start <> a.action_week
),
kept as (
    select * from weeks where n <= $weeks
),
final as (
    select a.action_id,
        count(*) filter (where k.side = 'before') as weeks_before,
        sum(k.possible) filter (where k.side = 'before') as possible_before,
        sum(k.attending) filter (where k.side = 'before') as attending_before,
        pct(sum(k.attending) filter (where k.side = 'before'),
            sum(k.possible) filter (where k.side = 'before')) as attendance_before,
        count(*) filter (where k.side = 'after') as weeks_after,
        sum(k.possible) filter (where k.side = 'after') as possible_after,
        sum(k.attending) filter (where k.side = 'after') as attending_after,
        pct(sum(k.attending) filter (where k.side = 'after'),
            sum(k.possible) filter (where k.side = 'after')) as attendance_after,
        sum(k.unauthorised) filter (where k.side = 'after') as unauthorised_after
    from actions a
    left join kept k using (action_id)
    group by a.action_id
)
select *, attendance_after - attendance_before as change_points
from final order by action_id
