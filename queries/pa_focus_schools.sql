-- Persistent absence (PA: enrolments with 10%+ of possible sessions missed over the
-- period) by school, this period and the same period last year, with the gap to the
-- LA's rate (percentage points). Compulsory school age; phase as filtered.
-- Schools with fewer than $min_count enrolments are left out (suppression).
with
-- @include fragments/this_and_last_year.sql
-- @include fragments/pa_focus_enrolment.sql
grouped as (
    select period, pa, urn as focus, count(*) as n from enrolment group by all
),
-- @include fragments/pa_focus_rates.sql
final as (
    select r.focus as urn, s.school_name, s.phase, r.* exclude (focus)
    from rates r
    left join schools s on s.urn = r.focus
)
select * from final
order by persistent_absence_rate desc, school_name, urn
