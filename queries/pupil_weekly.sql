-- returns: pupil rows
-- One pupil's attendance week by week in academic year $year up to $week_to: sessions by
-- category and attendance % of possible sessions. Found by $pupil_ref at school $urn.
with
-- @include fragments/the_pupil.sql
final as (
    select w.week_start, w.possible, w.present + w.aea as attending, w.authorised, w.unauthorised,
        w.illness, w.late_before_close, w.late_after_close, w.part_time_timetable,
        pct(w.present + w.aea, w.possible) as attendance_rate
    from pupil_week w
    join pupil p using (urn, pupil_id)
    where w.academic_year = $year and w.week_start <= $week_to and w.possible > 0
)
select * from final order by week_start
