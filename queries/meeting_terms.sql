-- The terms a Targeting Support Meeting can be held for: each academic year's terms as
-- spans of school weeks (Mondays) from school_calendar, in order, each with the term
-- before it (the last meeting). term_label: 'Autumn 2025', 'Spring 2026' (calendar year
-- the term falls in). No pupil data.
with terms as (
    select academic_year, term,
        min(week_start) as first_week,
        max(week_start) as last_week,
        count(distinct week_start) as school_weeks
    from school_calendar
    group by all
),
final as (
    select academic_year, term,
        academic_year || '-' || term as term_key,
        term || ' ' || case when term = 'Autumn' then academic_year else academic_year + 1 end as term_label,
        first_week, last_week, school_weeks,
        lag(academic_year || '-' || term) over (order by first_week) as previous_term_key
    from terms
)
select * from final order by first_week
