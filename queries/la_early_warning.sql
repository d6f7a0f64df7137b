-- returns: pupil rows
-- Early warning across the LA's schools: pupils close to the persistent absence line and
-- getting worse. Rule: absence over the period of at least 7.5% and under 10% of possible
-- sessions (not yet persistently absent), attendance in their last 4 school weeks of the period
-- below their attendance over the whole period (recent_change < 0), and at least 6 school
-- weeks in the period, so that a trend means something.
-- Sorted by need: most days missed first, then the steepest recent fall.
with
-- @include fragments/la_pupil_period.sql
la_candidates as (
    -- the period's band (every pupil's sums); the recent fall is tested next (falling_only)
    select ekey, true as falling_only from la_sums
    where not is_persistent_absentee(absent, possible) and pct(absent, possible) >= 7.5 and school_weeks >= 6
),
-- @include fragments/la_pupil_rows.sql
final as (
    select * exclude (school_weeks) from la_pupil_rows
)
select * from final
order by days_lost desc, recent_change, pupil_ref
