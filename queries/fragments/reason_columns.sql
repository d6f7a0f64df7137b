-- ---- shared unpivot list (queries.sql_text expands it): the reasons for absence summed by
-- fragments/reason_sums.sql, one row each ----
    on illness, medical, authorised_holiday, excluded, part_time_timetable, other_authorised,
       unauthorised_holiday, other_unauthorised, not_yet_known, late_after_close
