-- The feed's school weeks (python -m data_pipeline export): each week (its Monday) of each
-- academic year, for the LA ($by_school false: urn is NULL) or for each school. Sessions of
-- enrolments of compulsory school age (the school_week mart), as the School and Governors'
-- pages' weekly charts count them. Session counts and rates only: PA is a measure of an
-- enrolment over a period, not of one week, and the week's pupils are not counted (the
-- governors' weekly chart shows no pupil counts either). Measures from the macros of
-- 05_measures.sql.
with weeks as (
    select academic_year, week_start, case when $by_school then urn end as urn,
        sum(possible)::bigint as possible_sessions,
        sum(attending)::bigint as attending_sessions,
        sum(authorised)::bigint as authorised_sessions,
        sum(unauthorised)::bigint as unauthorised_sessions
    from school_week
    group by all
    having sum(possible) > 0
),
final as (
    select academic_year, week_start, urn,
        possible_sessions, attending_sessions, authorised_sessions, unauthorised_sessions,
        pct(attending_sessions, possible_sessions) as attendance_rate,
        pct(authorised_sessions + unauthorised_sessions, possible_sessions) as overall_absence_rate,
        pct(authorised_sessions, possible_sessions) as authorised_absence_rate,
        pct(unauthorised_sessions, possible_sessions) as unauthorised_absence_rate,
        days_lost(authorised_sessions + unauthorised_sessions) as days_lost
    from weeks
)
select * from final order by academic_year, week_start, urn
