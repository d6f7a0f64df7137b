-- ---- shared block: the population's enrolments labelled by their group of $dimension
-- (queries.sql_text expands it) ----
labelled as (
    -- each enrolment with its group of the chosen characteristic: cohort_group, built from
    -- the catalogue (catalogue/cohorts.toml), holds each cohort key's group, its label and its
    -- order
    select p.*, c.group_key, c.group_label, c.group_rank
    from population p
    join cohort_group c on c.cohort_key = p.cohort_key and c.dimension = $dimension
),
