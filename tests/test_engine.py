"""Engine start-up: quality presets leave a citizen's own PRC values alone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PRINT_OPTIONS = ("from metaseoul.runtime import engine; engine.configure(True, quality='low'); "
                 "from panda3d.core import ConfigVariableInt; "
                 "print(engine.SHADOW_SIZE.getValue(), ConfigVariableInt('multisamples').getValue())")


@pytest.mark.parametrize("user_prc, expected", [("", "1024 0"), ("metaseoul-shadow-size 4096\n", "4096 0")])
def test_a_users_prc_value_wins_over_the_quality_preset(tmp_path, user_prc, expected):
    (tmp_path / "user.prc").write_text(user_prc)
    env = dict(os.environ, PANDA_PRC_PATH=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", PRINT_OPTIONS], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.split()[-2:] == expected.split(), result.stderr
