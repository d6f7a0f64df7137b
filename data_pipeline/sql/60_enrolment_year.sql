-- One row per enrolment (school x pupil) per academic year: the whole year's
-- sessions, first and last week on roll, and DfE's PA / SA flags.
create or replace table enrolment_year as
with totals as (
    select academic_year, urn, pupil_id,
        min(week_start) as first_week, max(week_start) as last_week,
        sum(possible)::integer as possible, sum(present)::integer as present,
        sum(aea)::integer as aea, sum(authorised)::integer as authorised,
        sum(unauthorised)::integer as unauthorised,
        sum(authorised + unauthorised)::integer as absent
    from pupil_week group by all
),
final as (
    select *,
        is_persistent_absentee(absent, possible) as persistent_absentee,
        is_severe_absentee(absent, possible) as severe_absentee
    from totals
)
select * from final;
