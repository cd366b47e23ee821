"""pytest configuration: the report runner's fixture notebooks are inputs, not tests; each
test starts without the analysis a process keeps in memory (``pipeline.forget``), as a new
process would, and ends when its background memo writes have."""

import pytest

collect_ignore_glob = ["notebooks_fixture/*"]


@pytest.fixture(autouse=True)
def _no_kept_analysis():
    from warmcall.model import memo, pipeline

    pipeline.forget()
    yield
    memo.wait()  # a memo written in the background lands in this test's cache, not later
    pipeline.forget()
