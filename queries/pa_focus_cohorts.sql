-- Persistent absence (PA, 10%+ of possible sessions missed over the period) by pupil
-- cohort, this period and the same period last year, with the gap to the LA's rate
-- (percentage points). A pupil belongs to several cohorts (FSM, SEN, EAL, social worker,
-- young carer, gender, year group). Compulsory school age; phase as filtered.
-- Cohorts with fewer than $min_count enrolments are left out (suppression).
with
-- @include fragments/this_and_last_year.sql
enrolment as (
    -- enrolments of compulsory school age with possible sessions in the period, phase as filtered
    select period, fsm, sen_provision, eal, social_worker, young_carer, cla, cin, cpp, gender, ncyear,
        possible, authorised + unauthorised as absent
    from period_enrolment
    where possible > 0
      and compulsory_age
      and ($phase is null or phase = $phase)
),
tagged as (
    select period, possible, absent, unnest(list_filter([
        case when fsm then 'Eligible for free school meals' end,
        case when not fsm then 'Not eligible for free school meals' end,
        case when sen_provision = 'E' then 'Education, health and care plan' end,
        case when sen_provision = 'K' then 'SEN support' end,
        case when sen_provision = 'N' then 'No identified SEN' end,
        case when eal then 'English as an additional language' end,
        case when social_worker then 'Has a social worker (CIN, CPP or CLA)' end,
        case when cla then 'Looked after (CLA)' end,
        case when cin then 'Child in need (CIN)' end,
        case when cpp then 'Child protection plan (CPP)' end,
        case when young_carer then 'Young carer' end,
        case when gender = 'Female' then 'Girls' when gender = 'Male' then 'Boys' end,
        case when ncyear = 0 then 'Reception'
             when ncyear between 1 and 13 then 'Year ' || ncyear end
    ], lambda x: x is not null)) as cohort
    from enrolment
),
by_cohort as (
    select cohort,
        count(*) filter (where period = 'selected') as enrolments,
        count(*) filter (where period = 'selected' and absent * 10 >= possible) as pa_enrolments,
        count(*) filter (where period = 'last year') as last_year_enrolments,
        count(*) filter (where period = 'last year' and absent * 10 >= possible) as last_year_pa_enrolments
    from tagged group by cohort
),
la as (
    select 100.0 * count(*) filter (where absent * 10 >= possible) / count(*) as la_pa_rate
    from enrolment where period = 'selected'
),
final as (
    select b.cohort, b.enrolments, b.pa_enrolments,
        100.0 * b.pa_enrolments / b.enrolments as persistent_absence_rate,
        case when b.last_year_enrolments >= $min_count
             then 100.0 * b.last_year_pa_enrolments / b.last_year_enrolments end as last_year_rate,
        la.la_pa_rate
    from by_cohort b cross join la
    where b.enrolments >= $min_count
)
select *, persistent_absence_rate - last_year_rate as change_on_last_year,
    persistent_absence_rate - la_pa_rate as gap_to_la
from final
order by persistent_absence_rate desc, cohort
