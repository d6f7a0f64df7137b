-- ---- shared block of the pa_focus_* queries (queries.sql_text expands it), after
-- fragments/this_and_last_year.sql: the enrolments counted, each with its persistent
-- absence flag (PA: 10%+ of possible sessions missed over the period), and the LA's PA rate.
enrolment as (
    -- enrolments of compulsory school age with possible sessions in the period, phase as filtered
    select period, academic_year, urn, pupil_id, ekey, home_lsoa, cohort_key, phase,
        is_persistent_absentee(authorised + unauthorised, possible) as pa
    from period_enrolment
    where possible > 0
      and compulsory_age
      and ($phase is null or phase = $phase)
),
la as (
    select pct(count(*) filter (where pa), count(*)) as la_pa_rate
    from enrolment where period = 'selected'
),
-- ---- end of the shared block ----
