-- The feed's terms (python -m data_pipeline export): each academic year's Autumn, Spring and
-- Summer term, for the LA ($by_school false: urn is NULL) or for each school. Enrolments of
-- compulsory school age with possible sessions in the term (their rows in pupil_term); PA and SA over the term alone, over every enrolment (census rule), as the
-- governors' term summary counts them. Measures from the macros of 05_measures.sql; no
-- pupil-level row leaves this query.
with enrolment as (
    select t.academic_year, t.term, case when $by_school then t.urn end as urn,
        t.possible, t.present + t.aea as attending, t.authorised, t.unauthorised,
        t.authorised + t.unauthorised as absent
    from pupil_term t
    join pupil_year y using (academic_year, ekey)
    where y.compulsory_age and t.possible > 0
),
final as (
    select academic_year, term,
        case term when 'Autumn' then 1 when 'Spring' then 2 else 3 end as term_order,
        urn,
        -- @include export_measures.sql
    from enrolment
    group by academic_year, term, urn
)
select * from final order by academic_year, term_order, urn
