"""pytest configuration: the report runner's fixture notebooks are inputs, not tests; each
test starts without the analysis a process keeps in memory (``pipeline.forget``), as a new
process would, and ends when its background writes (table cache, memo, data files) have."""

import pytest

collect_ignore_glob = ["notebooks_fixture/*"]


@pytest.fixture(autouse=True)
def _no_kept_analysis():
    from warmcall.ingest import cache
    from warmcall.model import memo, pipeline
    from warmcall.present import datafiles

    pipeline.forget()
    yield
    cache.wait_writes()
    memo.wait()  # what a test queued in the background lands in its own folders, not later
    datafiles.finish_writes()
    pipeline.forget()
