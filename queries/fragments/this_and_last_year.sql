-- ---- shared block: the selected period and the same weeks last year, over the viewer's
-- scope (queries.sql_text expands it) ----
-- periods: 'selected' ($week_from..$week_to of $year) and 'last year' ($ly_week_from..
-- $ly_week_to of $year - 1); period_urns: the schools in the viewer's scope; then
-- period_enrolment (fragments/period_enrolment.sql): each enrolment's sessions in each.
-- @include fragments/periods_this_and_last.sql
period_urns as (
    -- the schools whose enrolments are summed: the viewer's scope
    select distinct urn from pupil_year
    where $scope_urns is null or urn in (select unnest($scope_urns))
),
-- @include fragments/period_enrolment.sql
-- ---- end of the shared block ----
