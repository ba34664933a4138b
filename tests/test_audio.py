"""Earcons, their placement in space, mono audio, and the mixer playing into a real (file) ALSA
device."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from metaseoul.accessibility.audio import RATE, Placement, earcon, place


def centroid(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    return float((spectrum * freqs).sum() / spectrum.sum())


def high_share(samples: np.ndarray, above: float = 1300.0) -> float:
    """How much of the sound's energy lies above ``above`` Hz."""
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    return float(spectrum[freqs > above].sum() / spectrum.sum())


def energy(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples ** 2)))


def test_earcons_are_short_and_audible():
    for name in ("bump", "beacon", "arrived", "alarm", "footstep-grass", "footstep-stone"):
        sound = earcon(name)
        assert 0.05 < len(sound) / RATE < 1.5 and np.abs(sound).max() > 0.2, name
    with pytest.raises(ValueError):
        earcon("trumpet")


def test_footsteps_sound_like_their_surface():
    assert centroid(earcon("footstep-grass")) < centroid(earcon("footstep-wood")) < centroid(earcon("footstep-stone"))


@pytest.mark.parametrize("bearing, louder", [(-90, 0), (90, 1), (-45, 0), (60, 1)])
def test_sounds_come_from_their_side(bearing, louder):
    stereo = place(earcon("beacon"), Placement(bearing, 5))
    assert energy(stereo[:, louder]) > 2 * energy(stereo[:, 1 - louder])


def test_behind_is_duller_far_is_quieter_and_mono_is_the_same_in_both_ears():
    beacon = earcon("beacon")
    front, behind = place(beacon, Placement(10, 5)), place(beacon, Placement(170, 5))
    assert high_share(behind.sum(axis=1)) < 0.5 * high_share(front.sum(axis=1))
    assert energy(place(beacon, Placement(0, 80))) < 0.3 * energy(place(beacon, Placement(0, 2)))
    mono = place(beacon, Placement(90, 5), mono=True)
    assert np.allclose(mono[:, 0], mono[:, 1]) and energy(mono) > 0.01


PLAYER = """
import time, numpy as np
from metaseoul.accessibility.audio import AudioOut, Placement, earcon
out = AudioOut(mono={mono}, device={device!r})
out.play(earcon("beacon"), Placement(90, 3))
out.play(np.zeros(2205))
time.sleep(0.05)
while out.busy:
    time.sleep(0.05)
time.sleep(0.3)
"""


@pytest.mark.parametrize("mono, device", [(False, ""), (True, ""), (False, "an output that went away")])
def test_the_mixer_plays_into_the_sound_device(tmp_path, mono, device):
    """Also when the chosen output is gone: the default one plays."""
    captured = tmp_path / "out.raw"
    (tmp_path / ".asoundrc").write_text(f'pcm.!default {{ type file slave.pcm "null" file "{captured}" format "raw" }}\n')
    result = subprocess.run([sys.executable, "-c", PLAYER.format(mono=mono, device=device)], capture_output=True, text=True,
                            timeout=60, env=dict(os.environ, HOME=str(tmp_path)))
    assert result.returncode == 0, result.stderr[-2000:]
    data = np.frombuffer(captured.read_bytes(), dtype="<i2").reshape(-1, 2).astype(float)
    assert len(data) > 0.15 * RATE and np.abs(data).max() > 3000
    left, right = energy(data[:, 0]), energy(data[:, 1])
    if mono:
        assert left == pytest.approx(right, rel=0.01)
    else:
        assert right > 3 * left, "a beacon on the right is heard on the right"
