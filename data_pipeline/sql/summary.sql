-- Headline measures over a period and scope, straight from the marks.
-- Per enrolment (school x pupil); enrolments with no possible sessions are left out.
-- PA: overall absence >= 10% of possible sessions; SA: >= 50% (integer arithmetic,
-- so exactly 10% is PA). $min_pa_possible is 0 for the census rule and 11 for the
-- daily collection's (which leaves out enrolments with 10 or fewer possible sessions).
with coded as (
    select m.urn, m.pupil_id, m.code, r.*
    from marks m
    join ref_codes r
      on r.code = m.code
     and r.code_set = case when m.date >= DATE '2024-09-01' then '2024' else '2006' end
    where ($urn is null or m.urn = $urn)
      and ($date_from is null or m.date >= $date_from)
      and ($date_to is null or m.date <= $date_to)
),
enrolment as (
    select urn, pupil_id,
        count(*) filter (where counts_possible) as possible,
        count(*) filter (where is_present) as present,
        count(*) filter (where code = 'L') as late_before_close,
        count(*) filter (where code = 'U') as late_after_close,
        count(*) filter (where is_aea) as aea,
        count(*) filter (where is_authorised) as authorised,
        count(*) filter (where is_unauthorised) as unauthorised
    from coded group by urn, pupil_id
),
in_scope as (
    select e.* from enrolment e
    left join (
        -- the latest year's status when a period spans years
        select urn, pupil_id, arg_max(compulsory_age, academic_year) as compulsory_age
        from pupil_year
        where ($year_from is null or academic_year >= $year_from)
          and ($year_to is null or academic_year <= $year_to)
        group by urn, pupil_id
    ) py using (urn, pupil_id)
    where e.possible > 0
      and ($population = 'all' or coalesce(py.compulsory_age, true))
),
final as (
    select
        count(*) as enrolments,
        coalesce(sum(possible), 0) as possible_sessions,
        coalesce(sum(present), 0) as present_sessions,
        coalesce(sum(late_before_close), 0) as late_before_close_sessions,
        coalesce(sum(late_after_close), 0) as late_after_close_sessions,
        coalesce(sum(aea), 0) as aea_sessions,
        coalesce(sum(authorised), 0) as authorised_sessions,
        coalesce(sum(unauthorised), 0) as unauthorised_sessions,
        count(*) filter (where possible >= $min_pa_possible) as pa_denominator,
        count(*) filter (where possible >= $min_pa_possible
                         and is_persistent_absentee(authorised + unauthorised, possible)) as pa_enrolments,
        count(*) filter (where possible >= $min_pa_possible
                         and is_severe_absentee(authorised + unauthorised, possible)) as sa_enrolments
    from in_scope
)
select * from final;
