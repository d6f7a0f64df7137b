-- returns: pupil rows
-- Pupils in the vulnerable cohorts (looked after, child protection plan, child in need, EHCP,
-- young carer) at every school in the viewer's scope, over the period: attendance, PA and SA
-- (per enrolment, DfE's rules), days missed, and the national framework's threshold now.
-- Sorted by need: most days missed first, then the steepest recent fall.
with
-- @include fragments/la_pupil_period.sql
la_candidates as (
    select ekey, false as falling_only
    from la_pupils where cla or cin or cpp or sen_provision = 'E' or young_carer
),
-- @include fragments/la_pupil_rows.sql
final as (
    select * exclude (school_weeks) from la_pupil_rows
)
select * from final
order by days_lost desc, recent_change nulls last, pupil_ref
