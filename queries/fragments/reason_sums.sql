-- ---- shared select-list lines (queries.sql_text expands them): the sessions of each reason
-- for absence (data_pipeline.codes.REASON_LABELS), summed; the reasons queries unpivot them
-- with fragments/reason_columns.sql ----
        sum(illness) as illness, sum(medical) as medical,
        sum(authorised_holiday) as authorised_holiday, sum(excluded) as excluded,
        sum(part_time_timetable) as part_time_timetable, sum(other_authorised) as other_authorised,
        sum(unauthorised_holiday) as unauthorised_holiday, sum(other_unauthorised) as other_unauthorised,
        sum(not_yet_known) as not_yet_known, sum(late_after_close) as late_after_close
