-- Persistent absence (PA, 10%+ of possible sessions missed over the period) by the
-- ward of the pupil's home (home_lsoa -> ward via the reference lsoa21 table), this
-- period and the same period last year, with the gap to the LA's rate (percentage
-- points) and the ward's average IMD decile (1 = most deprived). Compulsory school
-- age; phase as filtered. Wards with fewer than $min_count enrolments are left out.
with
-- @include fragments/this_and_last_year.sql
-- @include fragments/pa_focus_enrolment.sql
placed as (
    select e.period, e.pa, coalesce(l.ward_name, 'Home area not known') as ward_name, l.imd_decile
    from enrolment e
    left join lsoa21 l on l.lsoa21_code = e.home_lsoa
),
grouped as (
    select period, pa, ward_name as focus, count(*) as n from placed group by all
),
-- @include fragments/pa_focus_rates.sql
deprivation as (
    -- the mean IMD decile of the ward's enrolments this period
    select ward_name, avg(imd_decile) as mean_imd_decile
    from placed where period = 'selected' group by ward_name
),
final as (
    select r.focus as ward_name, d.mean_imd_decile, r.* exclude (focus)
    from rates r
    left join deprivation d on d.ward_name = r.focus
)
select * from final
order by persistent_absence_rate desc, ward_name
