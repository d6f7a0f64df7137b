-- One row per enrolment (school x pupil) per academic year: the whole year's
-- sessions, first and last week on roll, and DfE's PA / SA flags. The year's totals
-- are summed from pupil_week once, in pupil_year (30_pupil_year.sql).
create or replace table enrolment_year as
with totals as (
    select academic_year, urn, pupil_id, first_week, last_week,
        possible, present, aea, authorised, unauthorised,
        (authorised + unauthorised)::integer as absent
    from {pupil_year}
),
final as (
    select *,
        is_persistent_absentee(absent, possible) as persistent_absentee,
        is_severe_absentee(absent, possible) as severe_absentee
    from totals
)
select * from final;
