-- returns: pupil rows
-- The pseudonymous identifiers of the pupils on roll at school $urn in academic year
-- $year, for the pupil selector: 'P-' + 8 hex digits of sha256($pseudonym_key:urn:pupil_id), year group.
with final as (
    select 'P-' || upper(left(sha256($pseudonym_key || ':' || y.urn || ':' || y.pupil_id), 8)) as pupil_ref,
        y.ncyear,
        case when y.ncyear = 0 then 'Reception' when y.ncyear is not null
             then 'Year ' || y.ncyear end as year_group
    from pupil_year y
    where ($scope_urns is null or y.urn in (select unnest($scope_urns)))
      and y.urn = $urn and y.academic_year = $year
)
select * from final order by ncyear, pupil_ref
