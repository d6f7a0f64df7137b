-- Weekly overall absence of one cohort (group $group_key of characteristic $dimension)
-- against all other pupils, for every school week of academic year $year (the trend;
-- in_period marks the selected weeks $week_from..$week_to).
-- Population: enrolments of compulsory school age with possible sessions that week;
-- phase as filtered. Units: overall absence = (authorised + unauthorised) sessions as %
-- of possible sessions in the week. Suppression: a week's rate is withheld when the
-- series has fewer than $min_count enrolments that week.
with
population as (
    -- each enrolment of the year in the viewer's scope, with its characteristics and
    -- whether it is in the population (compulsory school age, phase as filtered)
    select y.ekey, y.cohort_key,
        coalesce(y.compulsory_age and ($phase is null or y.phase = $phase), false) as in_population
    from pupil_year y
    where y.academic_year = $year
      and ($scope_urns is null or y.urn in (select unnest($scope_urns)))
),
keyed as (
    -- the enrolment's group of the chosen characteristic (cohort_group, from the catalogue)
    select p.*, c.group_key
    from population p
    join cohort_group c on c.cohort_key = p.cohort_key and c.dimension = $dimension
),
classes as materialized (
    -- 0 = outside the population, 1 = in the cohort, 2 = another pupil of the population
    select ekey,
        case when not in_population then 0
             when group_key is not distinct from $group_key then 1
             else 2 end as class
    from keyed
),
smaller as (
    -- the cohort or the other pupils, whichever has fewer enrolments: its weeks are summed
    -- through a join to its enrolments (far cheaper than joining every week to pupil_year);
    -- the other series is every week's total less the rest
    select case when count(*) filter (where class = 1) <= count(*) filter (where class = 2)
                then 1 else 2 end as class
    from classes
),
joined_classes as materialized (
    select c.ekey, c.class
    from classes c
    join smaller s on c.class = 0 or c.class = s.class
),
week_total as (
    -- every enrolment in scope, each week with possible sessions
    select w.week_start, count(*) as enrolments, sum(w.possible) as possible,
        sum(w.authorised + w.unauthorised) as absent
    from pupil_week w
    where w.academic_year = $year
      and w.possible > 0
      and ($scope_urns is null or w.urn in (select unnest($scope_urns)))
    group by w.week_start
),
week_joined as (
    select w.week_start, c.class, count(*) as enrolments, sum(w.possible) as possible,
        sum(w.authorised + w.unauthorised) as absent
    from pupil_week w
    join joined_classes c on c.ekey = w.ekey
    where w.academic_year = $year
      and w.possible > 0
      and ($scope_urns is null or w.urn in (select unnest($scope_urns)))
    group by w.week_start, c.class
),
by_week as (
    -- a week's series, when it has any enrolment that week
    select week_start, series, enrolments, possible, absent
    from (
        select week_start, case class when 1 then 'cohort' else 'others' end as series,
            enrolments, possible, absent
        from week_joined
        where class > 0
        union all
        select t.week_start, case s.class when 1 then 'others' else 'cohort' end as series,
            (t.enrolments - coalesce(sum(j.enrolments), 0))::bigint as enrolments,
            t.possible - coalesce(sum(j.possible), 0) as possible,
            t.absent - coalesce(sum(j.absent), 0) as absent
        from week_total t
        cross join smaller s
        left join week_joined j on j.week_start = t.week_start
        group by t.week_start, s.class, t.enrolments, t.possible, t.absent
    )
    where enrolments > 0
),
final as (
    select week_start,
        -- the school week's place in the year (week 1: the year's first school week, holidays
        -- counted), as school_weekly.sql has it, so that a holiday breaks the lines
        1 + date_diff('week', min(week_start) over (), week_start) as week_of_year,
        week_start between $week_from and $week_to as in_period,
        series,
        case when enrolments >= $min_count then enrolments end as enrolments,
        case when enrolments >= $min_count then pct(absent, possible) end as overall_absence_rate
    from by_week
)
select * from final order by series, week_start
