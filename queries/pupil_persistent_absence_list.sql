-- returns: pupil rows
-- Pupils in persistent absence over the selected period: pupils who need support.
-- Rule: is_persistent_absentee(absent, possible): 10% or more of possible sessions missed (exactly 10% counts).
-- Population, pseudonyms and the shared columns: fragments/pupil_list_head.sql and _tail.sql.
with
-- @include fragments/pupil_list_head.sql
listed as (
    select urn, pupil_id, is_severe_absentee(absent, possible) as also_severely_absent
    from period_totals
    where is_persistent_absentee(absent, possible)
),
-- @include fragments/pupil_list_tail.sql
