-- ---- shared block: the population's enrolments labelled by their group of $dimension
-- (queries.sql_text expands it) ----
labelled as (
    -- each enrolment with its group of the chosen characteristic: enrolment_cohort, built
    -- from the catalogue (catalogue/cohorts.toml), holds the group, its label and its order
    select p.*, c.group_key, c.group_label, c.group_rank
    from population p
    join enrolment_cohort c
      on c.academic_year = $year and c.urn = p.urn and c.pupil_id = p.pupil_id
     and c.dimension = $dimension
),
