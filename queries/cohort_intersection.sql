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
labelled as (
    -- each enrolment once per axis, with its group of that axis's characteristic
    -- (enrolment_cohort: the catalogue's groups, labels and order)
    select p.*, a.axis, a.dimension, c.group_key, c.group_label, c.group_rank
    from population p
    cross join axes a
    join enrolment_cohort c
      on c.academic_year = $year and c.urn = p.urn and c.pupil_id = p.pupil_id
     and c.dimension = a.dimension
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
