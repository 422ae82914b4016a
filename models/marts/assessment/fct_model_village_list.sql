-- The model-village list (和谐信访示范村居名单) per year: villages that meet the standard
-- (definition 17) and carry no under-registration signal, with the numbers behind it.
-- A pass/fail list, not a league table: ordered by town and village code.
with

assessed as (

    select * from {{ ref('int_village_years_assessed') }}

),

final as (

    select
        year,
        village_code,
        town_code,
        population,
        petitions,
        petitions_per_1k,
        petitions_per_1k_eb,
        repeat_petitions,
        skip_level_petitions,
        collective_petitions,
        abnormal_petitions,
        first_time_closure_rate,
        satisfaction_rate,
        local_petitions,
        above_county_petitions,
        above_county_petitions_per_1k_funnel,
        is_insufficient_data,
        rank_median,
        rank_low,
        rank_high,
        p_top_decile,
        accountability_flags,
        row_number() over (partition by year order by town_code, village_code) as list_order

    from assessed
    where is_model_village

)

select * from final
