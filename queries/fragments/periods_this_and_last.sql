-- periods: 'selected' ($week_from..$week_to of $year) and 'last year' ($ly_week_from..
-- $ly_week_to of $year - 1), for fragments/period_enrolment.sql (queries.sql_text expands it)
periods as (
    select 'selected' as period, $year::integer as academic_year,
           $week_from::date as week_from, $week_to::date as week_to
    union all
    select 'last year', $year::integer - 1, $ly_week_from::date, $ly_week_to::date
),
