-- The schools the viewer may see, for the school selector: URN, name, phase, type.
with final as (
    select urn, school_name, phase, establishment_type
    from schools
    where ($scope_urns is null or urn in (select unnest($scope_urns)))
)
select * from final order by school_name
