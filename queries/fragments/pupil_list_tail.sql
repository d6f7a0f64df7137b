-- ---- shared tail: included by every pupil_*_list.sql (queries.sql_text expands it) ----
-- Sorted by need: most days lost in the period first, then the steepest fall (attendance in
-- the pupil's last 4 school weeks of the period against the whole period, recent_change).
recent as (
    select urn, pupil_id, pct(sum(present + aea), sum(possible)) as attendance_last_4_school_weeks
    from (
        select *, row_number() over (partition by urn, pupil_id order by week_start desc) as back
        from weeks
        where possible > 0 and week_start >= $week_from
    )
    where back <= 4
    group by urn, pupil_id
),
sparkline as (
    select urn, pupil_id,
        list(round(pct(present + aea, possible), 1) order by week_start) as weekly_attendance
    from weeks
    where possible > 0
    group by urn, pupil_id
),
reason_sessions as (
    unpivot period_totals
    on illness, medical, authorised_holiday, excluded, part_time_timetable, other_authorised,
       unauthorised_holiday, other_unauthorised, not_yet_known, late_after_close
    into name reason value sessions
),
main_reasons as (
    select urn, pupil_id,
        string_agg(label || ' (' || sessions || ')', ', ' order by sessions desc, label) as main_reasons
    from (
        select r.*, coalesce(c.label, r.reason) as label,
            row_number() over (partition by r.urn, r.pupil_id order by r.sessions desc, r.reason) as n
        from reason_sessions r
        left join (values
            ('illness', 'illness'), ('medical', 'medical'), ('authorised_holiday', 'authorised holiday'),
            ('excluded', 'suspended or excluded'), ('part_time_timetable', 'part-time timetable'),
            ('other_authorised', 'other authorised'), ('unauthorised_holiday', 'unauthorised holiday'),
            ('other_unauthorised', 'other unauthorised'), ('not_yet_known', 'reason not yet known'),
            ('late_after_close', 'late after register closed')
        ) c(reason, label) using (reason)
        where r.sessions > 0
    )
    where n <= 2
    group by urn, pupil_id
),
final as (
    select 'P-' || upper(left(sha256($pseudonym_key || ':' || l.urn || ':' || l.pupil_id), 8)) as pupil_ref,
        l.urn,
        case when p.ncyear = 0 then 'Reception' when p.ncyear is not null
             then 'Year ' || p.ncyear end as year_group,
        pct(t.attending, t.possible) as attendance_rate,
        pct(t.absent, t.possible) as overall_absence_rate,
        days_lost(t.absent) as days_lost,
        r.attendance_last_4_school_weeks - pct(t.attending, t.possible) as recent_change,
        s.weekly_attendance,
        coalesce(m.main_reasons, 'no absence in the period') as main_reasons,
        concat_ws(' · ',
            case when p.fsm then 'FSM' end,
            case p.sen_provision when 'E' then 'EHCP' when 'K' then 'SEN support' end,
            case when p.eal then 'EAL' end,
            case when p.social_worker then 'Social worker' end,
            case when p.young_carer then 'Young carer' end) as cohort_flags,
        l.* exclude (urn, pupil_id),
        p.ncyear
    from listed l
    join pupils p using (urn, pupil_id)
    left join period_totals t using (urn, pupil_id)
    left join recent r using (urn, pupil_id)
    left join sparkline s using (urn, pupil_id)
    left join main_reasons m using (urn, pupil_id)
)
select * from final
order by days_lost desc nulls last, recent_change nulls last, pupil_ref
