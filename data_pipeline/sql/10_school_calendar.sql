-- School days, half terms and terms, derived from the dates schools recorded
-- possible sessions on. A gap of more than 5 calendar days between school days
-- is a holiday, so each run of school days between holidays is a half term.
create or replace table school_calendar as
with days as (
    select distinct m.date,
        case when month(m.date) >= 9 then year(m.date) else year(m.date) - 1 end as academic_year
    from marks m
    join ref_codes r
      on r.code = m.code
     and r.code_set = case when m.date >= DATE '2024-09-01' then '2024' else '2006' end
    where r.counts_possible
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
