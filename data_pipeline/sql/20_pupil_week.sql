-- One row per enrolment (school x pupil) per school week: session counts by
-- DfE category and by reason. Every page reads this instead of the marks.
create or replace table pupil_week as
with coded as (
    select m.urn, m.pupil_id, m.date, r.*,
        1::smallint << ((isodow(m.date) - 1) * 2 + (m.session = 'PM')::integer) as bit
    from marks m
    join ref_codes r
      on r.code = m.code
     and r.code_set = case when m.date >= DATE '2024-09-01' then '2024' else '2006' end
),
final as (
    select
        case when month(date) >= 9 then year(date) else year(date) - 1 end as academic_year,
        (date - (isodow(date) - 1)::integer) as week_start,
        urn, pupil_id,
        count(*) filter (where counts_possible)::integer as possible,
        count(*) filter (where is_present)::integer as present,
        count(*) filter (where code = 'L')::integer as late_before_close,
        count(*) filter (where is_aea)::integer as aea,
        count(*) filter (where is_authorised)::integer as authorised,
        count(*) filter (where is_unauthorised)::integer as unauthorised,
        count(*) filter (where reason = 'late_after_close')::integer as late_after_close,
        count(*) filter (where reason = 'illness')::integer as illness,
        count(*) filter (where reason = 'medical')::integer as medical,
        count(*) filter (where reason = 'authorised_holiday')::integer as authorised_holiday,
        count(*) filter (where reason = 'excluded')::integer as excluded,
        count(*) filter (where reason = 'part_time_timetable')::integer as part_time_timetable,
        count(*) filter (where reason = 'other_authorised')::integer as other_authorised,
        count(*) filter (where reason = 'unauthorised_holiday')::integer as unauthorised_holiday,
        count(*) filter (where reason = 'other_unauthorised')::integer as other_unauthorised,
        count(*) filter (where reason = 'not_yet_known')::integer as not_yet_known,
        -- one bit a session (Mon AM = 1 ... Fri PM = 512): more than their OR means a
        -- session was marked twice; the build's checks require false everywhere
        sum(bit) <> bit_or(bit) as duplicate_marks
    from coded
    group by all
)
select * from final order by academic_year, urn, week_start;
