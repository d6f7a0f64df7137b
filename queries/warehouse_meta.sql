-- The warehouse's own description: la_code, old_la_code, la_name, synthetic, data_up_to, built_at.
select key, value from meta
