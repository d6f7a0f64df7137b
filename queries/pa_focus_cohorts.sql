-- Persistent absence (PA, 10%+ of possible sessions missed over the period) by pupil
-- cohort, this period and the same period last year, with the gap to the LA's rate
-- (percentage points). A pupil belongs to several cohorts (FSM, SEN, EAL, social worker,
-- young carer, gender, year group). Compulsory school age; phase as filtered.
-- Cohorts with fewer than $min_count enrolments are left out (suppression).
with periods as (
    select 'selected' as period, $year::integer as academic_year,
           $week_from::date as week_from, $week_to::date as week_to
    union all
    select 'last year', $year::integer - 1, $ly_week_from::date, $ly_week_to::date
),
enrolment as (
    select p.period, w.urn, w.pupil_id,
        any_value(y.fsm) as fsm, any_value(y.sen_provision) as sen_provision,
        any_value(y.eal) as eal, any_value(y.social_worker) as social_worker,
        any_value(y.young_carer) as young_carer, any_value(y.cla) as cla,
        any_value(y.cin) as cin, any_value(y.cpp) as cpp,
        any_value(y.gender) as gender, any_value(y.ncyear) as ncyear,
        sum(w.possible) as possible,
        sum(w.authorised + w.unauthorised) as absent
    from pupil_week w
    join periods p
      on w.academic_year = p.academic_year and w.week_start between p.week_from and p.week_to
    join pupil_year y
      on y.academic_year = w.academic_year and y.urn = w.urn and y.pupil_id = w.pupil_id
    where ($scope_urns is null or w.urn in (select unnest($scope_urns)))
      and y.compulsory_age
      and ($phase is null or y.phase = $phase)
    group by p.period, w.urn, w.pupil_id
    having sum(w.possible) > 0
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
