-- Weekly overall absence of one cohort (group $group_key of characteristic $dimension)
-- against all other pupils, for every school week of academic year $year (the trend;
-- in_period marks the selected weeks $week_from..$week_to).
-- Population: enrolments of compulsory school age with possible sessions that week;
-- phase as filtered. Units: overall absence = (authorised + unauthorised) sessions as %
-- of possible sessions in the week. Suppression: a week's rate is withheld when the
-- series has fewer than $min_count enrolments that week.
with
population as (
    select w.week_start, w.urn, w.pupil_id, w.possible,
        w.authorised + w.unauthorised as absent,
        y.ncyear, y.gender, y.ethnicity, y.sen_provision, y.fsm, y.pupil_premium,
        y.eal, y.young_carer, y.cla, y.cin, y.cpp, y.social_worker, y.phase
    from pupil_week w
    join pupil_year y
      on y.academic_year = w.academic_year and y.urn = w.urn and y.pupil_id = w.pupil_id
    where w.academic_year = $year
      and w.possible > 0
      and ($scope_urns is null or w.urn in (select unnest($scope_urns)))
      and y.compulsory_age
      and ($phase is null or y.phase = $phase)
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
by_week as (
    select week_start,
        case when group_key is not distinct from $group_key then 'cohort' else 'others' end as series,
        count(*) as enrolments,
        sum(possible) as possible,
        sum(absent) as absent
    from labelled
    group by all
),
final as (
    select week_start,
        row_number() over (partition by series order by week_start) as week_of_year,
        week_start between $week_from and $week_to as in_period,
        series,
        case when enrolments >= $min_count then enrolments end as enrolments,
        case when enrolments >= $min_count then pct(absent, possible) end as overall_absence_rate
    from by_week
)
select * from final order by series, week_start
