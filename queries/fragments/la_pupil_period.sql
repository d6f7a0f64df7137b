-- ---- shared block: every pupil of compulsory school age on roll at a school in the viewer's
-- scope in academic year $year, per enrolment (DfE's unit: ekey), with their sessions over
-- $week_from..$week_to. Included by la_vulnerable_pupils.sql and la_early_warning.sql, each of
-- which then chooses its pupils (la_candidates(ekey)) from these and includes
-- fragments/la_pupil_rows.sql for their rows.
la_pupils as (
    select y.urn, y.pupil_id, y.ekey, y.ncyear, y.cla, y.cin, y.cpp, y.sen_provision, y.young_carer,
        y.possible, y.present + y.aea as attending, y.authorised + y.unauthorised as absent, y.school_weeks,
        y.last_4_attending, y.last_4_possible
    from pupil_year y
    where ($scope_urns is null or y.urn in (select unnest($scope_urns)))
      and y.academic_year = $year and y.compulsory_age
),
-- the enrolments' school weeks of the period (weeks with a possible session), for la_sums below:
-- not materialized, so that its scan keeps la_sums's filter on the weeks
la_weeks as not materialized (
    select w.ekey, w.academic_year, w.week_start, w.possible, w.present + w.aea as attending,
        w.authorised + w.unauthorised as absent
    from pupil_week w
    semi join la_pupils p using (ekey)
    where w.academic_year = $year and w.week_start between $week_from and $week_to and w.possible > 0
),
-- A period that takes in every week of the year held (the year to date) reads each enrolment's
-- year totals kept in pupil_year, as fragments/period_enrolment.sql does; one that is exactly
-- one half term, or one whole term, with no other week holding a mark, reads that unit's row
-- kept in pupil_half_term or pupil_term; any other period sums the rows kept in pupil_half_term
-- for its half terms wholly inside it and its other school weeks. Each way is joined to a row
-- that exists only when it applies: for the others there is nothing to join, which ends their
-- scans at once.
la_whole_year as materialized (
    select coalesce($week_from <= min(first_week) and $week_to >= max(last_week), true) as whole_year
    from pupil_year
    where academic_year = $year
),
-- $year's half terms wholly inside $week_from..$week_to, and the period's other weeks with any
-- mark (school_session): none for a term or a half term, which leaves pupil_week unread
la_half_terms as (
    select half_term_no, any_value(term) as term, min(week_start) as first_week, max(week_start) as last_week
    from school_calendar
    where academic_year = $year
    group by half_term_no
    having min(week_start) >= $week_from and max(week_start) <= $week_to
),
la_other_weeks as (
    select distinct s.week_start
    from (
        select date - (isodow(date) - 1)::integer as week_start
        from school_session
        where academic_year = $year and ($scope_urns is null or urn in (select unnest($scope_urns)))
    ) s
    where s.week_start between $week_from and $week_to
      and not exists (select 1 from la_half_terms h where s.week_start between h.first_week and h.last_week)
),
-- the kept unit a part-year period is exactly, if any: one half term, or every half term of one
-- term, with no other week holding a mark
la_unit as (
    select case when count(*) = 1 then any_value(half_term_no) end as half_term_no,
        case when count(*) > 1 then any_value(term) end as term
    from la_half_terms
    having count(*) > 0 and count(distinct term) = 1
       and (count(*) = 1 or count(*) = (
           select count(distinct half_term_no) from school_calendar
           where academic_year = $year and term = any_value(la_half_terms.term)))
       and not exists (select 1 from la_other_weeks)
       and not (select whole_year from la_whole_year)
),
la_sums as (
    select ekey, possible, attending, absent, school_weeks
    from la_pupils
    where school_weeks > 0 and (select whole_year from la_whole_year)
    union all
    select t.ekey, t.possible, t.present + t.aea, t.authorised + t.unauthorised, t.school_weeks
    from (
        select h.* exclude (half_term_no) from pupil_half_term h
        semi join la_unit u on u.half_term_no = h.half_term_no
        union all by name
        select m.* from pupil_term m semi join la_unit u on u.term = m.term
    ) t
    semi join la_pupils p using (ekey)
    where t.academic_year = $year and t.school_weeks > 0
    union all
    select s.ekey, sum(s.possible), sum(s.attending), sum(s.absent), sum(s.school_weeks)
    from (
        select t.ekey, t.possible, t.present + t.aea as attending, t.authorised + t.unauthorised as absent,
            t.school_weeks
        from pupil_half_term t
        semi join la_pupils p using (ekey)
        where t.academic_year = $year and t.school_weeks > 0
          and t.half_term_no in (select half_term_no from la_half_terms)
        union all
        select w.ekey, w.possible, w.attending, w.absent, 1
        from la_weeks w
        semi join la_other_weeks k using (week_start)
    ) s
    join (
        select $year as academic_year from la_whole_year
        where not whole_year and not exists (select 1 from la_unit)
    ) part_year on true
    group by s.ekey
),
-- ---- end of the shared block ----
