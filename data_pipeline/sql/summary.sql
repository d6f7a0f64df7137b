-- Headline measures over a period and scope: whole weeks from pupil_week, the
-- days of partly covered weeks from the marks (same definitions, so the same answer).
-- Per enrolment (school x pupil); enrolments with no possible sessions are left out.
-- PA: overall absence >= 10% of possible sessions; SA: >= 50% (integer arithmetic,
-- so exactly 10% is PA). $min_pa_possible is 0 for the census rule and 11 for the
-- daily collection's (which leaves out enrolments with 10 or fewer possible sessions).
with week_part as (
    -- whole school weeks inside the period come from the pupil_week mart ...
    select urn, pupil_id, possible, present, late_before_close, late_after_close, aea,
        authorised, unauthorised
    from pupil_week
    where ($urn is null or urn = $urn)
      and ($date_from is null or week_start >= $date_from)
      and ($date_to is null or week_start + 4 <= $date_to)
),
day_part as (
    -- ... and the days of partly covered weeks at either end from the marks
    select m.urn, m.pupil_id,
        (r.counts_possible)::integer as possible, (r.is_present)::integer as present,
        (m.code = 'L')::integer as late_before_close, (m.code = 'U')::integer as late_after_close,
        (r.is_aea)::integer as aea, (r.is_authorised)::integer as authorised,
        (r.is_unauthorised)::integer as unauthorised
    from marks m
    join ref_codes r
      on r.code = m.code
     and r.code_set = code_set_of(m.date)
    where ($date_from is not null or $date_to is not null)
      and ($urn is null or m.urn = $urn)
      and ($date_from is null or m.date >= $date_from)
      and ($date_to is null or m.date <= $date_to)
      and not (($date_from is null or (m.date - (isodow(m.date) - 1)::integer) >= $date_from)
           and ($date_to is null or (m.date - (isodow(m.date) - 1)::integer) + 4 <= $date_to))
),
enrolment as (
    select urn, pupil_id,
        sum(possible) as possible, sum(present) as present,
        sum(late_before_close) as late_before_close, sum(late_after_close) as late_after_close,
        sum(aea) as aea, sum(authorised) as authorised, sum(unauthorised) as unauthorised
    from (select * from week_part union all select * from day_part)
    group by urn, pupil_id
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
