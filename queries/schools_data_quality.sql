-- Each school's data quality as at $as_of, in the viewer's scope: unresolved N codes (more than
-- 5 school days old), sessions with no mark for a pupil on roll, the latest mark (the same
-- definitions as `python -m data_pipeline quality`: data_pipeline/sql/quality.sql).
with quality as (
-- @include ../data_pipeline/sql/quality.sql
)
select q.urn, s.school_name, s.phase, q.unresolved_n, q.missing_sessions, q.last_mark_date,
    $as_of::date - q.last_mark_date as days_since_last_mark
from quality q
join schools s using (urn)
where $scope_urns is null or q.urn in (select unnest($scope_urns))
order by q.unresolved_n + q.missing_sessions desc, days_since_last_mark desc nulls first, s.school_name
