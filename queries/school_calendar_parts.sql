-- Each academic year's half terms and terms as spans of school weeks (Mondays),
-- from the dates schools recorded possible sessions on.
with half_terms as (
    select academic_year, term, half_term, half_term_no,
        min(week_start) as first_week,
        max(week_start) as last_week,
        min(date) as first_date,
        max(date) as last_date,
        count(distinct date) as school_days
    from school_calendar
    group by all
),
final as (
    select * from half_terms
)
select * from final order by academic_year, half_term_no
