-- Headline measures for the chosen period and the same period last year.
-- Population: enrolments of compulsory school age (pupil_year.compulsory_age), as DfE;
-- enrolments with no possible sessions in the period are left out.
-- Units: sessions are half days (counts); rates are % of possible sessions;
-- PA and SA (macros is_persistent_absentee, is_severe_absentee: 10%+ and 50%+ of possible
-- sessions over the period) over every enrolment (census rule), and by the daily
-- collection's rule (*_daily_rule: enrolments with more than 10 possible sessions).
-- days lost = absence sessions / 2.
with
-- @include fragments/this_and_last_year.sql
population as (
    -- compulsory school age, phase as filtered
    select period, pupil_id, possible, present + aea as attending, authorised, unauthorised
    from period_enrolment
    where possible > 0
      and compulsory_age
      and ($phase is null or phase = $phase)
),
totals as (
    select period,
        count(*) as enrolments,
        count(distinct pupil_id) as pupils,
        sum(possible) as possible_sessions,
        sum(attending) as attending_sessions,
        sum(authorised) as authorised_sessions,
        sum(unauthorised) as unauthorised_sessions,
        count(*) filter (where is_persistent_absentee(authorised + unauthorised, possible)) as pa_enrolments,
        count(*) filter (where is_severe_absentee(authorised + unauthorised, possible)) as sa_enrolments,
        -- the same by the daily collection's rule, for comparisons with it
        count(*) filter (where counts_for_daily_pa(possible)) as enrolments_daily_rule,
        count(*) filter (where counts_for_daily_pa(possible)
                         and is_persistent_absentee(authorised + unauthorised, possible)) as pa_enrolments_daily_rule,
        count(*) filter (where counts_for_daily_pa(possible)
                         and is_severe_absentee(authorised + unauthorised, possible)) as sa_enrolments_daily_rule
    from population
    group by period
),
final as (
    select p.period, p.academic_year, p.week_from, p.week_to,
        coalesce(t.enrolments, 0) as enrolments,
        coalesce(t.pupils, 0) as pupils,
        t.possible_sessions,
        t.authorised_sessions + t.unauthorised_sessions as absence_sessions,
        100.0 * t.attending_sessions / t.possible_sessions as attendance_rate,
        100.0 * (t.authorised_sessions + t.unauthorised_sessions) / t.possible_sessions as overall_absence_rate,
        100.0 * t.authorised_sessions / t.possible_sessions as authorised_absence_rate,
        100.0 * t.unauthorised_sessions / t.possible_sessions as unauthorised_absence_rate,
        t.pa_enrolments,
        100.0 * t.pa_enrolments / t.enrolments as persistent_absence_rate,
        t.sa_enrolments,
        100.0 * t.sa_enrolments / t.enrolments as severe_absence_rate,
        t.enrolments_daily_rule,
        t.pa_enrolments_daily_rule,
        pct(t.pa_enrolments_daily_rule, t.enrolments_daily_rule) as persistent_absence_rate_daily_rule,
        t.sa_enrolments_daily_rule,
        pct(t.sa_enrolments_daily_rule, t.enrolments_daily_rule) as severe_absence_rate_daily_rule,
        -- school days lost, in total and per enrolment
        (t.authorised_sessions + t.unauthorised_sessions) / 2.0 as days_lost,
        (t.authorised_sessions + t.unauthorised_sessions) / 2.0 / t.enrolments as days_lost_per_enrolment,
        t.possible_sessions / 2.0 / t.enrolments as school_days_per_enrolment
    from periods p
    left join totals t using (period)
)
select * from final order by period desc
