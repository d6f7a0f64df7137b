-- ---- shared block: the rows of the pupils an including query has chosen,
-- la_candidates(ekey, falling_only), from fragments/la_pupil_period.sql: pseudonym, school,
-- circumstances, the period's rates, PA and SA (DfE's rules), days missed, the change in their
-- last 4 school weeks of the period, and whether they are at the national framework's threshold
-- now: 10 or more unauthorised sessions in their latest 10 school weeks up to $week_to, across
-- the schools in scope (the LA: every school). A candidate with falling_only is listed only if
-- that change is a fall (the early warning's rule), found before the threshold is counted.
-- The last 4 school weeks: over the year to date (la_whole_year), each enrolment's last 4 school
-- weeks of the year, kept in pupil_year; over any other period, read from the candidates' weeks
-- below. Each way reads only when it applies: the other's pupils are an empty set, which ends
-- its scan at once.
la_part_candidates as (
    select ekey from la_candidates where not (select whole_year from la_whole_year)
),
-- The candidates' school weeks of $year up to $week_to, at every school in scope: read once, for
-- their last 4 school weeks of the period and for the threshold below. (pupil_week is kept in
-- year and school order, so any read of a span of its weeks scans the whole year's rows; an
-- earlier year's weeks are read from pupil_year instead.)
la_candidate_weeks as materialized (
    select ekey, pupil_id, week_start, possible, present + aea as attending, unauthorised
    from pupil_week
    where ($scope_urns is null or urn in (select unnest($scope_urns)))
      and pupil_id in (select pupil_id from la_pupils where ekey in (select ekey from la_part_candidates))
      and academic_year = $year and week_start <= $week_to and possible > 0
),
la_last_4 as (
    select ekey,
        list_sum(arg_max(attending, week_start, 4)) as attending,
        list_sum(arg_max(possible, week_start, 4)) as possible
    from la_candidate_weeks
    where ekey in (select ekey from la_part_candidates) and week_start >= $week_from
    group by ekey
    union all
    select ekey, last_4_attending, last_4_possible
    from la_pupils
    where ekey in (select ekey from la_candidates where (select whole_year from la_whole_year))
),
la_chosen as (
    select p.* exclude (possible, attending, absent, school_weeks, last_4_attending, last_4_possible),
        t.possible, t.attending, t.absent, t.school_weeks,
        pct(r.attending, r.possible) - pct(t.attending, t.possible) as recent_change
    from la_candidates c
    join la_sums t using (ekey)
    join la_last_4 r using (ekey)
    join la_pupils p using (ekey)
    where not c.falling_only or pct(r.attending, r.possible) < pct(t.attending, t.possible)
),
-- The threshold's window: each pupil's latest 10 school weeks up to $week_to, across the
-- schools in scope. Over the year to date, these are among their enrolments' own latest 10 of
-- each year up to $year (a week in the pupil's latest 10 is in the latest 10 of every
-- enrolment with a school week then), kept in pupil_year. Over any other period, a pupil on
-- roll throughout has them among $year's weeks in the 26 before $week_to (10 school weeks span
-- at most about 18 with a holiday), so those alone are summed for everyone; a pupil with fewer
-- than 10 there (early in the year, new to the LA's schools, or off roll for a while) has the
-- rest among $year's earlier weeks, also read above, and each earlier year's enrolments'
-- latest 10, kept in pupil_year in the same way (that whole year lies before $week_to). So the
-- answer is the rule's whatever the gap, and pupil_week is read for $year alone.
-- (la_year_end_weeks and la_older_weeks give a pupil's school weeks as enrolment rows: a week
-- at two schools, or from August into September, has two; la_threshold adds them up.)
la_year_end_weeks as (
    -- each week of pupil_year.last_10_weeks, unpacked: its Monday and unauthorised sessions
    select pupil_id, DATE '1970-01-01' + (w // 4096)::integer as week_start, (w % 16)::integer as unauthorised
    from pupil_year, unnest(last_10_weeks) as u(w)
    where ($scope_urns is null or urn in (select unnest($scope_urns)))
      and academic_year <= $year
      and pupil_id in (select pupil_id from la_chosen where (select whole_year from la_whole_year))
),
la_part_chosen as (
    select pupil_id from la_chosen where not (select whole_year from la_whole_year)
),
la_year_weeks as materialized (
    select pupil_id, week_start, sum(unauthorised) as unauthorised
    from la_candidate_weeks
    where pupil_id in (select pupil_id from la_part_chosen) and week_start > $week_to - interval 26 weeks
    group by pupil_id, week_start
),
la_short_history as (
    select p.pupil_id
    from (select distinct pupil_id from la_part_chosen) p
    left join (select pupil_id, count(*) as n from la_year_weeks group by pupil_id) r using (pupil_id)
    where coalesce(r.n, 0) < 10
),
la_older_years as materialized (
    select pupil_id, last_10_weeks
    from pupil_year
    where ($scope_urns is null or urn in (select unnest($scope_urns)))
      and pupil_id in (select pupil_id from la_short_history)
      and academic_year < $year
),
la_older_weeks as (
    select pupil_id, week_start, unauthorised
    from la_candidate_weeks
    where pupil_id in (select pupil_id from la_short_history) and week_start <= $week_to - interval 26 weeks
    union all
    -- (the few enrolment rows first: unnesting inside the filter unpacked every row)
    select pupil_id, DATE '1970-01-01' + (w // 4096)::integer as week_start, (w % 16)::integer as unauthorised
    from la_older_years, unnest(last_10_weeks) as u(w)
),
la_threshold as (
    select pupil_id, list_sum(arg_max(unauthorised, week_start, 10)) as unauthorised_latest_10_school_weeks
    from (
        -- a pupil with 10 school weeks among $year's 26: those weeks alone
        select * from la_year_weeks anti join la_short_history using (pupil_id)
        union all
        -- the others' weeks from every source they have, each week added up once
        select pupil_id, week_start, sum(unauthorised) as unauthorised
        from (
            select * from la_year_end_weeks
            union all select * from la_year_weeks semi join la_short_history using (pupil_id)
            union all select * from la_older_weeks
        )
        group by pupil_id, week_start
    )
    group by pupil_id
),
la_pupil_rows as (
    select 'P-' || upper(left(sha256($pseudonym_key || ':' || t.urn || ':' || t.pupil_id), 8)) as pupil_ref,
        t.urn, s.school_name,
        case when t.ncyear = 0 then 'Reception' when t.ncyear is not null then 'Year ' || t.ncyear end
            as year_group,
        concat_ws(' · ',
            case when t.cla then 'Looked after' end,
            case when t.cpp then 'Child protection plan' end,
            case when t.cin then 'Child in need' end,
            case when t.sen_provision = 'E' then 'EHCP' end,
            case when t.young_carer then 'Young carer' end) as circumstances,
        pct(t.attending, t.possible) as attendance_rate,
        pct(t.absent, t.possible) as overall_absence_rate,
        days_lost(t.absent) as days_lost,
        is_persistent_absentee(t.absent, t.possible) as persistently_absent,
        is_severe_absentee(t.absent, t.possible) as severely_absent,
        coalesce(h.unauthorised_latest_10_school_weeks, 0) as unauthorised_latest_10_school_weeks,
        coalesce(h.unauthorised_latest_10_school_weeks, 0) >= 10 as at_threshold,
        t.recent_change,
        t.school_weeks
    from la_chosen t
    join schools s using (urn)
    left join la_threshold h using (pupil_id)
),
-- ---- end of the shared block ----
