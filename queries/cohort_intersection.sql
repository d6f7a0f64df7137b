-- Intersections of two characteristics ($dim_a by $dim_b, e.g. SEN by FSM): for every
-- pair of groups, the number of enrolments, overall absence and persistent absence.
-- Population: enrolments of compulsory school age with possible sessions in the selected
-- weeks $week_from..$week_to of academic year $year; phase as filtered.
-- Units: overall absence = absence sessions as % of possible sessions; PA = % of
-- enrolments missing 10%+ of possible sessions over the period (is_persistent_absentee).
-- Suppression: a cell with fewer than $min_count enrolments shows no count or rate.
with
-- @include fragments/selected_population.sql
axes (axis, dimension) as (
    values ('a', $dim_a), ('b', $dim_b)
),
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
    -- each enrolment once per axis: its value of that axis's characteristic, as text (NULL = not recorded)
    select p.*, a.axis, a.dimension,
        case a.dimension
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
    cross join axes a
),
labelled as (
    -- a readable label and a sort order (yes before no; years in order; SEN E, K, N)
    select k.*,
        coalesce(case
            when k.dimension = 'sen' then case k.group_key
                when 'E' then 'Education, health and care plan (EHCP)'
                when 'K' then 'SEN support'
                when 'N' then 'No identified SEN' end
            when k.dimension = 'ncyear' then
                case when k.group_key = '0' then 'Reception' else 'Year ' || k.group_key end
            when k.group_key = 'true' then d.yes_label
            when k.group_key = 'false' then d.no_label
            else k.group_key
        end, 'Not recorded') as group_label,
        case when k.group_key is null then 1000
             when k.group_key = 'true' then -2
             when k.group_key = 'false' then -1
             when k.dimension = 'ncyear' then k.ncyear
             when k.dimension = 'sen' then case k.group_key when 'E' then 0 when 'K' then 1 else 2 end
             else 0 end as group_rank
    from keyed k
    left join boolean_dims d on d.dimension = k.dimension
),
paired as (
    -- back to one row per enrolment, with its group on each axis
    select urn, pupil_id, any_value(possible) as possible, any_value(absent) as absent,
        max(group_label) filter (where axis = 'a') as group_a,
        max(group_rank) filter (where axis = 'a') as rank_a,
        max(group_label) filter (where axis = 'b') as group_b,
        max(group_rank) filter (where axis = 'b') as rank_b
    from labelled
    group by urn, pupil_id
),
cells as (
    select group_a, group_b, min(rank_a) as rank_a, min(rank_b) as rank_b,
        count(*) as enrolments,
        count(*) filter (where is_persistent_absentee(absent, possible)) as pa,
        sum(absent) as absent, sum(possible) as possible
    from paired
    group by group_a, group_b
),
final as (
    select group_a, group_b,
        dense_rank() over (order by rank_a, group_a) as order_a,
        dense_rank() over (order by rank_b, group_b) as order_b,
        enrolments < $min_count as suppressed,
        case when enrolments < $min_count then 'fewer than ' || $min_count
             else format('{:,}', enrolments) end as size_note,
        case when enrolments >= $min_count then enrolments end as enrolments,
        case when enrolments >= $min_count then pa end as pa_enrolments,
        case when enrolments >= $min_count then pct(pa, enrolments) end as persistent_absence_rate,
        case when enrolments >= $min_count then pct(absent, possible) end as overall_absence_rate
    from cells
)
select * from final order by order_a, order_b
