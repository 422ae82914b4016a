"""Syllable lists for plausible Chinese personal and place names (all invented combinations).

The place syllables lean towards the coastal Subei flavour of a county like Dafeng
(salt-works names in 灶/团/仓/垛, dykes and creeks in 堤/港/沟/河).
"""

from __future__ import annotations

import numpy as np

# Common surnames, roughly in order of frequency in Jiangsu; weights fall off gently.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华红玉建国文志海生福林荣庆春德宝兵成"
    "祥长根才发金云峰亮东正新元中宏家美凤珍梅琴莲雪小晓丹鹏飞俊波辉斌浩宇佳婷慧颖晨阳"
)

PLACE_FIRST = (
    "东西南北新大小前后中上下三四五六七八九双永万丰富裕兴盛安康和平顺民乐太恒复同仁义忠信"
    "红卫光明朝阳金银龙凤沙盐海草白竹桃"
)
PLACE_SECOND = "河港庄桥团灶仓垛舍墩沟堤坝圩湾洋滩口湖塘田园林家丰华荣兴盛安宁和星光明阳林泉"
TOWN_FIRST = "大小草白刘西南万三新裕丰龙东北黄沈金盐潭古五通"
TOWN_SECOND = "中桥堰驹庄团海盈阳龙丰华港湾河墩灶仓垛集城泽镇口"


def _weights(n: int, decay: float) -> np.ndarray:
    w = np.exp(-decay * np.arange(n))
    return w / w.sum()


SURNAME_P = _weights(len(SURNAMES), 0.035)


def person_name_parts(
    rng: np.random.Generator, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices for n names: surname, first given character, second given character (-1 for
    a one-character given name)."""
    sur = rng.choice(len(SURNAMES), size=n, p=SURNAME_P)
    g1 = rng.integers(0, len(GIVEN), size=n)
    g2 = rng.integers(0, len(GIVEN), size=n)
    single = rng.random(n) < 0.3
    g2 = np.where(single, -1, g2)
    return sur, g1, g2


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """n names as Python strings (for the small tables: cadres)."""
    sur, g1, g2 = person_name_parts(rng, n)
    return [
        SURNAMES[s] + GIVEN[a] + (GIVEN[b] if b >= 0 else "")
        for s, a, b in zip(sur.tolist(), g1.tolist(), g2.tolist())
    ]


def unique_place_names(
    rng: np.random.Generator, n: int, first: str, second: str, suffix: str, taken: set[str]
) -> list[str]:
    """n distinct two-character place names plus a suffix, avoiding names in `taken`."""
    out: list[str] = []
    while len(out) < n:
        a = first[int(rng.integers(len(first)))]
        b = second[int(rng.integers(len(second)))]
        if a == b:
            continue
        name = a + b + suffix
        if name in taken:
            # widen the space with a third character now and then, as real names do
            name = a + b + second[int(rng.integers(len(second)))] + suffix
            if name in taken:
                continue
        taken.add(name)
        out.append(name)
    return out
