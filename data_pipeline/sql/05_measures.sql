-- DfE's measures, defined once. Every mart and dashboard query uses these.
-- Rates are percentages of possible sessions; PA and SA compare integers so
-- that exactly 10% (or 50%) counts.
create or replace macro pct(num, den) as
    case when den > 0 then 100.0 * num / den end;
create or replace macro is_persistent_absentee(absent, possible) as
    possible > 0 and 10 * absent >= possible;
create or replace macro is_severe_absentee(absent, possible) as
    possible > 0 and 2 * absent >= possible;
-- Days lost: two sessions make a school day.
create or replace macro days_lost(absent) as absent / 2.0;
-- DfE's daily collection counts PA and SA over enrolments with more than 10 possible
-- sessions (catalogue: pa_rule.daily.min_possible = 11); the census over every enrolment.
create or replace macro counts_for_daily_pa(possible) as possible >= 11;
