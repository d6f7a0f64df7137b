-- The same cohort as DfE publishes it, in England, in the LA's statistical neighbours and in
-- the LA itself: persistent and severe absence by FSM, SEN (any vs none), sex and year group
-- (bench_cohort: school census absence bands, all phases, full year, the latest published
-- year). $dimension picks the breakdown (fsm, sen, gender, ncyear); any other returns no rows
-- (DfE publishes none). Another collection and year than this warehouse's registers: the page
-- shows these as published context, never as a gap to its own figures.
-- Units: PA and SA are % of enrolments (10%+ / 50%+ of possible sessions missed).
-- Statistical neighbours: DfE's May 2025 model, section 'current'; the neighbour figure is
-- the simple mean of the neighbours' published rates (as LAIT). 'Unclassified' groups are
-- left out.
with breakdown as (
    select case $dimension when 'fsm' then 'fsm' when 'sen' then 'sen'
                           when 'gender' then 'sex' when 'ncyear' then 'year_group' end as breakdown
),
latest as (
    select max(time_period) as time_period from bench_cohort
),
published as (
    select c.group_label, c.time_period,
        max(c.persistent_absence_rate) filter (where c.geographic_level = 'National') as england_pa,
        max(c.severe_absence_rate) filter (where c.geographic_level = 'National') as england_sa,
        max(c.persistent_absence_rate) filter (where c.la_code = $la_code) as published_la_pa,
        max(c.severe_absence_rate) filter (where c.la_code = $la_code) as published_la_sa,
        avg(c.persistent_absence_rate) filter (where n.neighbour_la_code is not null) as neighbours_pa,
        avg(c.severe_absence_rate) filter (where n.neighbour_la_code is not null) as neighbours_sa,
        count(n.neighbour_la_code) filter (where c.persistent_absence_rate is not null) as neighbours_published
    from bench_cohort c
    join latest l on l.time_period = c.time_period
    join breakdown b on b.breakdown = c.breakdown
    left join stat_neighbours n
      on n.model = 'May 2025' and n.section = 'current' and n.la_code = $la_code
     and n.neighbour_la_code = c.la_code and c.geographic_level = 'Local authority'
    where c.collection = 'census' and c.group_label <> 'Unclassified'
    group by c.group_label, c.time_period
),
final as (
    select p.group_label,
        case when p.group_label ~ '^[0-9]+$' then 'Year ' || p.group_label else p.group_label end as group_name,
        p.time_period,
        (p.time_period::varchar || '/' || right((p.time_period + 1)::varchar, 2)) as period_label,
        p.england_pa, p.neighbours_pa, p.published_la_pa,
        p.england_sa, p.neighbours_sa, p.published_la_sa,
        p.neighbours_published
    from published p
)
select * from final
order by case when group_label ~ '^[0-9]+$' then group_label::integer end, group_label
