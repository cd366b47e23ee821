"""pytest configuration: the report runner's fixture notebooks are inputs, not tests."""

collect_ignore_glob = ["notebooks_fixture/*"]
