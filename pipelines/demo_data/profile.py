"""The two settings of one generator: the Dafeng-like county of 2009-2011 and, for large N,
a province of about 20,000 villages over ten years. Only sizes, years and the channel mix of
the era differ; the process (pipelines.demo_data.process) is the same code."""

from __future__ import annotations

from dataclasses import dataclass, field

# Codes of the contract vocabularies (validated against seeds/vocabularies.csv by the tests).
CHANNELS = ("letter", "visit", "phone", "online", "sms", "email", "fax", "weibo", "qq", "other")
CATEGORIES = ("accusation", "appeal", "suggestion", "out_of_scope", "no_content")
SUBJECTS = (
    "land_compensation",
    "demolition",
    "rural_funds",
    "village_affairs",
    "work_style",
    "corruption",
    "law_litigation",
    "labour_social",
    "environment",
    "other",
)
LEVELS = ("village", "town", "county", "city", "province", "central")
RANKS = ("county_level", "section_level", "general", "village_cadre", "other")
ABNORMAL = (
    "beijing_non_reception",
    "besiege_office",
    "block_vehicle",
    "illegal_gathering",
    "dangerous_items",
    "stay_make_trouble",
    "self_harm",
    "incite",
    "no_representatives",
    "other",
)
DISPOSITIONS = (
    "talk_inquiry",
    "preliminary_verification",
    "shelved",
    "closed_no_action",
    "transferred_investigation",
)
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")
EVENT_TYPES = (
    "accepted",
    "assigned",
    "extended",
    "disposed",
    "case_opened",
    "concluded",
    "feedback",
    "rated",
    "published",
    "assisted",
    "ceased",
    "review_requested",
    "re_review_requested",
)
ROLES = ("lead", "responsible")
YES_NO = ("yes", "no")
DETAILS_DAYS = ("15", "30")  # extension days granted

# Relative volume by calendar month: the Spring Festival lull, the spring sessions and the
# run-up to National Day.
MONTH_WEIGHTS = (0.88, 0.72, 1.12, 1.03, 1.0, 0.98, 1.02, 0.96, 1.08, 1.0, 1.06, 1.1)


@dataclass(frozen=True)
class Profile:
    kind: str  # "county" | "province"
    first_year: int
    n_years: int
    case_prefix: str
    seq_width: int
    default_items: int
    # volume by year: weight exp(volume_trend * t), t = years since first_year
    volume_trend: float
    # channel mix: base weight in the first year, log-slope per year, first year of use
    channel_base: dict[str, float]
    channel_trend: dict[str, float]
    channel_from: dict[str, int] = field(default_factory=dict)
    # real-name share: logit shift per year (rising)
    real_name_shift: float = 0.0
    real_name_slope: float = 0.3
    # rare events per item in the first year, falling by `trouble_decay` a year
    skip_rate: float = 0.018
    collective_rate: float = 0.009
    abnormal_rate: float = 0.005
    trouble_decay: float = 0.6
    # items lodged at no village (county organs, enterprises, no address given)
    organ_share: float = 0.17
    # hot-spot villages: share of villages and their rate multiplier
    hot_share: float = 0.018
    hot_multiplier: tuple[float, float] = (4.0, 6.0)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(self.first_year + i for i in range(self.n_years))

    @property
    def last_year(self) -> int:
        return self.first_year + self.n_years - 1


COUNTY = Profile(
    kind="county",
    first_year=2009,
    n_years=3,
    case_prefix="DF",
    seq_width=6,
    default_items=3600,
    volume_trend=-0.11,
    # 畅信疏访: letters up, visits down, online channels emerging.
    channel_base={
        "letter": 0.43,
        "visit": 0.28,
        "phone": 0.09,
        "online": 0.09,
        "sms": 0.03,
        "email": 0.03,
        "fax": 0.015,
        "weibo": 0.004,
        "qq": 0.012,
        "other": 0.009,
    },
    channel_trend={
        "letter": 0.13,
        "visit": -0.16,
        "phone": -0.05,
        "online": 0.2,
        "sms": 0.05,
        "email": 0.1,
        "fax": -0.25,
        "weibo": 0.9,
        "qq": 0.2,
        "other": 0.0,
    },
    channel_from={"weibo": 2010},
    real_name_shift=0.05,
    real_name_slope=0.5,
    skip_rate=0.02,
    collective_rate=0.011,
    abnormal_rate=0.007,
    trouble_decay=0.5,
    organ_share=0.24,
)

PROVINCE = Profile(
    kind="province",
    first_year=2016,
    n_years=10,
    case_prefix="JS",
    seq_width=8,
    default_items=1_000_000,
    volume_trend=-0.03,
    # a later era: online reporting platforms carry the largest share, letters still lead visits.
    channel_base={
        "letter": 0.30,
        "visit": 0.17,
        "phone": 0.12,
        "online": 0.30,
        "sms": 0.02,
        "email": 0.02,
        "fax": 0.003,
        "weibo": 0.015,
        "qq": 0.01,
        "other": 0.012,
    },
    channel_trend={
        "letter": -0.02,
        "visit": -0.1,
        "phone": -0.03,
        "online": 0.06,
        "sms": -0.1,
        "email": -0.05,
        "fax": -0.3,
        "weibo": -0.05,
        "qq": -0.15,
        "other": 0.0,
    },
    real_name_shift=0.5,
    real_name_slope=0.08,
    skip_rate=0.012,
    collective_rate=0.006,
    abnormal_rate=0.003,
    trouble_decay=0.9,
    organ_share=0.2,
    hot_share=0.01,
)

COUNTY_MAX_ITEMS = 20_000
MAX_ITEMS = 10_000_000
