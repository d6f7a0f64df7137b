-- Where a cohort's persistent absence is: for one cohort (group $group_key of
-- characteristic $dimension), each school's cohort size, its persistently absent cohort
-- pupils and their share of the LA cohort's PA, the cohort's PA rate and overall absence
-- against the school's other pupils (the within-school gap, percentage points).
-- Population: enrolments of compulsory school age with possible sessions in the selected
-- weeks $week_from..$week_to of academic year $year; phase as filtered.
-- PA = 10%+ of possible sessions missed over the period (is_persistent_absentee).
-- Suppression: a school's cohort figures are withheld when the cohort there has fewer
-- than $min_count enrolments; the gap also when the other pupils number fewer.
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
by_school as (
    select urn,
        count(*) filter (where in_cohort) as cohort_enrolments,
        count(*) filter (where in_cohort and is_persistent_absentee(absent, possible)) as cohort_pa,
        sum(absent) filter (where in_cohort) as cohort_absent,
        sum(possible) filter (where in_cohort) as cohort_possible,
        count(*) filter (where not in_cohort) as other_enrolments,
        count(*) filter (where not in_cohort and is_persistent_absentee(absent, possible)) as other_pa,
        sum(absent) filter (where not in_cohort) as other_absent,
        sum(possible) filter (where not in_cohort) as other_possible
    from (select *, group_key is not distinct from $group_key as in_cohort from labelled)
    group by urn
),
la_cohort as (
    select sum(cohort_pa) as la_cohort_pa from by_school
),
final as (
    select b.urn, s.school_name, s.phase,
        b.cohort_enrolments < $min_count as suppressed,
        case when b.cohort_enrolments < $min_count then 'fewer than ' || $min_count
             else format('{:,}', b.cohort_enrolments) end as size_note,
        case when b.cohort_enrolments >= $min_count then b.cohort_enrolments end as cohort_enrolments,
        case when b.cohort_enrolments >= $min_count then b.cohort_pa end as cohort_pa_enrolments,
        -- share of all the LA cohort's persistently absent enrolments, %
        case when b.cohort_enrolments >= $min_count then pct(b.cohort_pa, l.la_cohort_pa) end
            as share_of_cohort_pa,
        case when b.cohort_enrolments >= $min_count then pct(b.cohort_pa, b.cohort_enrolments) end
            as cohort_persistent_absence_rate,
        case when b.cohort_enrolments >= $min_count and b.other_enrolments >= $min_count
             then pct(b.other_pa, b.other_enrolments) end as other_persistent_absence_rate,
        case when b.cohort_enrolments >= $min_count and b.other_enrolments >= $min_count
             then pct(b.cohort_pa, b.cohort_enrolments) - pct(b.other_pa, b.other_enrolments) end
            as gap_persistent_absence,
        case when b.cohort_enrolments >= $min_count then pct(b.cohort_absent, b.cohort_possible) end
            as cohort_overall_absence_rate,
        case when b.cohort_enrolments >= $min_count and b.other_enrolments >= $min_count
             then pct(b.cohort_absent, b.cohort_possible) - pct(b.other_absent, b.other_possible) end
            as gap_overall_absence
    from by_school b
    cross join la_cohort l
    left join schools s on s.urn = b.urn
    where b.cohort_enrolments > 0
)
select * from final
order by suppressed, cohort_pa_enrolments desc nulls last, gap_persistent_absence desc nulls last, school_name
