-- One school's pupil cohorts (FSM, SEN, EAL, social worker, gender) over the selected
-- period: enrolments, overall absence (% of possible sessions), PA (10%+ missed: count
-- and % of enrolments), PA on the same weeks last year, the gap to the rest of the
-- school (points) and the same cohort's PA across the LA's schools of the same phase
-- (an aggregate). Compulsory school age (pupil_year.compulsory_age).
-- la_pa_rate is NULL unless the cohort has enrolments in at least 3 schools other than
-- this one (fewer would let a head subtract their own cohort and recover another
-- school's; see school_headline.sql).
-- Small numbers: for governors the page runs this through queries.run_suppressed
-- (queries/suppression.py): counts under the scope's threshold and rates built on them -> 'c'.
with
-- @include fragments/school_and_its_phase.sql
enrolment as (
    select period, urn, cohort_key, possible, authorised + unauthorised as absent
    from period_enrolment
    where possible > 0
      and compulsory_age
      and phase = (select phase from school)
),
by_key as (
    -- each school's enrolments counted by cohort key (their characteristics) first: a few
    -- thousand rows, each then joined to its groups, rather than every enrolment to each of its
    -- groups
    select urn, cohort_key,
        count(*) filter (where period = 'selected') as enrolments,
        sum(possible) filter (where period = 'selected') as possible_sessions,
        sum(absent) filter (where period = 'selected') as absence_sessions,
        count(*) filter (where period = 'selected' and is_persistent_absentee(absent, possible))
            as pa_enrolments,
        count(*) filter (where period = 'last year') as ly_enrolments,
        count(*) filter (where period = 'last year' and is_persistent_absentee(absent, possible))
            as ly_pa_enrolments
    from enrolment
    group by all
),
by_school as (
    -- each school's counts in each group of FSM, SEN, EAL, social worker and gender
    -- (cohort_group: the catalogue's groups, labels and order; 'Not recorded' too, so that
    -- each kind of group covers every pupil), so that the schools are counted from these few
    -- rows
    select d.short as cohort_type, c.group_label as cohort,
        d.dimension_order * 10000 + c.group_rank as sort, k.urn,
        sum(k.enrolments) as enrolments, sum(k.possible_sessions) as possible_sessions,
        sum(k.absence_sessions) as absence_sessions, sum(k.pa_enrolments) as pa_enrolments,
        sum(k.ly_enrolments) as ly_enrolments, sum(k.ly_pa_enrolments) as ly_pa_enrolments
    from by_key k
    join cohort_group c using (cohort_key)
    join ref_cohort_dimensions d on d.dimension = c.dimension
    where c.dimension in ('fsm', 'sen', 'eal', 'social_worker', 'gender')
    group by all
),
counted as (
    select cohort_type, cohort, sort,
        coalesce(sum(enrolments) filter (where urn = $urn), 0)::bigint as enrolments,
        sum(possible_sessions) filter (where urn = $urn) as possible_sessions,
        sum(absence_sessions) filter (where urn = $urn) as absence_sessions,
        coalesce(sum(pa_enrolments) filter (where urn = $urn), 0)::bigint as pa_enrolments,
        coalesce(sum(ly_enrolments) filter (where urn = $urn), 0)::bigint as ly_enrolments,
        coalesce(sum(ly_pa_enrolments) filter (where urn = $urn), 0)::bigint as ly_pa_enrolments,
        sum(enrolments)::bigint as la_enrolments,
        sum(pa_enrolments)::bigint as la_pa_enrolments,
        count(*) filter (where urn <> $urn and enrolments > 0) as la_other_schools
    from by_school
    group by all
),
with_rest as (
    -- the rest of the school: the other cohorts of the same type
    select c.*,
        sum(enrolments) over (partition by cohort_type) - enrolments as rest_enrolments,
        sum(pa_enrolments) over (partition by cohort_type) - pa_enrolments as rest_pa_enrolments
    from counted c
),
final as (
    select cohort_type, cohort, sort, enrolments, pa_enrolments, ly_enrolments, ly_pa_enrolments,
        rest_enrolments, rest_pa_enrolments,
        pct(absence_sessions, possible_sessions) as overall_absence_rate,
        pct(pa_enrolments, enrolments) as persistent_absence_rate,
        pct(ly_pa_enrolments, ly_enrolments) as last_year_pa_rate,
        pct(pa_enrolments, enrolments) - pct(rest_pa_enrolments, rest_enrolments) as gap_to_rest_of_school,
        case when la_other_schools >= 3 then pct(la_pa_enrolments, la_enrolments) end as la_pa_rate
    from with_rest
    where enrolments > 0
)
select * from final order by sort, cohort
