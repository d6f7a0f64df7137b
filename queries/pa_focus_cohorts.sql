-- Persistent absence (PA, 10%+ of possible sessions missed over the period) by pupil
-- cohort, this period and the same period last year, with the gap to the LA's rate
-- (percentage points). A pupil belongs to several cohorts (FSM, SEN, EAL, social worker,
-- young carer, gender, year group). Compulsory school age; phase as filtered.
-- Cohorts with fewer than $min_count enrolments are left out (suppression).
with
-- @include fragments/this_and_last_year.sql
enrolment as (
    -- enrolments of compulsory school age with possible sessions in the period, phase as filtered
    select period, academic_year, urn, pupil_id, possible, authorised + unauthorised as absent
    from period_enrolment
    where possible > 0
      and compulsory_age
      and ($phase is null or phase = $phase)
),
tagged as (
    -- each enrolment in each of its groups (enrolment_cohort: the catalogue's groups and
    -- labels): both sides of FSM and SEN, gender and year group; the pupils with a
    -- characteristic for the others (EAL, social worker, CLA, CIN, CPP, young carer)
    select e.period, e.possible, e.absent, c.group_label as cohort
    from enrolment e
    join enrolment_cohort c
      on c.academic_year = e.academic_year and c.urn = e.urn and c.pupil_id = e.pupil_id
    where c.group_key is not null
      and (c.dimension in ('fsm', 'sen', 'gender', 'ncyear')
           or (c.dimension in ('eal', 'social_worker', 'cla', 'cin', 'cpp', 'young_carer')
               and c.group_key = 'true'))
),
by_cohort as (
    select cohort,
        count(*) filter (where period = 'selected') as enrolments,
        count(*) filter (where period = 'selected' and is_persistent_absentee(absent, possible)) as pa_enrolments,
        count(*) filter (where period = 'last year') as last_year_enrolments,
        count(*) filter (where period = 'last year' and is_persistent_absentee(absent, possible)) as last_year_pa_enrolments
    from tagged group by cohort
),
la as (
    select pct(count(*) filter (where is_persistent_absentee(absent, possible)), count(*)) as la_pa_rate
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
