-- returns: pupil rows
-- One pupil's characteristics and year to date (academic year $year up to $week_to),
-- found by pseudonymous identifier $pupil_ref at school $urn. No name, no date of birth:
-- age band only. Rates: % of possible sessions; days = sessions / 2.
with
-- @include fragments/the_pupil.sql
totals as (
    select w.urn, w.pupil_id,
        sum(w.possible) as possible_sessions,
        sum(w.present + w.aea) as attending_sessions,
        sum(w.authorised) as authorised_sessions,
        sum(w.unauthorised) as unauthorised_sessions,
        sum(w.illness) as illness_sessions,
        sum(w.part_time_timetable) as c2_sessions,
        sum(w.late_before_close) as late_before_close_sessions,
        sum(w.late_after_close) as late_after_close_sessions,
        min(w.week_start) as first_week, max(w.week_start) as last_week
    from pupil_week w
    join pupil p using (urn, pupil_id)
    where w.academic_year = $year and w.week_start <= $week_to
    group by all
),
final as (
    select $pupil_ref as pupil_ref, p.urn, s.school_name,
        case when p.ncyear = 0 then 'Reception' when p.ncyear is not null
             then 'Year ' || p.ncyear end as year_group,
        p.gender, p.ethnicity,
        case p.sen_provision when 'E' then 'Education, health and care plan'
             when 'K' then 'SEN support' else 'No identified SEN' end as sen,
        p.fsm, p.pupil_premium, p.eal, p.young_carer, p.cla, p.cin, p.cpp, p.social_worker,
        p.compulsory_age, l.ward_name as home_ward, l.imd_decile as home_imd_decile,
        t.possible_sessions, t.first_week, t.last_week,
        pct(t.attending_sessions, t.possible_sessions) as attendance_rate,
        pct(t.authorised_sessions + t.unauthorised_sessions, t.possible_sessions) as overall_absence_rate,
        pct(t.authorised_sessions, t.possible_sessions) as authorised_absence_rate,
        pct(t.unauthorised_sessions, t.possible_sessions) as unauthorised_absence_rate,
        days_lost(t.authorised_sessions + t.unauthorised_sessions) as days_lost,
        (t.authorised_sessions + t.unauthorised_sessions) / 10.0 * $week_hours as hours_lost,
        t.illness_sessions, t.c2_sessions, t.late_before_close_sessions, t.late_after_close_sessions,
        is_persistent_absentee(t.authorised_sessions + t.unauthorised_sessions, t.possible_sessions)
            as persistent_absentee,
        is_severe_absentee(t.authorised_sessions + t.unauthorised_sessions, t.possible_sessions)
            as severe_absentee
    from pupil p
    left join totals t using (urn, pupil_id)
    left join schools s using (urn)
    left join lsoa21 l on l.lsoa21_code = p.home_lsoa
)
select * from final
