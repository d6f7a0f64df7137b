-- One school's headline figures for the selected period, against the same weeks last
-- year, the LA (all schools of the same phase) and similar schools. England is added by
-- queries.comparison.with_england, only where its figure covers the same weeks.
-- Population: enrolments of compulsory school age (pupil_year.compulsory_age) with
-- possible sessions in the period, as DfE. Rates: % of possible sessions (PA, SA: % of
-- enrolments; PA 10%+ missed, SA 50%+). days_lost = absence sessions / 2;
-- hours_lost = absence sessions / 10 (sessions in a school week) * $week_hours
-- (data_pipeline.config.SCHOOL_WEEK_HOURS, DfE's 32.5-hour minimum week by default).
-- Similar schools: other schools of the same phase whose FSM share and SEN share (EHCP
-- or SEN support) of compulsory-age enrolments in the academic year are each within
-- 10 percentage points of this school's; their pupils are pooled.
-- PA and SA over every enrolment (census rule), and *_daily_rule by the daily collection's
-- rule (enrolments with more than 10 possible sessions) for comparisons with it.
-- Scope: the school row needs $urn inside the viewer's scope (no rows otherwise). The
-- LA and similar-schools rows are aggregates over other schools of the phase and
-- return no pupil or school-level figures.
-- Minimum group: a comparison group ('LA, same phase', 'Similar schools') is shown only
-- when it pools at least 3 schools other than this one (rule.min_other_schools):
-- otherwise a head could take their own figures away from the LA row, or read the
-- similar-schools row, and recover another school's exact figures. Below that the row
-- is still returned, with every figure, `schools` and `similar_schools` NULL and `note`
-- saying "too few ... to compare". Both rows are always returned (while the school is).
-- similar_schools (the names) is on the 'Similar schools' row only; note is NULL on the
-- rows with figures.
with rule as (
    select 3 as min_other_schools
),
-- @include fragments/school_and_its_phase.sql
enrolment as (
    -- every enrolment of the school's phase in the LA (for the comparisons)
    select period, urn, pupil_id, possible, present + aea as attending, authorised, unauthorised
    from period_enrolment
    where possible > 0
      and compulsory_age
      and phase = (select phase from school)
),
shares as (
    select urn,
        pct(count(*) filter (where fsm), count(*)) as fsm_share,
        pct(count(*) filter (where sen_provision in ('E', 'K')), count(*)) as sen_share
    from pupil_year
    where academic_year = $year and compulsory_age and phase = (select phase from school)
    group by urn
),
similar_schools as (
    select o.urn, s.school_name
    from shares o
    join shares t on t.urn = $urn
    join schools s on s.urn = o.urn
    where o.urn <> $urn
      and abs(o.fsm_share - t.fsm_share) <= 10
      and abs(o.sen_share - t.sen_share) <= 10
),
groups as (
    select 'This school' as comparison, 1 as sort, * from enrolment
    where period = 'selected' and urn = $urn
    union all
    select 'This school, same weeks last year', 2, * from enrolment
    where period = 'last year' and urn = $urn
    union all
    select 'LA, same phase', 3, * from enrolment where period = 'selected'
    union all
    select 'Similar schools', 4, * from enrolment
    where period = 'selected' and urn in (select urn from similar_schools)
),
measured as (
    select comparison, sort,
        count(distinct urn) as schools,
        count(distinct urn) filter (where urn <> $urn) as other_schools,
        count(*) as enrolments,
        sum(possible) as possible_sessions,
        sum(authorised + unauthorised) as absence_sessions,
        pct(sum(attending), sum(possible)) as attendance_rate,
        pct(sum(authorised + unauthorised), sum(possible)) as overall_absence_rate,
        pct(sum(authorised), sum(possible)) as authorised_absence_rate,
        pct(sum(unauthorised), sum(possible)) as unauthorised_absence_rate,
        count(*) filter (where is_persistent_absentee(authorised + unauthorised, possible)) as pa_enrolments,
        pct(count(*) filter (where is_persistent_absentee(authorised + unauthorised, possible)), count(*))
            as persistent_absence_rate,
        count(*) filter (where is_severe_absentee(authorised + unauthorised, possible)) as sa_enrolments,
        pct(count(*) filter (where is_severe_absentee(authorised + unauthorised, possible)), count(*))
            as severe_absence_rate,
        -- PA and SA by the daily collection's rule, for comparisons with England
        count(*) filter (where counts_for_daily_pa(possible)) as enrolments_daily_rule,
        count(*) filter (where counts_for_daily_pa(possible)
                         and is_persistent_absentee(authorised + unauthorised, possible)) as pa_enrolments_daily_rule,
        count(*) filter (where counts_for_daily_pa(possible)
                         and is_severe_absentee(authorised + unauthorised, possible)) as sa_enrolments_daily_rule,
        pct(count(*) filter (where counts_for_daily_pa(possible)
                             and is_persistent_absentee(authorised + unauthorised, possible)),
            count(*) filter (where counts_for_daily_pa(possible))) as persistent_absence_rate_daily_rule,
        pct(count(*) filter (where counts_for_daily_pa(possible)
                             and is_severe_absentee(authorised + unauthorised, possible)),
            count(*) filter (where counts_for_daily_pa(possible))) as severe_absence_rate_daily_rule,
        days_lost(sum(authorised + unauthorised)) as days_lost,
        days_lost(sum(authorised + unauthorised)) / count(*) as days_lost_per_pupil,
        sum(authorised + unauthorised) / 10.0 * $week_hours as hours_lost,
        sum(authorised + unauthorised) / 10.0 * $week_hours / count(*) as hours_lost_per_pupil,
        sum(possible) / 2.0 / count(*) as school_days_per_pupil
    from groups
    group by comparison, sort
),
comparators (comparison, sort, too_few) as (
    values ('LA, same phase', 3, 'too few other schools of the same phase to compare (fewer than 3)'),
           ('Similar schools', 4, 'too few similar schools to compare (fewer than 3)')
),
withheld as (
    -- comparison groups of fewer than rule.min_other_schools other schools (or none)
    select c.comparison, c.sort, c.too_few as note
    from comparators c
    left join measured m using (comparison)
    where coalesce(m.other_schools, 0) < (select min_other_schools from rule)
      and exists (select 1 from school)
),
final as (
    select m.* exclude (other_schools), null::varchar as note,
        case when m.comparison = 'Similar schools' then
            (select string_agg(school_name, ', ' order by school_name) from similar_schools)
        end as similar_schools
    from measured m
    where exists (select 1 from school)
      and m.comparison not in (select comparison from withheld)
    union all by name
    select * from withheld
)
select * from final order by sort
