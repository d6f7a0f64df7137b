-- returns: pupil rows
-- One pupil's register for academic year $year up to the end of week $week_to: one row a
-- session with its code, DfE category (present, approved educational activity, authorised,
-- unauthorised, not possible) and description, for the codes calendar.
with
-- @include fragments/the_pupil.sql
final as (
    select m.date, m.session, m.code,
        case when r.code in ('L') then 'late (before close)'
             when r.code = 'U' then 'late (after close)'
             else r.category end as category,
        r.description,
        (m.date - (isodow(m.date) - 1)::integer) as week_start,
        isodow(m.date) as day_no
    from marks m
    join pupil p using (urn, pupil_id)
    join ref_codes r
      on r.code = m.code
     and r.code_set = code_set_of(m.date)
    where m.date between make_date($year, 9, 1) and $week_to + 4
)
select * from final order by date, session
