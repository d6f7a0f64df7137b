-- ---- shared block: the population of the selected period in the viewer's scope ----
-- (queries.sql_text expands it.) For the cohorts, neighbourhoods and funnel queries: periods (the
-- selected period only), period_urns (the viewer's scope) and, through period_enrolment,
-- population: one row per enrolment with its session counts over the selected weeks,
-- DfE's population (possible sessions > 0, compulsory school age), phase as filtered.
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
        eal, young_carer, cla, cin, cpp, social_worker, home_lsoa, phase, cohort_key
    from period_enrolment
    where possible > 0
      and compulsory_age
      and ($phase is null or phase = $phase)
),
-- ---- end of the shared block ----
