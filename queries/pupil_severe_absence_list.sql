-- returns: pupil rows
-- Pupils in severe absence over the selected period: each needs a joint support plan.
-- Rule: is_severe_absentee(absent, possible): 50% or more of possible sessions missed (exactly 50% counts).
-- Population, pseudonyms and the shared columns: fragments/pupil_list_head.sql and _tail.sql.
with
-- @include fragments/pupil_list_head.sql
listed as (
    select urn, pupil_id
    from period_totals
    where is_severe_absentee(absent, possible)
),
-- @include fragments/pupil_list_tail.sql
