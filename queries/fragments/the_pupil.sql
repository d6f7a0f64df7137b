-- ---- shared block: the pupil a page asked for by its pseudonymous reference ($pupil_ref) at
-- school $urn in year $year, within the viewer's scope (queries.PSEUDONYM_SQL's value) ----
pupil as (
    select y.*
    from pupil_year y
    where ($scope_urns is null or y.urn in (select unnest($scope_urns)))
      and y.urn = $urn and y.academic_year = $year
      and 'P-' || upper(left(sha256($pseudonym_key || ':' || y.urn || ':' || y.pupil_id), 8)) = $pupil_ref
),
