-- The funnel's control-limit curves for a given LA rate ($la_rate, % of enrolments)
-- from 5 enrolments up to $n_max: p0 ± z * sqrt(p0 * (1 - p0) / n), z = 1.959964 (95%)
-- and 3.090232 (99.8%), normal approximation to the binomial, clipped to 0..100%.
-- No pupil data: pure arithmetic on the two parameters.
with grid as (
    select distinct greatest(5, round(5 * pow($n_max::double / 5, i / 200.0)))::integer as enrolments
    from range(0, 201) t(i)
),
final as (
    select enrolments,
        $la_rate::double as la_pa_rate,
        greatest(0, $la_rate - 1.959964 * 100 * sqrt(($la_rate / 100) * (1 - $la_rate / 100) / enrolments)) as lower_95,
        least(100, $la_rate + 1.959964 * 100 * sqrt(($la_rate / 100) * (1 - $la_rate / 100) / enrolments)) as upper_95,
        greatest(0, $la_rate - 3.090232 * 100 * sqrt(($la_rate / 100) * (1 - $la_rate / 100) / enrolments)) as lower_998,
        least(100, $la_rate + 3.090232 * 100 * sqrt(($la_rate / 100) * (1 - $la_rate / 100) / enrolments)) as upper_998
    from grid
)
select * from final order by enrolments
