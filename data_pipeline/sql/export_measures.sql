-- The feed's measures over one group of enrolments (included by export_term.sql and
-- export_cohort.sql into their select list): sessions, session rates, PA and SA per enrolment
-- (census rule, every enrolment), days lost. Columns possible, attending, authorised,
-- unauthorised and absent, one row per enrolment.
        count(*) as enrolments,
        sum(possible)::bigint as possible_sessions,
        sum(attending)::bigint as attending_sessions,
        sum(authorised)::bigint as authorised_sessions,
        sum(unauthorised)::bigint as unauthorised_sessions,
        pct(sum(attending), sum(possible)) as attendance_rate,
        pct(sum(absent), sum(possible)) as overall_absence_rate,
        pct(sum(authorised), sum(possible)) as authorised_absence_rate,
        pct(sum(unauthorised), sum(possible)) as unauthorised_absence_rate,
        count(*) filter (where is_persistent_absentee(absent, possible)) as pa_enrolments,
        pct(count(*) filter (where is_persistent_absentee(absent, possible)), count(*))
            as persistent_absence_rate,
        count(*) filter (where is_severe_absentee(absent, possible)) as sa_enrolments,
        pct(count(*) filter (where is_severe_absentee(absent, possible)), count(*))
            as severe_absence_rate,
        days_lost(sum(absent)) as days_lost
