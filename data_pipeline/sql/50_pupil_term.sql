-- One row per enrolment per term (Autumn, Spring, Summer), from pupil_week.
-- A week belongs to the term of its first school day.
create or replace table pupil_term as
with week_term as (
    select academic_year, week_start, arg_min(term, date) as term
    from school_calendar group by academic_year, week_start
),
final as (
    select w.academic_year, t.term, w.urn, w.pupil_id,
        sum(possible)::integer as possible, sum(present)::integer as present,
        sum(aea)::integer as aea, sum(authorised)::integer as authorised,
        sum(unauthorised)::integer as unauthorised,
        sum(authorised + unauthorised)::integer as absent
    from {pupil_week} w join week_term t using (academic_year, week_start)
    group by all
)
select * from final;
