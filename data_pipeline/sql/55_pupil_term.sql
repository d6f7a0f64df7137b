-- One row per enrolment per term (Autumn, Spring, Summer) of the LA's calendar: its half terms'
-- rows in pupil_half_term summed, every count (school_weeks, weeks and the session counts) in
-- the same column. A period that is exactly one term reads these rows as they are
-- (queries/fragments/period_enrolment.sql), so the Spring term at the largest LA is one row an
-- enrolment rather than two half terms to sum on every click; the feed's terms and the demo's
-- meeting shortlists read them too.
create or replace table pupil_term as
with final as (
    select academic_year, term, urn, pupil_id, ekey,
        sum(columns(* exclude (academic_year, half_term_no, term, urn, pupil_id, ekey)))::integer
    from {pupil_half_term}
    group by academic_year, term, urn, pupil_id, ekey
)
select * from final order by academic_year, urn;
