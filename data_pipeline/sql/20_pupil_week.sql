-- One row per enrolment (school x pupil) per school week: session counts by
-- DfE category and by reason. Every page reads this instead of the marks.
--
-- One pass over the marks with three aggregates, because 17 filtered counts
-- over 87 million marks took twice as long: each code's reason adds
-- 1 << (4 * slot) to one packed sum (slots below), and each session sets one
-- bit of the week (Mon AM = 1 ... Fri PM = 512). A week has at most 10
-- sessions, so no 4-bit slot can overflow unless a session is marked twice,
-- and that is exactly what sum(bit) <> bit_or(bit) flags (duplicate_marks,
-- which the build's checks require to be false everywhere). The packed sum is
-- a double: exact for integers below 2^53, and 20 x 2^48 is below that.
-- ekey is a 64-bit key for the enrolment (urn, pupil_id) so that queries can
-- group on one integer; 90_checks fails the build if two enrolments share one.
-- A mark's academic year is its date's (1 September to 31 August), not its
-- week's: a school week whose Monday is in August and whose other days are in
-- September (Tuesday 1 September 2026, 2027's Wednesday) is two rows with the
-- same week_start, so that the first days of a year count in that year, as
-- they do in school_session and school_calendar.
create or replace table pupil_week as
with slots(slot, reason) as (
    values (0, 'present'), (1, 'late_before_close'), (2, 'aea'), (3, 'illness'), (4, 'medical'),
        (5, 'authorised_holiday'), (6, 'excluded'), (7, 'part_time_timetable'),
        (8, 'other_authorised'), (9, 'late_after_close'), (10, 'unauthorised_holiday'),
        (11, 'other_unauthorised'), (12, 'not_yet_known')
),
-- one row a code, with its weight in each code set (the join is then on the code alone;
-- a code outside the date's set, which validation refuses, would count in no column)
weights as (
    select r.code,
        max(case when r.counts_possible and r.code_set = '2024' then (1::bigint << (4 * s.slot))::double
                 when r.code_set = '2024' then 0 end) as w2024,
        max(case when r.counts_possible and r.code_set = '2006' then (1::bigint << (4 * s.slot))::double
                 when r.code_set = '2006' then 0 end) as w2006
    from ref_codes r left join slots s using (reason)
    group by r.code
),
packed as (
    select case when month(m.date) >= 9 then year(m.date) else year(m.date) - 1 end as academic_year,
        m.urn, m.pupil_id, (m.date - (isodow(m.date) - 1)::integer) as week_start,
        coalesce(sum(case when code_set_of(m.date) = '2024' then c.w2024 else c.w2006 end), 0)::ubigint as s,
        sum(1::smallint << ((isodow(m.date) - 1) * 2 + (m.session = 'PM')::integer)) as bit_sum,
        bit_or(1::smallint << ((isodow(m.date) - 1) * 2 + (m.session = 'PM')::integer)) as bit_union
    from {marks} m
    join weights c on c.code = m.code
    group by all
),
-- Sorted here, by year and school, while a row is 6 values rather than the 23 it becomes
-- (0.3-0.9 s less at the largest LA's year); the projections below keep the order. One
-- school's rows then sit together and DuckDB skips the rest by their min / max; sorting by
-- week as well cost 0.6 s more.
sorted as (
    select * from packed
    order by academic_year, urn
),
slot_counts as (
    select academic_year, week_start, urn, pupil_id, bit_sum, bit_union,
        ((s >> 0) & 15)::integer as n0,
        ((s >> 4) & 15)::integer as n1,
        ((s >> 8) & 15)::integer as n2,
        ((s >> 12) & 15)::integer as n3,
        ((s >> 16) & 15)::integer as n4,
        ((s >> 20) & 15)::integer as n5,
        ((s >> 24) & 15)::integer as n6,
        ((s >> 28) & 15)::integer as n7,
        ((s >> 32) & 15)::integer as n8,
        ((s >> 36) & 15)::integer as n9,
        ((s >> 40) & 15)::integer as n10,
        ((s >> 44) & 15)::integer as n11,
        ((s >> 48) & 15)::integer as n12
    from sorted
),
final as (
    select
        academic_year, week_start, urn, pupil_id,
        n0 + n1 + n2 + n3 + n4 + n5 + n6 + n7 + n8 + n9 + n10 + n11 + n12 as possible,
        n0 + n1 as present,
        n1 as late_before_close,
        n2 as aea,
        n3 + n4 + n5 + n6 + n7 + n8 as authorised,
        n9 + n10 + n11 + n12 as unauthorised,
        n9 as late_after_close,
        n3 as illness,
        n4 as medical,
        n5 as authorised_holiday,
        n6 as excluded,
        n7 as part_time_timetable,
        n8 as other_authorised,
        n10 as unauthorised_holiday,
        n11 as other_unauthorised,
        n12 as not_yet_known,
        bit_sum <> bit_union as duplicate_marks,
        hash(urn, pupil_id) as ekey,
        -- the sessions of the week with a mark, possible or not (codes X, Y, Z, # too), one bit
        -- each as above: the data quality query's enrolment spans without reading the marks
        bit_union as sessions_marked
    from slot_counts
)
select * from final;
