-- ---- shared block of the pa_focus_* queries (queries.sql_text expands it), after a CTE
-- `grouped` (period, focus, pa, n): n enrolments in a focus group (a school, a ward, a
-- cohort), with or without PA. rates: PA by group, this period and the same period last year, for the groups
-- of $min_count or more enrolments (suppression); last year's rate where last year's group
-- had $min_count too; the change and the gap to the LA's rate in percentage points.
by_focus as (
    select focus,
        coalesce(sum(n) filter (where period = 'selected'), 0) as enrolments,
        coalesce(sum(n) filter (where period = 'selected' and pa), 0) as pa_enrolments,
        coalesce(sum(n) filter (where period = 'last year'), 0) as last_year_enrolments,
        coalesce(sum(n) filter (where period = 'last year' and pa), 0) as last_year_pa_enrolments
    from grouped group by focus
),
rates as (
    select b.focus, b.enrolments, b.pa_enrolments,
        100.0 * b.pa_enrolments / b.enrolments as persistent_absence_rate,
        case when b.last_year_enrolments >= $min_count
             then 100.0 * b.last_year_pa_enrolments / b.last_year_enrolments end as last_year_rate,
        la.la_pa_rate,
        persistent_absence_rate - last_year_rate as change_on_last_year,
        persistent_absence_rate - la.la_pa_rate as gap_to_la
    from by_focus b cross join la
    where b.enrolments >= $min_count
),
-- ---- end of the shared block ----
