-- Persistent absence (PA: enrolments with 10%+ of possible sessions missed over the
-- period) by school, this period and the same period last year, with the gap (percentage
-- points) to the rate of the LA's schools of its phase (la_pa_rate, named in la_group): a
-- special school beside every phase's pupils would not compare like with like. Compulsory
-- school age; phase as filtered.
-- Schools with fewer than $min_count enrolments are left out (suppression).
with
-- @include fragments/this_and_last_year.sql
-- @include fragments/pa_focus_enrolment.sql
grouped as (
    select period, pa, urn as focus, count(*) as n from enrolment group by all
),
-- @include fragments/pa_focus_rates.sql
phase_rates as (
    select phase, pct(count(*) filter (where pa), count(*)) as phase_pa_rate
    from enrolment where period = 'selected' group by phase
),
school_phase as (
    select distinct urn, phase from enrolment
),
final as (
    select r.focus as urn, s.school_name, h.phase,
        r.* exclude (focus, la_pa_rate, gap_to_la),
        f.phase_pa_rate as la_pa_rate,
        r.persistent_absence_rate - f.phase_pa_rate as gap_to_la,
        'the LA''s ' || lower(h.phase) || ' schools' as la_group
    from rates r
    join school_phase h on h.urn = r.focus
    left join phase_rates f using (phase)
    left join schools s on s.urn = r.focus
)
select * from final
order by persistent_absence_rate desc, school_name, urn
