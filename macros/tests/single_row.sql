{# The model holds exactly one row (the primary key of a one-row model, e.g. parameters). #}
{% test single_row(model) %}

select count(*) as n_records
from {{ model }}
having count(*) <> 1

{% endtest %}
