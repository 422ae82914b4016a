"""Errors the command line turns into one clear line and an exit status."""


class XinfangError(Exception):
    """A problem the user can act on. exit_code follows CONTRACT §1 (1 problem found, 2 bad input)."""

    exit_code = 2


class UsageError(XinfangError):
    exit_code = 2


class CheckFailed(XinfangError):
    exit_code = 1


class NothingPublished(UsageError):
    """`check`, `query` and `export` before the first publish: one message, exit 2 (the
    commands were used before `xinfang build`, CONTRACT §1)."""

    def __init__(self) -> None:
        from pipelines.labels import from_files

        super().__init__(from_files().both("text.no_build"))
