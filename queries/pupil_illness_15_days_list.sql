-- returns: pupil rows
-- Pupils absent through illness (code I) for 15 days (30 sessions) or more this year:
-- the LA must arrange education for a child who will miss 15 days or more through illness.
-- Rule: illness sessions in the academic year up to $week_to >= 30.
-- Population, pseudonyms and the shared columns: fragments/pupil_list_head.sql and _tail.sql.
with
-- @include fragments/pupil_list_head.sql
year_illness as (
    select urn, pupil_id, sum(illness) as illness_sessions_this_year
    from weeks group by urn, pupil_id
),
listed as (
    select urn, pupil_id, illness_sessions_this_year,
        days_lost(illness_sessions_this_year) as illness_days_this_year
    from year_illness
    where illness_sessions_this_year >= 30
),
-- @include fragments/pupil_list_tail.sql
