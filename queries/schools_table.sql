-- Every school in the viewer's scope with its figures for the selected period and the
-- same weeks last year: roll, attendance, overall / authorised / unauthorised absence
-- (% of possible sessions), persistent absence (PA, 10%+ missed) and severe absence
-- (SA, 50%+) as rates (% of enrolments) and numbers, change on last year (points),
-- FSM and SEN shares (% of enrolments).
-- Population for the rates: enrolments of compulsory school age (pupil_year.compulsory_age)
-- with possible sessions in the period, as DfE. `roll` counts every enrolment (all ages)
-- with possible sessions in the period.
-- Area: the ward of the school's location = the ward of the nearest LSOA 2021 centre
-- point in the LA (reference lsoa21) to the school's latitude / longitude.
-- Filters: $phase, $school_type, $ward (NULL = all).
with
-- @include fragments/this_and_last_year.sql
enrolment as (
    -- every enrolment with possible sessions in the period (roll), with compulsory_age
    select period, urn, compulsory_age, fsm, sen_provision, possible,
        present + aea as attending, authorised, unauthorised
    from period_enrolment
    where possible > 0
),
by_school as (
    select urn,
        count(*) filter (where period = 'selected') as roll,
        count(*) filter (where period = 'selected' and compulsory_age) as enrolments,
        sum(possible) filter (where period = 'selected' and compulsory_age) as possible_sessions,
        sum(attending) filter (where period = 'selected' and compulsory_age) as attending_sessions,
        sum(authorised) filter (where period = 'selected' and compulsory_age) as authorised_sessions,
        sum(unauthorised) filter (where period = 'selected' and compulsory_age) as unauthorised_sessions,
        count(*) filter (where period = 'selected' and compulsory_age
                         and is_persistent_absentee(authorised + unauthorised, possible)) as pa_enrolments,
        count(*) filter (where period = 'selected' and compulsory_age
                         and is_severe_absentee(authorised + unauthorised, possible)) as sa_enrolments,
        count(*) filter (where period = 'selected' and compulsory_age and fsm) as fsm_enrolments,
        count(*) filter (where period = 'selected' and compulsory_age
                         and sen_provision in ('E', 'K')) as sen_enrolments,
        count(*) filter (where period = 'last year' and compulsory_age) as ly_enrolments,
        sum(possible) filter (where period = 'last year' and compulsory_age) as ly_possible,
        sum(authorised + unauthorised) filter (where period = 'last year' and compulsory_age) as ly_absent,
        count(*) filter (where period = 'last year' and compulsory_age
                         and is_persistent_absentee(authorised + unauthorised, possible)) as ly_pa_enrolments
    from enrolment
    group by urn
),
-- @include fragments/school_ward.sql
final as (
    select b.urn, s.school_name, s.phase, s.establishment_type,
        coalesce(sw.ward_name, 'Not known') as ward_name,
        b.roll, b.enrolments,
        pct(b.attending_sessions, b.possible_sessions) as attendance_rate,
        pct(b.authorised_sessions + b.unauthorised_sessions, b.possible_sessions) as overall_absence_rate,
        pct(b.authorised_sessions, b.possible_sessions) as authorised_absence_rate,
        pct(b.unauthorised_sessions, b.possible_sessions) as unauthorised_absence_rate,
        b.pa_enrolments,
        pct(b.pa_enrolments, b.enrolments) as persistent_absence_rate,
        b.sa_enrolments,
        pct(b.sa_enrolments, b.enrolments) as severe_absence_rate,
        -- change on the same weeks last year, in percentage points
        pct(b.authorised_sessions + b.unauthorised_sessions, b.possible_sessions)
            - pct(b.ly_absent, b.ly_possible) as overall_absence_change,
        pct(b.pa_enrolments, b.enrolments) - pct(b.ly_pa_enrolments, b.ly_enrolments) as pa_rate_change,
        pct(b.fsm_enrolments, b.enrolments) as fsm_share,
        pct(b.sen_enrolments, b.enrolments) as sen_share,
        days_lost(b.authorised_sessions + b.unauthorised_sessions) as days_lost
    from by_school b
    join schools s using (urn)
    left join school_ward sw using (urn)
    where b.enrolments > 0
      and ($phase is null or s.phase = $phase)
      and ($school_type is null or s.establishment_type = $school_type)
      and ($ward is null or coalesce(sw.ward_name, 'Not known') = $ward)
)
select * from final
order by school_name
