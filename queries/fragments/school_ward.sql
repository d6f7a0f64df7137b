-- ---- shared block: each school's ward, the ward of the LA's LSOA centre nearest to it ----
lsoa_in_la as (
    select ward_name, latitude, longitude
    from lsoa21
    where ward_name is not null
      and utla_code = coalesce((select value from meta where key = 'la_code'), utla_code)
),
school_ward as (
    -- nearest LSOA centre point (equirectangular distance: fine within one LA)
    select s.urn, arg_min(l.ward_name, (l.latitude - s.latitude) ** 2
           + ((l.longitude - s.longitude) * cos(radians(s.latitude))) ** 2) as ward_name
    from schools s cross join lsoa_in_la l
    where s.latitude is not null
    group by s.urn
),
