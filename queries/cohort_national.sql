-- A cohort's persistent and severe absence here against the same cohort in England and
-- in the LA's statistical neighbours, where DfE publishes the breakdown: FSM, SEN (any vs
-- none), sex and year group (bench_cohort: school census absence bands, all phases, the
-- latest published year, 2022/23 at the time of writing). $dimension picks the breakdown
-- (fsm, sen, gender, ncyear); any other returns no rows (DfE publishes none).
-- Two different collections: ours are this warehouse's figures over the selected weeks
-- $week_from..$week_to of year $year (compulsory school age, phase as filtered); DfE's are
-- the census's full-year figures. Units: PA and SA are % of enrolments (10%+ / 50%+ of
-- possible sessions missed); gaps are percentage points (ours - published).
-- Statistical neighbours: DfE's May 2025 model, section 'current'; the neighbour figure
-- is the simple mean of the neighbours' published rates (as LAIT). 'Unclassified' groups
-- are left out. Suppression: our figures are withheld under $min_count enrolments.
with
-- @include fragments/selected_population.sql
breakdown as (
    select case $dimension when 'fsm' then 'fsm' when 'sen' then 'sen'
                           when 'gender' then 'sex' when 'ncyear' then 'year_group' end as breakdown
),
ours as (
    -- our enrolments regrouped as DfE publishes them
    select case b.breakdown
            when 'fsm' then case p.fsm when true then 'Eligible' when false then 'Not Eligible' end
            when 'sen' then case when p.sen_provision in ('E', 'K') then 'Any special educational need'
                                 when p.sen_provision = 'N' then 'No identified special educational need' end
            when 'sex' then case when p.gender in ('Female', 'Male') then p.gender end
            when 'year_group' then case when p.ncyear between 1 and 11 then p.ncyear::varchar end
        end as group_label,
        count(*) as enrolments,
        count(*) filter (where is_persistent_absentee(p.absent, p.possible)) as pa,
        count(*) filter (where is_severe_absentee(p.absent, p.possible)) as sa
    from population p
    cross join breakdown b
    where b.breakdown is not null
    group by all
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
        case when o.enrolments >= $min_count then o.enrolments end as enrolments,
        case when o.enrolments >= $min_count then pct(o.pa, o.enrolments) end as persistent_absence_rate,
        case when o.enrolments >= $min_count then pct(o.sa, o.enrolments) end as severe_absence_rate,
        p.england_pa, p.neighbours_pa, p.published_la_pa,
        p.england_sa, p.neighbours_sa, p.published_la_sa,
        p.neighbours_published,
        case when o.enrolments >= $min_count then pct(o.pa, o.enrolments) - p.england_pa end as gap_to_england_pa,
        case when o.enrolments >= $min_count then pct(o.pa, o.enrolments) - p.neighbours_pa end as gap_to_neighbours_pa
    from published p
    left join ours o using (group_label)
)
select * from final
order by case when group_label ~ '^[0-9]+$' then group_label::integer end, group_label
