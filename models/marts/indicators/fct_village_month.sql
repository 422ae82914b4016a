-- Every known village × every month from the first month of data to the month of as_of,
-- zeros included (CONTRACT §4). A village is listed in the months of the years it is known.
with

villages as (

    select * from {{ ref('int_villages_resolved_by_year') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

cases as (

    select * from {{ ref('int_cases_joined') }}

),

village_months as (

    select
        villages.village_code,
        months.month_start

    from villages
    inner join months on villages.year = months.year

),

counts as (

    select
        village_code,
        received_month as month_start,
        {{ five_indicator_counts() }}

    from cases
    where is_known_village
    group by village_code, received_month

),

final as (

    select
        village_months.village_code,
        village_months.month_start,
        coalesce(counts.petitions, 0) as petitions,
        coalesce(counts.repeat_petitions, 0) as repeat_petitions,
        coalesce(counts.skip_level_petitions, 0) as skip_level_petitions,
        coalesce(counts.collective_petitions, 0) as collective_petitions,
        coalesce(counts.abnormal_petitions, 0) as abnormal_petitions,
        coalesce(counts.visits, 0) as visits,
        coalesce(counts.visit_person_times, 0) as visit_person_times

    from village_months
    left join counts
        on
            village_months.village_code = counts.village_code
            and village_months.month_start = counts.month_start

)

select * from final
