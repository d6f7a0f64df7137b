-- One row per enrolment per half term of the LA's calendar (school_calendar's half_term_no),
-- from pupil_week: a week's rows go to the half term its school days are in (a half term is
-- a run of school days with no gap of more than 5 days, so no school week is in two; the
-- build's checks require it). A period of whole half terms (a term, a half term) sums these
-- rows, not its weeks (queries/fragments/period_enrolment.sql, la_pupil_period.sql), and the
-- feed's terms sum them by term. A week with no school day in the calendar (no possible
-- session at any school) is in no half term: readers take it from pupil_week.
-- school_weeks: the enrolment's weeks with a possible session in the half term; weeks: its
-- pupil_week rows there.
create or replace table pupil_half_term as
with week_half_term as (
    select distinct academic_year, week_start, half_term_no, term from school_calendar
),
final as (
    select w.academic_year, t.half_term_no, any_value(t.term) as term, w.urn, w.pupil_id, w.ekey,
        (count(*) filter (where w.possible > 0))::integer as school_weeks,
        count(*)::integer as weeks,
        sum(w.possible)::integer as possible, sum(w.present)::integer as present,
        sum(w.late_before_close)::integer as late_before_close, sum(w.aea)::integer as aea,
        sum(w.authorised)::integer as authorised, sum(w.unauthorised)::integer as unauthorised,
        sum(w.late_after_close)::integer as late_after_close, sum(w.illness)::integer as illness,
        sum(w.medical)::integer as medical, sum(w.authorised_holiday)::integer as authorised_holiday,
        sum(w.excluded)::integer as excluded, sum(w.part_time_timetable)::integer as part_time_timetable,
        sum(w.other_authorised)::integer as other_authorised,
        sum(w.unauthorised_holiday)::integer as unauthorised_holiday,
        sum(w.other_unauthorised)::integer as other_unauthorised,
        sum(w.not_yet_known)::integer as not_yet_known
    from {pupil_week} w join week_half_term t using (academic_year, week_start)
    group by w.academic_year, t.half_term_no, w.urn, w.pupil_id, w.ekey
)
select * from final order by academic_year, urn;
