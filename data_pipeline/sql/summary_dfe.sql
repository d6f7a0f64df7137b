-- Headline measures from DfE's weekly pupil-level file (year-to-date totals per
-- enrolment), for warehouses or scopes with no daily marks. Same rules as summary.sql.
with latest as (
    -- each school's most recent snapshot
    select * from dfe_pupil_totals d
    where file_id = (select max(file_id) from dfe_pupil_totals d2 where d2.urn = d.urn)
      and ($urn is null or urn = $urn)
),
in_scope as (
    select * from latest
    where possible_sessions > 0
      and ($population = 'all' or coalesce(compulsory_school_age, true))
),
final as (
    select
        count(*) as enrolments,
        coalesce(sum(possible_sessions), 0) as possible_sessions,
        coalesce(sum(present_sessions), 0) as present_sessions,
        null as late_before_close_sessions,
        null as late_after_close_sessions,
        coalesce(sum(aea_sessions), 0) as aea_sessions,
        coalesce(sum(authorised_sessions), 0) as authorised_sessions,
        coalesce(sum(unauthorised_sessions), 0) as unauthorised_sessions,
        count(*) filter (where possible_sessions >= $min_pa_possible) as pa_denominator,
        count(*) filter (where possible_sessions >= $min_pa_possible
                         and is_persistent_absentee(authorised_sessions + unauthorised_sessions,
                                                    possible_sessions)) as pa_enrolments,
        count(*) filter (where possible_sessions >= $min_pa_possible
                         and is_severe_absentee(authorised_sessions + unauthorised_sessions,
                                                possible_sessions)) as sa_enrolments
    from in_scope
)
select * from final;
