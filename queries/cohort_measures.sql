-- Attendance and absence by cohort: one row per group of the chosen characteristic
-- ($dimension: sen, fsm, pupil_premium, eal, young_carer, cla, cin, cpp, social_worker,
-- gender, ethnicity, ncyear, phase) over the selected school weeks, with the gap to all
-- other pupils (the rest of the same population).
-- Population: enrolments of compulsory school age with possible sessions in the weeks
-- $week_from..$week_to of academic year $year; phase as filtered ($phase, NULL = all).
-- Units: sessions are half days; rates are % of possible sessions; PA = enrolments missing
-- 10%+ of possible sessions over the period, SA = 50%+ (macros is_persistent_absentee,
-- is_severe_absentee), as % of enrolments; gaps are percentage points (cohort - others).
-- Suppression: a group with fewer than $min_count enrolments shows no counts or rates
-- (size_note says 'fewer than N'); a gap is withheld when the other pupils number fewer
-- than $min_count (the LA total would reveal them).
with
-- @include fragments/selected_population.sql
-- @include fragments/population_cohort.sql
totals as (
    -- the whole population, to derive "all other pupils" by subtraction
    select count(*) as enrolments,
        sum(possible) as possible, sum(absent) as absent,
        count(*) filter (where is_persistent_absentee(absent, possible)) as pa,
        count(*) filter (where is_severe_absentee(absent, possible)) as sa
    from population
),
by_group as (
    select group_key, group_label, min(group_rank) as group_rank,
        count(*) as enrolments,
        count(distinct pupil_id) as pupils,
        sum(possible) as possible,
        sum(attending) as attending,
        sum(authorised) as authorised,
        sum(unauthorised) as unauthorised,
        sum(absent) as absent,
        count(*) filter (where is_persistent_absentee(absent, possible)) as pa,
        count(*) filter (where is_severe_absentee(absent, possible)) as sa
    from labelled
    group by group_key, group_label
),
measured as (
    select g.*,
        g.enrolments < $min_count as suppressed,
        t.enrolments - g.enrolments as other_enrolments,
        pct(t.absent - g.absent, t.possible - g.possible) as other_overall_absence_rate,
        pct(t.pa - g.pa, t.enrolments - g.enrolments) as other_persistent_absence_rate,
        pct(t.sa - g.sa, t.enrolments - g.enrolments) as other_severe_absence_rate
    from by_group g cross join totals t
),
final as (
    select group_key, group_label,
        row_number() over (order by group_rank, group_label) as group_order,
        suppressed,
        case when suppressed then 'fewer than ' || $min_count
             else format('{:,}', enrolments) end as size_note,
        -- counts (enrolments; pupils = distinct pupils, fewer when some are dual registered)
        case when not suppressed then enrolments end as enrolments,
        case when not suppressed then pupils end as pupils,
        case when not suppressed then pa end as pa_enrolments,
        case when not suppressed then sa end as sa_enrolments,
        -- rates, % of possible sessions
        case when not suppressed then pct(attending, possible) end as attendance_rate,
        case when not suppressed then pct(absent, possible) end as overall_absence_rate,
        case when not suppressed then pct(authorised, possible) end as authorised_absence_rate,
        case when not suppressed then pct(unauthorised, possible) end as unauthorised_absence_rate,
        -- PA and SA, % of enrolments
        case when not suppressed then pct(pa, enrolments) end as persistent_absence_rate,
        case when not suppressed then pct(sa, enrolments) end as severe_absence_rate,
        -- school days lost per enrolment over the period
        case when not suppressed then days_lost(absent) / enrolments end as days_lost_per_enrolment,
        -- the same measures for every other pupil in the population, and the gaps (points)
        case when not suppressed and other_enrolments >= $min_count
             then other_overall_absence_rate end as other_overall_absence_rate,
        case when not suppressed and other_enrolments >= $min_count
             then other_persistent_absence_rate end as other_persistent_absence_rate,
        case when not suppressed and other_enrolments >= $min_count
             then other_severe_absence_rate end as other_severe_absence_rate,
        case when not suppressed and other_enrolments >= $min_count
             then pct(absent, possible) - other_overall_absence_rate end as gap_overall_absence,
        case when not suppressed and other_enrolments >= $min_count
             then pct(pa, enrolments) - other_persistent_absence_rate end as gap_persistent_absence,
        case when not suppressed and other_enrolments >= $min_count
             then pct(sa, enrolments) - other_severe_absence_rate end as gap_severe_absence
    from measured
)
select * from final order by group_order
