-- ---- shared block: one school ($urn, in the viewer's scope), the selected period and the
-- same weeks last year, and every enrolment of the school's phase in the LA in each
-- (period_enrolment), whatever the viewer's scope: the LA comparators pool them, as
-- aggregates only (each including query withholds a comparator of too few schools) ----
school as (
    select urn, school_name, phase from schools
    where urn = $urn and ($scope_urns is null or urn in (select unnest($scope_urns)))
),
-- @include fragments/periods_this_and_last.sql
period_urns as (
    -- every school of this school's phase, whatever the viewer's scope: the LA comparators
    -- pool them (aggregates only, as described above)
    select distinct urn from pupil_year where phase = (select phase from school)
),
-- @include fragments/period_enrolment.sql
-- ---- end of the shared block ----
