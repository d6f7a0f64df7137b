-- DfE's attendance codes as the warehouse applies them (ref_codes, built from
-- data_pipeline/codes.py): category, reason group, and whether each counts as a possible session.
with codes as (
    select code, string_agg(code_set, ', ' order by code_set) as code_sets,
        any_value(category) as category, any_value(reason) as reason,
        any_value(description) as description, bool_or(counts_possible) as counts_possible
    from ref_codes
    group by code
),
final as (
    select * from codes
)
select * from final order by case category when 'present' then 1 when 'aea' then 2
    when 'authorised' then 3 when 'unauthorised' then 4 else 5 end, code
