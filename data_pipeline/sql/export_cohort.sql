-- The feed's pupil groups (python -m data_pipeline export): each academic year's figures for
-- every group of every cohort dimension of the catalogue (cohort_group: its groups, labels
-- and order, 'Not recorded' included, so each dimension covers every pupil), for the LA
-- ($by_school false: urn is NULL) or for each school. The whole year's sessions of
-- enrolments of compulsory school age with possible sessions (pupil_year), as the School
-- page's pupil groups count them over the year to date. Measures from 05_measures.sql.
with enrolment as (
    select y.academic_year, case when $by_school then y.urn end as urn,
        c.dimension, c.group_key, c.group_label, c.group_rank,
        y.possible, y.present + y.aea as attending, y.authorised, y.unauthorised,
        y.authorised + y.unauthorised as absent
    from pupil_year y
    join cohort_group c using (cohort_key)
    where y.compulsory_age and y.possible > 0
),
final as (
    select academic_year, urn, dimension, d.label as dimension_label,
        coalesce(group_key, '') as group_key, group_label, group_rank, d.dimension_order,
        -- @include export_measures.sql
    from enrolment
    join ref_cohort_dimensions d using (dimension)
    group by all
)
select * from final order by academic_year, urn, dimension_order, group_rank, group_label
