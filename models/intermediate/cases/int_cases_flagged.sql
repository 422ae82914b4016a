-- The five indicators' item flags (CONTRACT §3 definitions 4–9).
with

cases as (

    select * from {{ ref('int_cases_scoped') }}

),

links as (

    select * from {{ ref('int_cases_linked_to_same_matter') }}

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

sensitive_periods as (

    select * from {{ ref('sensitive_periods') }}

),

repeats as (

    select distinct case_id from links

),

-- an earlier item on the same matter lodged at or below this item's jurisdiction level:
-- the petitioner went to the competent level first, so this one is not a skip
went_to_competent_level as (

    select distinct links.case_id

    from links
    inner join cases as later_case on links.case_id = later_case.case_id
    inner join cases as earlier_case on links.earlier_case_id = earlier_case.case_id
    where earlier_case.petition_level_rank <= later_case.jurisdiction_level_rank

),

in_sensitive_period as (

    select distinct cases.case_id

    from cases
    inner join sensitive_periods
        on
            strftime(cases.received_date, '%m-%d')
            between sensitive_periods.start_month_day and sensitive_periods.end_month_day
            and (
                sensitive_periods.year is null
                or cases.received_year = sensitive_periods.year
            )

),

final as (

    select
        cases.*,
        repeats.case_id is not null as is_repeat,
        repeats.case_id is null as is_first_time,
        case cases.skip_level
            when 'yes' then true
            when 'no' then false
            else
                cases.petition_level_rank > cases.jurisdiction_level_rank
                and went_to_competent_level.case_id is null
        end as is_skip_level,
        cases.petition_level in ('province', 'central') as is_to_province_or_central,
        cases.channel = 'visit'
        and cases.headcount >= parameters.group_threshold as is_collective,
        cases.abnormal_behaviour is not null as is_abnormal,
        in_sensitive_period.case_id is not null as is_in_sensitive_period

    from cases
    cross join parameters
    left join repeats on cases.case_id = repeats.case_id
    left join went_to_competent_level
        on cases.case_id = went_to_competent_level.case_id
    left join in_sensitive_period on cases.case_id = in_sensitive_period.case_id

)

select * from final
