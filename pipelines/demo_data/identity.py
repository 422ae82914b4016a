"""Raw identities that look real: PRC resident ID numbers (GB 11643, ISO 7064 MOD 11-2 check
digit) and "name phone" strings. Built column-wise from digit matrices, so a million of them
cost a few milliseconds."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from pipelines.demo_data.names import GIVEN, SURNAMES, person_name_parts

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
# Mobile prefixes in use around 2009-2011 (and still in use later).
PHONE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        134,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        153,
        158,
        159,
        180,
        186,
        187,
        188,
        189,
    ],
    dtype=np.int64,
)


def check_char(first17: str) -> str:
    """The check character of an 18-character ID number, from its first 17 digits."""
    total = sum(int(c) * int(w) for c, w in zip(first17, ID_WEIGHTS))
    return chr(CHECK_CHARS[total % 11])


def is_valid_id(value: str) -> bool:
    return (
        len(value) == 18
        and value[:17].isdigit()
        and value[17] in "0123456789X"
        and check_char(value[:17]) == value[17]
    )


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) matrix of the decimal digits of `values`, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values.astype(np.int64)[:, None] // powers[None, :]) % 10


def ascii_matrix_to_series(mat: np.ndarray, name: str = "") -> pl.Series:
    """(n, w) uint8 matrix of ASCII bytes -> n strings of length w, without a Python loop."""
    n, w = mat.shape
    data = pa.py_buffer(np.ascontiguousarray(mat, dtype=np.uint8).tobytes())
    offsets = pa.py_buffer(np.arange(0, n * w + 1, w, dtype=np.int32).tobytes())
    arr = pa.Array.from_buffers(pa.string(), n, [None, offsets, data])
    return pl.Series(name, arr)


def id_numbers(
    rng: np.random.Generator,
    region: np.ndarray,
    birth_from: np.datetime64,
    birth_to: np.datetime64,
) -> pl.Series:
    """One ID number per entry of `region` (6-digit administrative codes), with a birth date
    drawn between the two dates and a valid check character."""
    n = region.shape[0]
    span = int((birth_to - birth_from).astype(int))
    birth = birth_from + rng.integers(0, span, size=n).astype("timedelta64[D]")
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    seq = rng.integers(0, 1000, size=n)
    body = np.concatenate(
        [_digits(region, 6), _digits(year, 4), _digits(month, 2), _digits(day, 2), _digits(seq, 3)],
        axis=1,
    )
    check = CHECK_CHARS[(body @ ID_WEIGHTS) % 11]
    mat = np.empty((n, 18), dtype=np.uint8)
    mat[:, :17] = body + ord("0")
    mat[:, 17] = check
    return ascii_matrix_to_series(mat)


def phone_numbers(rng: np.random.Generator, n: int) -> pl.Series:
    prefix = PHONE_PREFIXES[rng.integers(0, len(PHONE_PREFIXES), size=n)]
    rest = rng.integers(0, 100_000_000, size=n)
    mat = np.concatenate([_digits(prefix, 3), _digits(rest, 8)], axis=1) + ord("0")
    return ascii_matrix_to_series(mat.astype(np.uint8))


def chinese_names(rng: np.random.Generator, n: int) -> pl.Series:
    sur, g1, g2 = person_name_parts(rng, n)
    frame = pl.DataFrame(
        {
            "s": pl.Series(list(SURNAMES)).gather(sur),
            "a": pl.Series(list(GIVEN)).gather(g1),
            "b": pl.Series(list(GIVEN)).gather(np.where(g2 < 0, 0, g2)),
            "two": g2 >= 0,
        }
    )
    b = pl.when(pl.col("two")).then(pl.col("b")).otherwise(pl.lit(""))
    return frame.select(pl.concat_str([pl.col("s"), pl.col("a"), b])).to_series()


def name_phone(rng: np.random.Generator, n: int) -> pl.Series:
    """`张三 13912345678`: a name and a mobile number, as registrars type them."""
    frame = pl.DataFrame({"name": chinese_names(rng, n), "phone": phone_numbers(rng, n)})
    return frame.select(pl.concat_str([pl.col("name"), pl.lit(" "), pl.col("phone")])).to_series()


def identities(
    rng: np.random.Generator,
    kind: np.ndarray,
    region: np.ndarray,
    birth_from: np.datetime64,
    birth_to: np.datetime64,
) -> pl.Series:
    """kind per entry: 0 none (null), 1 ID number, 2 name + phone."""
    n = kind.shape[0]
    ids = id_numbers(rng, region, birth_from, birth_to)
    nps = name_phone(rng, n)
    frame = pl.DataFrame({"kind": kind, "id": ids, "np": nps})
    return frame.select(
        pl.when(pl.col("kind") == 1)
        .then(pl.col("id"))
        .when(pl.col("kind") == 2)
        .then(pl.col("np"))
        .otherwise(None)
    ).to_series()
