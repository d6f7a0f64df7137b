-- Each enrolment's characteristics for the year: the latest record dated on or
-- before the year's end, else the earliest record. compulsory_age follows DfE:
-- aged 5 to 15 on 31 August before the year (from date of birth, else NC year 1-11;
-- enrolments with neither are counted).
-- Also the enrolment's whole year from pupil_week: first and last week on roll, its school
-- weeks (weeks with a possible session), its weeks with any mark and the year's session counts (half days, the same
-- columns as pupil_week), and its marked sessions (pupil_week's sessions_marked). A query
-- whose period covers every week of the year reads these instead of summing the weeks
-- (see queries/fragments/period_enrolment.sql, la_pupil_rows.sql).
create or replace table pupil_year as
with enrolments as (
    select academic_year, urn, pupil_id, ekey,
        min(week_start) as first_week, max(week_start) as last_week,
        (count(*) filter (where possible > 0))::integer as school_weeks,
        -- its pupil_week rows (weeks with any mark): a period summed as the year less its
        -- outside has a row for the enrolment if any are left (fragments/period_enrolment.sql)
        count(*)::integer as weeks,
        sum(possible)::integer as possible, sum(present)::integer as present,
        sum(late_before_close)::integer as late_before_close, sum(aea)::integer as aea,
        sum(authorised)::integer as authorised, sum(unauthorised)::integer as unauthorised,
        sum(late_after_close)::integer as late_after_close, sum(illness)::integer as illness,
        sum(medical)::integer as medical, sum(authorised_holiday)::integer as authorised_holiday,
        sum(excluded)::integer as excluded, sum(part_time_timetable)::integer as part_time_timetable,
        sum(other_authorised)::integer as other_authorised,
        sum(unauthorised_holiday)::integer as unauthorised_holiday,
        sum(other_unauthorised)::integer as other_unauthorised,
        sum(not_yet_known)::integer as not_yet_known,
        -- for the data quality query: the sessions marked (possible or not) and the first and
        -- last weeks' bitmaps of them, so that it reads a row an enrolment, not a row a week
        sum(bit_count(sessions_marked))::integer as sessions_marked,
        arg_min(sessions_marked, week_start) as first_week_marked,
        arg_max(sessions_marked, week_start) as last_week_marked,
        -- for the pupils-to-watch lists over the year to date: the enrolment's latest 10 school
        -- weeks, latest first, so that those lists read a row an enrolment, not its weeks. Each
        -- week is one number, days from 1970 to its Monday * 4096 + sessions attending * 256 +
        -- possible * 16 + unauthorised (a week has at most 10 sessions of each): the largest
        -- 10 are the latest 10, found at a fifth of the cost of keeping each as a struct
        max(
            date_diff('day', DATE '1970-01-01', week_start)::bigint * 4096
                + (present + aea) * 256 + possible * 16 + unauthorised,
            10
        ) filter (where possible > 0) as last_10_weeks
    from {pupil_week}
    group by academic_year, urn, pupil_id, ekey
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
        r.ekey,
        e.* exclude (academic_year, urn, pupil_id, ekey, last_10_weeks),
        -- the last 4 school weeks' sessions attending and possible, unpacked
        list_sum(list_transform(e.last_10_weeks[1:4], lambda w: (w // 256) % 16))::integer
            as last_4_attending,
        list_sum(list_transform(e.last_10_weeks[1:4], lambda w: (w // 16) % 16))::integer
            as last_4_possible,
        e.last_10_weeks
    from ranked r
    join enrolments e using (academic_year, ekey)
    left join schools s on s.urn = r.urn
    where r.rn = 1
)
-- cohort_key: a hash of the characteristics of the catalogue's cohort dimensions (filled in by
-- data_pipeline/cohorts.py's key_sql); cohort_group gives each key's groups
select *, {cohort_key} as cohort_key from final;
