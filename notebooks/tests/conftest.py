"""Fixtures: the real MiniLM artifacts that tests/.../consume/MiniLmConsumerFixture builds in the same `mvn verify`.

Run them through Maven (PythonConsumersTest sets ASG_TEST_DIR), or point ASG_TEST_DIR at a directory holding the
same files. Without it every test errors: Python tests must never skip silently.
"""
import os
import sys
from pathlib import Path

import pytest
import torch  # noqa: F401  (fail loudly at collection when torch is missing)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@pytest.fixture(scope="session")
def fx():
    d = os.environ.get("ASG_TEST_DIR")
    if not d or not Path(d).is_dir():
        pytest.fail("ASG_TEST_DIR is not set to the consumer fixture directory; run "
                    "mvn -B -ntp verify -pl tests -am -Dtest=PythonConsumersTest -Dsurefire.failIfNoSpecifiedTests=false")
    return Path(d)
