-- One school's absence by reason over the selected period: sessions, days (sessions / 2),
-- % of possible sessions, share of all absence (%), the same weeks last year (%) and the
-- LA's schools of the same phase (%, an aggregate). Compulsory school age.
-- la_rate is NULL unless at least 3 schools other than this one had possible sessions
-- in the period (fewer would let a head subtract their own figures and recover another
-- school's; see school_headline.sql).
with
-- @include fragments/school_and_its_phase.sql
sessions as (
    -- compulsory school age (an enrolment whose weeks hold no possible session adds nothing)
    select case when urn = $urn then period else 'la ' || period end as period,
        sum(possible) as possible,
        sum(authorised + unauthorised) as absent,
        count(distinct urn) filter (where possible > 0) as schools,
-- @include fragments/reason_sums.sql
    from period_enrolment
    where compulsory_age and phase = (select phase from school)
    group by all
),
long as (
    unpivot sessions
-- @include fragments/reason_columns.sql
    into name reason value reason_sessions
),
final as (
    select reason,
        max(reason_sessions) filter (where period = 'selected') as sessions,
        days_lost(max(reason_sessions) filter (where period = 'selected')) as days_lost,
        pct(max(reason_sessions) filter (where period = 'selected'),
            max(possible) filter (where period = 'selected')) as rate,
        pct(max(reason_sessions) filter (where period = 'selected'),
            max(absent) filter (where period = 'selected')) as share_of_absence,
        pct(max(reason_sessions) filter (where period = 'last year'),
            max(possible) filter (where period = 'last year')) as last_year_rate,
        case when max(schools) filter (where period = 'la selected') >= 3 then
            pct(sum(reason_sessions) filter (where period in ('selected', 'la selected')),
                sum(possible) filter (where period in ('selected', 'la selected')))
        end as la_rate
    from long
    group by reason
    having max(reason_sessions) filter (where period = 'selected') is not null
)
select * from final order by rate desc nulls last, reason
