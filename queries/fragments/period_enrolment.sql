-- ---- shared block: each enrolment's sessions over a period (queries.sql_text expands it) ----
-- The including query defines periods(period, academic_year, week_from, week_to), at most
-- one period an academic year, and period_urns(urn): the schools whose enrolments it needs
-- (the viewer's scope, from $scope_urns; a school page's comparators take every school of
-- the phase). It gets period_enrolment: one row per period and enrolment at those schools
-- with any pupil_week row in the period (add `possible > 0` for DfE's population, the
-- enrolments with possible sessions), holding the enrolment's pupil_year row
-- (characteristics, compulsory_age, phase, ekey) with the session counts (possible, present,
-- late_before_close, aea, authorised, unauthorised and the reasons, as in pupil_week)
-- summed over the period's weeks. The sums are those of the period's pupil_week rows per
-- enrolment (urn, pupil_id), found the cheap way:
-- - a period that takes in every week of its academic year holding any pupil_week row (the
--   year to date) reads the year's totals kept in pupil_year: nothing to sum;
-- - a period that is exactly one half term, or one whole term, of its year (no other week
--   holding a mark) reads that unit's row kept in pupil_half_term or pupil_term: nothing to
--   sum either;
-- - any other period is summed, per enrolment on the integer key ekey, from the rows kept in
--   pupil_half_term for each half term wholly inside it and the pupil_week rows of its other
--   weeks with a mark; or, when it takes in most of its year's school weeks (last year's
--   same weeks, beside a whole year to date), as the year's totals less those of the half
--   terms and weeks outside it. Only those totals are joined to pupil_year (materialized, so
--   that the join cannot push a filter on ekey back into the scans), and a table with no
--   rows to read is not scanned at all.
year_span as (
    select p.period, p.academic_year, p.week_from, p.week_to,
        coalesce(p.week_from <= min(y.first_week) and p.week_to >= max(y.last_week), true) as whole_year
    from periods p
    left join pupil_year y on y.academic_year = p.academic_year
    group by p.period, p.academic_year, p.week_from, p.week_to
),
-- each part-year period's half terms, wholly inside it or wholly outside it, and its school
-- weeks (school_calendar) inside it and in all
period_half_terms as (
    select c.academic_year, c.half_term_no, any_value(c.term) as term,
        min(c.week_start) as first_week, max(c.week_start) as last_week,
        min(c.week_start) >= p.week_from and max(c.week_start) <= p.week_to as inside,
        max(c.week_start) < p.week_from or min(c.week_start) > p.week_to as outside,
        count(distinct c.week_start) filter (where c.week_start between p.week_from and p.week_to) as weeks_in,
        count(distinct c.week_start) as weeks
    from school_calendar c
    join year_span p on p.academic_year = c.academic_year and not p.whole_year
    group by c.academic_year, c.half_term_no, p.week_from, p.week_to
),
-- summed from outside: the period takes in more than half of its year's school weeks
period_way as (
    select p.academic_year, coalesce(2 * sum(h.weeks_in) > sum(h.weeks), false) as by_outside
    from year_span p
    left join period_half_terms h using (academic_year)
    where not p.whole_year
    group by p.academic_year
),
-- the half terms read from pupil_half_term, and the other weeks with any mark
-- (school_session) read from pupil_week: inside the period, or outside it in its year
period_blocks as (
    select h.academic_year, h.half_term_no, h.first_week, h.last_week
    from period_half_terms h
    join period_way w using (academic_year)
    where case when w.by_outside then h.outside else h.inside end
),
period_weeks as (
    select distinct s.academic_year, s.week_start
    from (
        select academic_year, date - (isodow(date) - 1)::integer as week_start
        from school_session
        where urn in (select urn from period_urns)
    ) s
    join year_span p on p.academic_year = s.academic_year and not p.whole_year
    join period_way w on w.academic_year = s.academic_year
    where (s.week_start between p.week_from and p.week_to) <> w.by_outside
      and not exists (
          select 1 from period_blocks b
          where b.academic_year = s.academic_year and s.week_start between b.first_week and b.last_week
      )
),
-- a period summed from inside that is exactly one half term, or every half term of one term,
-- with no other week holding a mark, reads that unit's kept rows (pupil_half_term, pupil_term)
-- as they are: nothing to sum
period_unit as (
    select i.academic_year,
        case when i.n = 1 then i.half_term_no end as half_term_no,
        case when i.n > 1 then i.term end as term
    from (
        select h.academic_year, count(*) as n, count(distinct h.term) as terms,
            any_value(h.half_term_no) as half_term_no, any_value(h.term) as term
        from period_half_terms h
        join period_way w on w.academic_year = h.academic_year and not w.by_outside
        where h.inside
        group by h.academic_year
    ) i
    join (select academic_year, term, count(*) as n from period_half_terms group by all) t
        on t.academic_year = i.academic_year and t.term = i.term
    where (i.n = 1 or (i.terms = 1 and i.n = t.n))
      and not exists (select 1 from period_weeks k where k.academic_year = i.academic_year)
),
-- (each count summed back to an integer, as the kept tables hold it: a HUGEINT sum would make
-- every later step of every query reading the block work in 128 bits)
block_sums as materialized (
    select academic_year, ekey, sum(columns(* exclude (academic_year, ekey)))::integer
    from (
        select t.academic_year, t.ekey, t.weeks, t.possible, t.present, t.late_before_close, t.aea,
            t.authorised, t.unauthorised, t.late_after_close, t.illness, t.medical,
            t.authorised_holiday, t.excluded, t.part_time_timetable, t.other_authorised,
            t.unauthorised_holiday, t.other_unauthorised, t.not_yet_known
        from pupil_half_term t
        semi join (select * from period_blocks anti join period_unit using (academic_year)) b
            using (academic_year, half_term_no)
        where t.urn in (select urn from period_urns)
        union all
        select w.academic_year, w.ekey, 1, w.possible, w.present, w.late_before_close, w.aea,
            w.authorised, w.unauthorised, w.late_after_close, w.illness, w.medical,
            w.authorised_holiday, w.excluded, w.part_time_timetable, w.other_authorised,
            w.unauthorised_holiday, w.other_unauthorised, w.not_yet_known
        from pupil_week w
        semi join period_weeks k on k.academic_year = w.academic_year and k.week_start = w.week_start
        where w.urn in (select urn from period_urns)
    )
    group by academic_year, ekey
),
part_year as (
    select b.* exclude (weeks)
    from block_sums b
    semi join period_way w on w.academic_year = b.academic_year and not w.by_outside
    union all
    -- (the kept tables' counts are in block_sums' order: union all pairs columns by place)
    select t.* exclude (half_term_no, term, urn, pupil_id, school_weeks, weeks)
    from pupil_half_term t
    semi join period_unit u on u.academic_year = t.academic_year and u.half_term_no = t.half_term_no
    where t.urn in (select urn from period_urns)
    union all
    select t.* exclude (term, urn, pupil_id, school_weeks, weeks)
    from pupil_term t
    semi join period_unit u on u.academic_year = t.academic_year and u.term = t.term
    where t.urn in (select urn from period_urns)
    union all
    -- the year's totals less the outside's, for each enrolment with a week left in the period
    select y.academic_year, y.ekey,
        y.possible - coalesce(b.possible, 0), y.present - coalesce(b.present, 0),
        y.late_before_close - coalesce(b.late_before_close, 0), y.aea - coalesce(b.aea, 0),
        y.authorised - coalesce(b.authorised, 0), y.unauthorised - coalesce(b.unauthorised, 0),
        y.late_after_close - coalesce(b.late_after_close, 0), y.illness - coalesce(b.illness, 0),
        y.medical - coalesce(b.medical, 0), y.authorised_holiday - coalesce(b.authorised_holiday, 0),
        y.excluded - coalesce(b.excluded, 0), y.part_time_timetable - coalesce(b.part_time_timetable, 0),
        y.other_authorised - coalesce(b.other_authorised, 0),
        y.unauthorised_holiday - coalesce(b.unauthorised_holiday, 0),
        y.other_unauthorised - coalesce(b.other_unauthorised, 0),
        y.not_yet_known - coalesce(b.not_yet_known, 0)
    from pupil_year y
    semi join period_way w on w.academic_year = y.academic_year and w.by_outside
    left join block_sums b on b.academic_year = y.academic_year and b.ekey = y.ekey
    where y.urn in (select urn from period_urns)
      and y.weeks > coalesce(b.weeks, 0)
),
period_enrolment as (
    select p.period, y.* exclude (first_week, last_week, school_weeks, weeks)
    from pupil_year y
    join year_span p on p.academic_year = y.academic_year and p.whole_year
    where y.urn in (select urn from period_urns)
    union all
    select p.period, y.* exclude (first_week, last_week, school_weeks, weeks) replace (
        t.possible as possible, t.present as present, t.late_before_close as late_before_close,
        t.aea as aea, t.authorised as authorised, t.unauthorised as unauthorised,
        t.late_after_close as late_after_close, t.illness as illness, t.medical as medical,
        t.authorised_holiday as authorised_holiday, t.excluded as excluded,
        t.part_time_timetable as part_time_timetable, t.other_authorised as other_authorised,
        t.unauthorised_holiday as unauthorised_holiday, t.other_unauthorised as other_unauthorised,
        t.not_yet_known as not_yet_known)
    from part_year t
    join pupil_year y on y.academic_year = t.academic_year and y.ekey = t.ekey
    join year_span p on p.academic_year = t.academic_year
),
-- ---- end of the shared block ----
