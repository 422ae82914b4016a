-- The funnel-plot parameters the build used for every unit type × ranked or signal indicator
-- × year (pipelines.stats.funnel, written by the screening models): the centre θ₀, the
-- overdispersion estimate and test, and the settings behind them, so a funnel plot draws
-- the build's own limits (pipelines.stats.funnel.funnel_limits) and colours agree with the
-- positions in fct_village_year and fct_cadre_year.
with

screened as (

    {{ screened_indicators() }}

),

final as (

    -- constant within an indicator and year: the primary-key test proves it
    select distinct
        unit_type,
        indicator,
        cast(year as integer) as year,
        role,
        family,
        scale,
        is_case_mix_adjusted,
        funnel_units as units,
        theta0,
        phi,
        tau2,
        is_overdispersed,
        winsor_fraction,
        overdispersion_alpha

    from screened

)

select * from final
