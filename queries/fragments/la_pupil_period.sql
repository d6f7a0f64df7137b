-- ---- shared block: every pupil of compulsory school age on roll at a school in the viewer's
-- scope in academic year $year, per enrolment (DfE's unit), with their sessions over
-- $week_from..$week_to, the change in their last 4 school weeks of it, and whether they are at
-- the national framework's threshold now: 10 or more unauthorised sessions in their latest 10
-- school weeks up to $week_to, across the schools in scope (the LA: every school).
-- Included by la_vulnerable_pupils.sql and la_early_warning.sql.
la_pupils as (
    select y.urn, y.pupil_id, y.ncyear, y.cla, y.cin, y.cpp, y.sen_provision, y.young_carer
    from pupil_year y
    where ($scope_urns is null or y.urn in (select unnest($scope_urns)))
      and y.academic_year = $year and y.compulsory_age
),
la_weeks as (
    select w.*,
        row_number() over (partition by w.urn, w.pupil_id order by w.week_start desc) as back
    from pupil_week w
    join la_pupils p using (urn, pupil_id)
    where w.academic_year = $year and w.week_start between $week_from and $week_to and w.possible > 0
),
la_totals as (
    select urn, pupil_id,
        sum(possible) as possible,
        sum(present + aea) as attending,
        sum(authorised + unauthorised) as absent,
        count(*) as school_weeks,
        pct(sum(present + aea) filter (where back <= 4), sum(possible) filter (where back <= 4))
            - pct(sum(present + aea), sum(possible)) as recent_change
    from la_weeks
    group by urn, pupil_id
),
la_threshold as (
    select pupil_id, sum(unauthorised) as unauthorised_latest_10_school_weeks
    from (
        select pupil_id, week_start, sum(unauthorised) as unauthorised,
            row_number() over (partition by pupil_id order by week_start desc) as back
        from pupil_week
        where ($scope_urns is null or urn in (select unnest($scope_urns)))
          and pupil_id in (select pupil_id from la_pupils)
          and week_start <= $week_to and possible > 0
        group by pupil_id, week_start
    )
    where back <= 10
    group by pupil_id
),
la_pupil_rows as (
    select 'P-' || upper(left(sha256($pseudonym_key || ':' || p.urn || ':' || p.pupil_id), 8)) as pupil_ref,
        p.urn, s.school_name,
        case when p.ncyear = 0 then 'Reception' when p.ncyear is not null then 'Year ' || p.ncyear end
            as year_group,
        concat_ws(' · ',
            case when p.cla then 'Looked after' end,
            case when p.cpp then 'Child protection plan' end,
            case when p.cin then 'Child in need' end,
            case when p.sen_provision = 'E' then 'EHCP' end,
            case when p.young_carer then 'Young carer' end) as circumstances,
        pct(t.attending, t.possible) as attendance_rate,
        pct(t.absent, t.possible) as overall_absence_rate,
        days_lost(t.absent) as days_lost,
        is_persistent_absentee(t.absent, t.possible) as persistently_absent,
        is_severe_absentee(t.absent, t.possible) as severely_absent,
        coalesce(h.unauthorised_latest_10_school_weeks, 0) as unauthorised_latest_10_school_weeks,
        coalesce(h.unauthorised_latest_10_school_weeks, 0) >= 10 as at_threshold,
        t.recent_change,
        t.school_weeks,
        p.cla or p.cin or p.cpp or p.sen_provision = 'E' or p.young_carer as vulnerable
    from la_pupils p
    join la_totals t using (urn, pupil_id)
    join schools s using (urn)
    left join la_threshold h using (pupil_id)
),
-- ---- end of the shared block ----
