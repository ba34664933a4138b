"""Sound for blind and low-vision citizens: earcons made on the fly (a bump, footsteps by surface,
a guiding beacon, an alarm), placed in space by direction and distance, and one mixer that plays
them together with speech, so a footstep never cuts off a sentence. Mono audio sums both ears, for
people who hear with one ear.

Spatial placement is done here (equal-power panning by bearing, a softer, duller sound behind,
distance attenuation) rather than by the engine's 3D audio, so it sounds the same through any
output and can be checked sample by sample.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from metaseoul.errors import NotInstalled
from metaseoul.i18n import _

RATE = 22050  # espeak-ng speaks at this rate; everything is mixed at it
BLOCK = 1024  # frames per write: about 46 ms of latency
log = logging.getLogger(__name__)
SURFACES = {"grass": (900.0, 0.5), "paving": (2600.0, 0.9), "stone": (3200.0, 1.0), "wood": (1400.0, 0.8),
            "water": (700.0, 0.6), "asphalt": (2000.0, 0.8), "plain": (1800.0, 0.8)}  # (brightness Hz, loudness)


@dataclass(frozen=True)
class Placement:
    bearing: float  # degrees clockwise from straight ahead
    distance: float  # metres


def _envelope(n: int, attack: float, decay: float) -> np.ndarray:
    t = np.arange(n) / RATE
    return np.minimum(1.0, t / max(attack, 1e-4)) * np.exp(-t / decay)


def _lowpass(signal: np.ndarray, cutoff: float) -> np.ndarray:
    alpha = 1 - math.exp(-2 * math.pi * cutoff / RATE)
    out = np.empty_like(signal)
    acc = 0.0
    for i, x in enumerate(signal):  # one pole: short sounds only
        acc += alpha * (x - acc)
        out[i] = acc
    return out


@lru_cache(maxsize=None)
def earcon(name: str, seed: int = 0) -> np.ndarray:
    """A short sound as float samples in -1..1: ``bump``, ``beacon``, ``arrived``, ``alarm`` or
    ``footstep-SURFACE`` (grass, paving, stone, wood, water, asphalt, plain). Made once, read-only."""
    sound = _make(name, seed)
    sound.setflags(write=False)
    return sound


def _make(name: str, seed: int) -> np.ndarray:
    if name == "bump":
        n = int(0.12 * RATE)
        t = np.arange(n) / RATE
        return 0.9 * np.sin(2 * np.pi * (140 - 200 * t) * t) * _envelope(n, 0.002, 0.03)
    if name == "beacon":
        n = int(0.16 * RATE)
        t = np.arange(n) / RATE
        return 0.6 * (np.sin(2 * np.pi * 880 * t) + 0.3 * np.sin(2 * np.pi * 1760 * t)) * _envelope(n, 0.004, 0.05)
    if name == "arrived":
        parts = [0.5 * np.sin(2 * np.pi * f * np.arange(int(0.15 * RATE)) / RATE) * _envelope(int(0.15 * RATE), 0.005, 0.08)
                 for f in (660, 880, 1320)]
        return np.concatenate(parts)
    if name == "alarm":
        tone = [0.7 * np.sign(np.sin(2 * np.pi * f * np.arange(int(0.25 * RATE)) / RATE)) for f in (960, 770)]
        return np.concatenate(tone * 2)
    if name.startswith("footstep-"):
        brightness, loudness = SURFACES.get(name.split("-", 1)[1], SURFACES["plain"])
        n = int(0.09 * RATE)
        noise = np.random.default_rng(seed).uniform(-1, 1, n)
        return loudness * 0.6 * _lowpass(noise, brightness) * _envelope(n, 0.001, 0.018) * (4000 / brightness) ** 0.3
    raise ValueError(f"no earcon {name!r}")


def place(sound: np.ndarray, where: Placement | None, mono: bool = False) -> np.ndarray:
    """Stereo float samples (n, 2): panned by bearing, duller behind, quieter far away."""
    if where is None:
        stereo = np.stack([sound, sound], axis=1) * math.sqrt(0.5)
    else:
        bearing = math.radians(where.bearing)
        pan = math.sin(bearing)  # -1 left … 1 right
        left, right = math.cos((pan + 1) * math.pi / 4), math.sin((pan + 1) * math.pi / 4)
        if math.cos(bearing) < 0:  # behind: duller, as the head shadows high sounds
            sound = _lowpass(_lowpass(sound, 800.0), 800.0) * 1.6
        gain = 1.0 / (1.0 + max(where.distance, 0.0) / 10.0)
        stereo = np.stack([sound * left, sound * right], axis=1) * gain
    if mono:
        stereo = np.repeat(stereo.mean(axis=1, keepdims=True), 2, axis=1)
    return stereo


class AudioOut:
    """One output stream fed by a thread that mixes whatever is playing; ``mono`` applies to all."""

    def __init__(self, mono: bool = False, device: str = ""):
        """``device``: an output's name as the launcher lists it; empty, or not found, is the default one."""
        self.mono = mono
        self._voices: list[list] = []  # [stereo samples (n, 2) or None until placed, position, tag, (sound, where)]
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.dead = False  # the device failed: sounds are dropped, captions carry on
        self._stream = _open_stream(device)
        threading.Thread(target=self._run, name="metaseoul-audio", daemon=True).start()

    def play(self, sound: np.ndarray, where: Placement | None = None, tag: str = "") -> None:
        """Start ``sound`` (float mono samples at RATE); a sound with a tag replaces the one playing under it."""
        if self.dead:
            return
        with self._lock:  # placed in space by the mixer thread, not the caller's (the frame loop)
            if tag:
                self._voices = [v for v in self._voices if v[2] != tag]
            self._voices.append([None, 0, tag, (sound, where)])
        self._wake.set()

    def stop(self, tag: str) -> None:
        with self._lock:
            self._voices = [v for v in self._voices if v[2] != tag]

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._voices)

    def _run(self) -> None:
        silence = np.zeros((BLOCK, 2), dtype=np.float32)
        while True:
            if not self.busy:
                self._wake.wait(0.5)
                self._wake.clear()
                if not self.busy:
                    continue
            block = silence.copy()
            with self._lock:
                for voice in self._voices:
                    if voice[0] is None:
                        voice[0] = place(*voice[3])
                    samples, at = voice[0], voice[1]
                    part = samples[at:at + BLOCK]
                    block[:len(part)] += part
                    voice[1] = at + BLOCK
                self._voices = [v for v in self._voices if v[1] < len(v[0])]
            if self.mono:
                block[:] = block.mean(axis=1, keepdims=True)
            try:
                self._stream.write((np.clip(block, -1, 1) * 32000).astype(np.int16))
            except Exception as exc:  # noqa: BLE001 - a device that went away: stay silent, keep the captions
                log.warning("audio output failed: %s", exc)
                self.dead = True
                with self._lock:
                    self._voices = []
                return


