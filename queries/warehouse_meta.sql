-- The warehouse's own description: la_code, old_la_code, la_name, data_up_to, built_at, and
-- synthetic: 'true' only while every file ever loaded is one of the demo's own (demo_file_ids),
-- so a real return loaded into a demo warehouse switches demo mode off whatever meta says.
select key, value from meta where key not in ('synthetic', 'demo_file_ids')
union all
select 'synthetic',
    case when coalesce((select value from meta where key = 'synthetic'), '') = 'true'
          and exists (select 1 from load_files)
          and not exists (
              select 1 from load_files
              where not list_contains(
                  string_split(coalesce((select value from meta where key = 'demo_file_ids'), ''), ','),
                  cast(file_id as varchar)))
        then 'true' else 'false' end
