-- The school phases present in the warehouse, largest first (for the phase filter).
with phases as (
    select phase, count(*) as schools
    from schools
    where phase is not null
    group by phase
),
final as (
    select * from phases
)
select * from final order by schools desc, phase
