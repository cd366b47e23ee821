"""pytest configuration: the report runner's fixture notebooks are inputs, not tests; each
test starts without the analysis a process keeps in memory (``pipeline.forget``), as a new
process would."""

import pytest

collect_ignore_glob = ["notebooks_fixture/*"]


@pytest.fixture(autouse=True)
def _no_kept_analysis():
    from warmcall.model import pipeline

    pipeline.forget()
    yield
    pipeline.forget()
