-- Intersections of two characteristics ($dim_a by $dim_b, e.g. SEN by FSM): for every
-- pair of groups, the number of enrolments, overall absence and persistent absence.
-- Population: enrolments of compulsory school age with possible sessions in the selected
-- weeks $week_from..$week_to of academic year $year; phase as filtered.
-- Units: overall absence = absence sessions as % of possible sessions; PA = % of
-- enrolments missing 10%+ of possible sessions over the period (is_persistent_absentee).
-- Suppression: a cell with fewer than $min_count enrolments shows no count or rate.
with
-- @include fragments/selected_population.sql
by_key as (
    -- the enrolments counted by cohort key (their characteristics) first: a few thousand rows
    select cohort_key, count(*) as enrolments,
        count(*) filter (where is_persistent_absentee(absent, possible)) as pa,
        sum(absent) as absent, sum(possible) as possible
    from population
    group by cohort_key
),
cells as (
    -- each key's counts in its group on each axis (cohort_group: the catalogue's groups,
    -- labels and order)
    select a.group_label as group_a, b.group_label as group_b,
        min(a.group_rank) as rank_a, min(b.group_rank) as rank_b,
        sum(k.enrolments) as enrolments, sum(k.pa) as pa,
        sum(k.absent) as absent, sum(k.possible) as possible
    from by_key k
    join cohort_group a on a.cohort_key = k.cohort_key and a.dimension = $dim_a
    join cohort_group b on b.cohort_key = k.cohort_key and b.dimension = $dim_b
    group by a.group_label, b.group_label
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
