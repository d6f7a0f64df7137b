-- returns: pupil rows
-- The warehouse key (pupil_id) of the pupil shown as $pupil_ref at school $urn, so that an
-- action recorded in the app store is keyed by urn + pupil_id (stable across warehouse
-- rebuilds) rather than by the pseudonym. Run with identify=True by actions.store only
-- when an action is saved (audited). Any academic year: a pupil keeps the same pupil_id.
with final as (
    select distinct y.urn, y.pupil_id
    from pupil_year y
    where ($scope_urns is null or y.urn in (select unnest($scope_urns)))
      and y.urn = $urn
      and 'P-' || upper(left(sha256($pseudonym_key || ':' || y.urn || ':' || y.pupil_id), 8)) = $pupil_ref
)
select * from final
