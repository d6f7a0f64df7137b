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
boolean_dims (dimension, yes_label, no_label) as (
    -- yes/no characteristics: the label for pupils with and without it
    values
        ('fsm', 'Eligible for free school meals', 'Not eligible for free school meals'),
        ('pupil_premium', 'Pupil premium', 'Not pupil premium'),
        ('eal', 'English as an additional language', 'English as first language'),
        ('young_carer', 'Young carer', 'Not a young carer'),
        ('cla', 'Looked after (CLA)', 'Not looked after'),
        ('cin', 'Child in need (CIN)', 'Not a child in need'),
        ('cpp', 'Child protection plan (CPP)', 'No child protection plan'),
        ('social_worker', 'Has a social worker (CLA, CIN or CPP)', 'No social worker')
),
keyed as (
    -- the enrolment's value of the chosen characteristic, as text (NULL = not recorded)
    select p.*,
        case $dimension
            when 'sen' then p.sen_provision
            when 'fsm' then p.fsm::varchar
            when 'pupil_premium' then p.pupil_premium::varchar
            when 'eal' then p.eal::varchar
            when 'young_carer' then p.young_carer::varchar
            when 'cla' then p.cla::varchar
            when 'cin' then p.cin::varchar
            when 'cpp' then p.cpp::varchar
            when 'social_worker' then p.social_worker::varchar
            when 'gender' then p.gender
            when 'ethnicity' then p.ethnicity
            when 'ncyear' then p.ncyear::varchar
            when 'phase' then p.phase
        end as group_key
    from population p
),
labelled as (
    -- a readable label and a sort order (yes before no; years in order; SEN E, K, N)
    select k.*,
        coalesce(case
            when $dimension = 'sen' then case k.group_key
                when 'E' then 'Education, health and care plan (EHCP)'
                when 'K' then 'SEN support'
                when 'N' then 'No identified SEN' end
            when $dimension = 'ncyear' then
                case when k.group_key = '0' then 'Reception' else 'Year ' || k.group_key end
            when k.group_key = 'true' then d.yes_label
            when k.group_key = 'false' then d.no_label
            else k.group_key
        end, 'Not recorded') as group_label,
        case when k.group_key is null then 1000
             when k.group_key = 'true' then -2
             when k.group_key = 'false' then -1
             when $dimension = 'ncyear' then k.ncyear
             when $dimension = 'sen' then case k.group_key when 'E' then 0 when 'K' then 1 else 2 end
             else 0 end as group_rank
    from keyed k
    left join boolean_dims d on d.dimension = $dimension
),
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
