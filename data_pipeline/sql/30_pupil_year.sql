-- Each enrolment's characteristics for the year: the latest record dated on or
-- before the year's end, else the earliest record. compulsory_age follows DfE:
-- aged 5 to 15 on 31 August before the year (from date of birth, else NC year 1-11;
-- enrolments with neither are counted).
create or replace table pupil_year as
with enrolments as (
    select distinct academic_year, urn, pupil_id, ekey from pupil_week
),
ranked as (
    select e.academic_year, e.urn, e.pupil_id, e.ekey, p.*  exclude (urn, pupil_id),
        row_number() over (
            partition by e.academic_year, e.urn, e.pupil_id
            order by case when p.valid_from <= make_date(e.academic_year + 1, 8, 31) then 0 else 1 end,
                     case when p.valid_from <= make_date(e.academic_year + 1, 8, 31) then p.valid_from end desc,
                     p.valid_from
        ) as rn
    from enrolments e
    left join pupil_characteristics p on p.urn = e.urn and p.pupil_id = e.pupil_id
),
final as (
    select r.academic_year, r.urn, r.pupil_id, r.ncyear, r.gender, r.ethnicity,
        coalesce(r.sen_provision, 'N') as sen_provision,
        r.fsm, r.pupil_premium, r.eal, r.young_carer, r.cla, r.cin, r.cpp,
        coalesce(r.cla, false) or coalesce(r.cin, false) or coalesce(r.cpp, false) as social_worker,
        r.home_lsoa,
        case
            when r.dob is not null then
                date_diff('year', r.dob, make_date(r.academic_year, 8, 31))
                - case when strftime(r.dob, '%m%d') > '0831' then 1 else 0 end between 5 and 15
            when r.ncyear is not null then r.ncyear between 1 and 11
            else true
        end as compulsory_age,
        coalesce(s.phase, 'Not known') as phase,
        r.ekey
    from ranked r
    left join schools s on s.urn = r.urn
    where r.rn = 1
)
select * from final;
