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
        {{ zero_filled('counts', [
            'petitions', 'repeat_petitions', 'skip_level_petitions', 'collective_petitions',
            'abnormal_petitions', 'visits', 'visit_person_times',
        ]) }}

    from village_months
    left join counts
        on
            village_months.village_code = counts.village_code
            and village_months.month_start = counts.month_start

)

select * from final
