-- One published measure, every year, for every current LA, the LA's region and England,
-- from one collection only ('daily' 2022/23 on, or 'census' 2006/07 on; never mixed).
-- Rates are % (of possible sessions; PA and SA of enrolments). For each year: each LA's
-- rank among the LAs with a figure (1 = best: lowest absence, highest attendance),
-- its quartile band (1-4 = LAIT's A-D, A best), and the boundaries q25, q50, q75.
-- When $use_own_figures (the synthetic demo LA), the LA's figures are its own daily-collection
-- years from the warehouse and nothing published (so no census figures at all): compulsory school age, full year to date, PA and SA
-- by DfE's daily rule (enrolments with more than 10 possible sessions).
with measures as (
    select collection, source_file, time_period, period_label, geographic_level,
        la_code, la_name, region_code, phase,
        attendance_rate::double as attendance_rate,
        overall_absence_rate::double as overall_absence_rate,
        authorised_absence_rate::double as authorised_absence_rate,
        unauthorised_absence_rate::double as unauthorised_absence_rate,
        persistent_absence_rate::double as persistent_absence_rate,
        severe_absence_rate::double as severe_absence_rate,
        illness_rate::double as illness_rate,
        medical_rate::double as medical_rate,
        unauthorised_holiday_rate::double as unauthorised_holiday_rate,
        other_unauthorised_rate::double as other_unauthorised_rate,
        not_yet_known_rate::double as not_yet_known_rate,
        late_after_close_rate::double as late_after_close_rate,
        part_time_rate::double as part_time_rate
    from bench_la_year
    where collection = $collection and phase = $bench_phase
),
own_enrolment as (
    -- each enrolment's whole year: pupil_year keeps the totals of its pupil_week rows
    select y.academic_year, y.urn, y.pupil_id,
        y.possible,
        y.present + y.aea as attending,
        y.authorised,
        y.unauthorised,
        y.illness, y.medical,
        y.unauthorised_holiday,
        y.other_unauthorised,
        y.not_yet_known,
        y.late_after_close,
        y.part_time_timetable
    from pupil_year y
    where ($scope_urns is null or y.urn in (select unnest($scope_urns)))
      and $use_own_figures and $collection = 'daily'
      and y.compulsory_age
      and ($bench_phase = 'Total' or y.phase = $bench_phase)
      and y.possible > 0
),
own as (
    select 'daily' as collection, 'Demo LA: computed from the warehouse' as source_file,
        academic_year as time_period,
        academic_year || '/' || lpad(((academic_year + 1) % 100)::varchar, 2, '0') as period_label,
        'Local authority' as geographic_level, $la_code as la_code,
        null as la_name, null as region_code, $bench_phase as phase,
        100.0 * sum(attending) / sum(possible) as attendance_rate,
        100.0 * sum(authorised + unauthorised) / sum(possible) as overall_absence_rate,
        100.0 * sum(authorised) / sum(possible) as authorised_absence_rate,
        100.0 * sum(unauthorised) / sum(possible) as unauthorised_absence_rate,
        pct(count(*) filter (where counts_for_daily_pa(possible)
                             and is_persistent_absentee(authorised + unauthorised, possible)),
            count(*) filter (where counts_for_daily_pa(possible))) as persistent_absence_rate,
        pct(count(*) filter (where counts_for_daily_pa(possible)
                             and is_severe_absentee(authorised + unauthorised, possible)),
            count(*) filter (where counts_for_daily_pa(possible))) as severe_absence_rate,
        100.0 * sum(illness) / sum(possible) as illness_rate,
        100.0 * sum(medical) / sum(possible) as medical_rate,
        100.0 * sum(unauthorised_holiday) / sum(possible) as unauthorised_holiday_rate,
        100.0 * sum(other_unauthorised) / sum(possible) as other_unauthorised_rate,
        100.0 * sum(not_yet_known) / sum(possible) as not_yet_known_rate,
        100.0 * sum(late_after_close) / sum(possible) as late_after_close_rate,
        100.0 * sum(part_time_timetable) / sum(possible) as part_time_rate
    from own_enrolment
    group by academic_year
),
combined as (
    -- a synthetic LA is its own series only: the real LA's published figures for its
    -- geography never join it (no trend reads across real and synthetic years)
    select * from measures m
    where not (m.geographic_level = 'Local authority' and m.la_code = $la_code and $use_own_figures)
    union all by name
    select * from own
),
long as (
    unpivot combined
    on attendance_rate, overall_absence_rate, authorised_absence_rate, unauthorised_absence_rate,
       persistent_absence_rate, severe_absence_rate, illness_rate, medical_rate,
       unauthorised_holiday_rate, other_unauthorised_rate, not_yet_known_rate,
       late_after_close_rate, part_time_rate
    into name measure value value
),
chosen as (
    select * from long where measure = $measure and value is not null
),
home as (
    select la_code, la_name, region_code, region_name from la_lookup where la_code = $la_code
),
stat_nbr as (
    select neighbour_la_code as la_code, rank as neighbour_rank
    from stat_neighbours
    where model = 'May 2025' and section = 'current' and la_code = $la_code
),
geo_nbr as (
    select neighbour_la_code as la_code from geo_neighbours where la_code = $la_code
),
las as (
    select c.time_period, c.period_label, c.source_file, c.value, l.la_code, l.la_name,
        l.region_code, l.region_name,
        l.la_code = $la_code as is_la,
        s.la_code is not null as is_stat_neighbour,
        g.la_code is not null as is_geo_neighbour,
        s.neighbour_rank
    from chosen c
    -- every LA with a figure that year, predecessors of later reorganisations too, as LAIT ranks
    join la_lookup l on l.la_code = c.la_code
    left join stat_nbr s on s.la_code = c.la_code
    left join geo_nbr g on g.la_code = c.la_code
    where c.geographic_level = 'Local authority'
),
banded as (
    -- LAIT's rule: ranks and quartile bands on the rates as published (2 dp), so equal
    -- published rates share a rank and a band whatever the unrounded figures behind them
    select *, round(value, 2) as published_value,
        quantile_cont(round(value, 2), 0.25) over (partition by time_period) as q25,
        quantile_cont(round(value, 2), 0.50) over (partition by time_period) as q50,
        quantile_cont(round(value, 2), 0.75) over (partition by time_period) as q75
    from las
),
ranked as (
    -- rank: 1 = best, ties share the lowest rank (R's ties.method = "min", as LAIT).
    -- quartile 1-4 = LAIT's bands A-D: the boundaries are R's default quantiles (linear
    -- interpolation, DuckDB's quantile_cont) of every LA's rate that year; a rate exactly on
    -- a boundary falls in the better band when low is good (A: <= Q1, B: <= median, C: <= Q3)
    -- and in the worse band when high is good (A: > Q3, B: > median, C: > Q1).
    select *,
        rank() over (partition by time_period
                     order by case when $low_is_good then published_value else -published_value end) as rank,
        count(*) over (partition by time_period) as n_ranked,
        case when $low_is_good then
                case when published_value <= q25 then 1 when published_value <= q50 then 2
                     when published_value <= q75 then 3 else 4 end
             else
                case when published_value > q75 then 1 when published_value > q50 then 2
                     when published_value > q25 then 3 else 4 end
        end as quartile,
        case when is_la then 'LA'
             when is_stat_neighbour then 'Statistical neighbour'
             when is_geo_neighbour then 'Geographic neighbour'
             else 'Other LA' end as area_type
    from banded
),
sn_average as (
    -- the simple mean of the statistical neighbours' rates, as in DfE's LAIT
    select time_period, any_value(period_label) as period_label,
        'Statistical neighbours (mean of ' || count(*) || ')' as source_file,
        avg(value) as value, 'SN' as la_code, 'Statistical neighbours average' as la_name,
        'Statistical neighbours average' as area_type
    from las where is_stat_neighbour group by time_period
),
region_england as (
    select c.time_period, c.period_label, c.source_file, c.value,
        case when c.geographic_level = 'National' then 'E92000001' else c.region_code end as la_code,
        case when c.geographic_level = 'National' then 'England' else h.region_name end as la_name,
        case when c.geographic_level = 'National' then 'England' else 'Region' end as area_type
    from chosen c cross join home h
    where c.geographic_level = 'National'
       or (c.geographic_level = 'Regional' and c.region_code = h.region_code)
),
final as (
    select time_period, period_label, area_type, la_code, la_name, value, source_file,
        region_name, is_la, is_stat_neighbour, is_geo_neighbour, neighbour_rank,
        rank, n_ranked, quartile, q25, q50, q75
    from ranked
    union all by name
    select * from sn_average
    union all by name
    select * from region_england
)
select * from final order by time_period, area_type, value
