-- Reasons for absence of one cohort (group $group_key of characteristic $dimension)
-- against all other pupils, over the selected school weeks $week_from..$week_to of
-- academic year $year. Population: enrolments of compulsory school age with possible
-- sessions in the period; phase as filtered.
-- Units: sessions are half days; rate = the reason's sessions as % of possible sessions;
-- share_of_absence = the reason's sessions as % of all absence sessions (authorised +
-- unauthorised). late_after_close (U) is part of unauthorised absence.
-- Suppression: nothing is shown for a series with fewer than $min_count enrolments.
with
periods as (
    select 'selected' as period, $year::integer as academic_year,
           $week_from::date as week_from, $week_to::date as week_to
),
period_urns as (
    -- the schools whose enrolments are summed: the viewer's scope
    select distinct urn from pupil_year
    where $scope_urns is null or urn in (select unnest($scope_urns))
),
-- @include fragments/period_enrolment.sql
population as (
    -- one row per enrolment (school x pupil) with its session counts (half days) over the
    -- selected school weeks; enrolments with no possible sessions are left out (DfE);
    -- pupils of compulsory school age (5 to 15 at the start of the year), phase as filtered
    select urn, pupil_id,
        possible, present + aea as attending, authorised, unauthorised,
        authorised + unauthorised as absent, illness, medical, authorised_holiday, excluded,
        part_time_timetable, other_authorised, unauthorised_holiday, other_unauthorised,
        not_yet_known, late_after_close,
        ncyear, gender, ethnicity, sen_provision, fsm, pupil_premium,
        eal, young_carer, cla, cin, cpp, social_worker, home_lsoa, phase
    from period_enrolment
    where possible > 0
      and compulsory_age
      and ($phase is null or phase = $phase)
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
series as (
    select case when group_key is not distinct from $group_key then 'cohort' else 'others' end as series,
        count(*) as enrolments,
        sum(possible) as possible,
        sum(absent) as absent,
        sum(illness) as illness, sum(medical) as medical,
        sum(authorised_holiday) as authorised_holiday, sum(excluded) as excluded,
        sum(part_time_timetable) as part_time_timetable, sum(other_authorised) as other_authorised,
        sum(unauthorised_holiday) as unauthorised_holiday, sum(other_unauthorised) as other_unauthorised,
        sum(not_yet_known) as not_yet_known, sum(late_after_close) as late_after_close
    from labelled
    group by all
    having count(*) >= $min_count
),
long as (
    unpivot series
    on illness, medical, authorised_holiday, excluded, part_time_timetable, other_authorised,
       unauthorised_holiday, other_unauthorised, not_yet_known, late_after_close
    into name reason value sessions
),
final as (
    select reason,
        max(sessions) filter (where series = 'cohort') as cohort_sessions,
        pct(max(sessions) filter (where series = 'cohort'),
            max(possible) filter (where series = 'cohort')) as cohort_rate,
        pct(max(sessions) filter (where series = 'cohort'),
            max(absent) filter (where series = 'cohort')) as cohort_share_of_absence,
        pct(max(sessions) filter (where series = 'others'),
            max(possible) filter (where series = 'others')) as others_rate,
        pct(max(sessions) filter (where series = 'others'),
            max(absent) filter (where series = 'others')) as others_share_of_absence
    from long
    group by reason
)
select * from final order by cohort_rate desc nulls last, others_rate desc, reason