def _open_stream(device: str = ""):
    """A blocking stereo int16 stream on ``device`` (or the default): sounddevice (PortAudio), else PyAudio."""
    try:
        import sounddevice

        def stereo(name: str | None):
            return sounddevice.RawOutputStream(samplerate=RATE, channels=2, dtype="int16", blocksize=BLOCK, device=name)

        try:
            stream = stereo(device or None)
        except (ValueError, sounddevice.PortAudioError) as exc:
            if not device:
                raise
            log.warning("audio output %r unusable (%s): using the default one", device, exc)
            stream = stereo(None)
        stream.start()

        class Writer:
            def write(self, block: np.ndarray) -> None:
                stream.write(block.tobytes())
        return Writer()
    except Exception as exc:  # noqa: BLE001 - ImportError, OSError, PortAudioError: try PyAudio
        log.info("sounddevice unavailable (%s): trying PyAudio", exc)
    try:
        import pyaudio
    except ImportError:
        raise NotInstalled(_("no audio output: install the sounddevice or pyaudio package")) from None
    stream = pyaudio.PyAudio().open(format=pyaudio.paInt16, channels=2, rate=RATE, output=True,
                                    frames_per_buffer=BLOCK)

    class PyAudioWriter:
        def write(self, block: np.ndarray) -> None:
            stream.write(block.tobytes())
    return PyAudioWriter()


def open_output(device: str = "") -> AudioOut | None:
    """The sound output, or None (captions only) when there is no device."""
    try:
        return AudioOut(device=device)
    except Exception as exc:  # noqa: BLE001 - PortAudio and PyAudio fail in many ways
        log.warning("no sound: %s", exc)
        return None
