-- School days, half terms and terms, derived from the dates schools recorded
-- possible sessions on (school_session, built first). A gap of more than 5 calendar days between school days
-- is a holiday, so each run of school days between holidays is a half term.
create or replace table school_calendar as
with days as (
    -- school days: any date a school recorded a possible session on (from school_session)
    select distinct date, academic_year from {school_session} where possible > 0
),
gaps as (
    select *,
        case when date - lag(date) over (partition by academic_year order by date) > 5
             then 1 else 0 end as starts_half_term
    from days
),
numbered as (
    select *, 1 + sum(starts_half_term) over (partition by academic_year order by date) as segment
    from gaps
),
segments as (
    select academic_year, segment, min(date) as first_day,
        case when month(min(date)) >= 9 then 'Autumn'
             when month(min(date)) <= 3 then 'Spring' else 'Summer' end as term
    from numbered group by all
),
labelled as (
    select *, row_number() over (partition by academic_year, term order by segment) as k
    from segments
),
final as (
    select n.academic_year, n.date,
        (n.date - (isodow(n.date) - 1)::integer) as week_start,
        n.segment as half_term_no,
        l.term || ' ' || l.k as half_term,
        l.term
    from numbered n join labelled l using (academic_year, segment)
)
select * from final order by date;
