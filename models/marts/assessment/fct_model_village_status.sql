-- The model-village title (和谐信访示范村居) as a status over the years: every known village ×
-- year, named (命名), kept (保留), revoked (摘牌) or not held, with the reason and the
-- evidence (the standard, items to the province or Beijing, accountability flags), the
-- years held and since when (the rule: pipelines.stats.titles).
with

titles as (

    select * from {{ ref('int_village_titles_tracked') }}

),

assessed as (

    select * from {{ ref('int_village_years_assessed') }}

),

final as (

    select
        cast(titles.year as integer) as year,
        titles.village_code,
        assessed.town_code,
        titles.status,
        titles.status_reason,
        titles.is_title_held,
        cast(titles.years_held as integer) as years_held,
        cast(titles.held_since as integer) as held_since,
        assessed.is_meets_standard,
        assessed.is_under_registration_signal,
        assessed.is_insufficient_data,
        cast(titles.to_province_or_central as bigint) as to_province_or_central,
        assessed.accountability_flags,
        assessed.petitions,
        assessed.petitions_per_1k

    from titles
    inner join assessed
        on titles.village_code = assessed.village_code and titles.year = assessed.year

)

select * from final
