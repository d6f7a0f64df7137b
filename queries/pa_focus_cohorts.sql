-- Persistent absence (PA, 10%+ of possible sessions missed over the period) by pupil
-- cohort, this period and the same period last year, with the gap to the LA's rate
-- (percentage points). A pupil belongs to several cohorts (FSM, SEN, EAL, social worker,
-- young carer, gender, year group). Compulsory school age; phase as filtered.
-- Cohorts with fewer than $min_count enrolments are left out (suppression).
with
-- @include fragments/this_and_last_year.sql
-- @include fragments/pa_focus_enrolment.sql
keyed as (
    -- the enrolments counted by cohort key (their characteristics) first: a few thousand rows
    select period, pa, cohort_key, count(*) as n from enrolment group by all
),
grouped as (
    -- each key's enrolments in each of its groups (cohort_group: the catalogue's groups and
    -- labels): both sides of FSM and SEN, gender and year group; the pupils with a
    -- characteristic for the others (EAL, social worker, CLA, CIN, CPP, young carer)
    select k.period, k.pa, c.group_label as focus, k.n
    from keyed k
    join cohort_group c using (cohort_key)
    where c.group_key is not null
      and (c.dimension in ('fsm', 'sen', 'gender', 'ncyear')
           or (c.dimension in ('eal', 'social_worker', 'cla', 'cin', 'cpp', 'young_carer')
               and c.group_key = 'true'))
),
-- @include fragments/pa_focus_rates.sql
final as (
    select focus as cohort, * exclude (focus) from rates
)
select * from final
order by persistent_absence_rate desc, cohort
