"""Speech for audio description: text to samples with espeak-ng (offline Korean and English) or
the system's voice through pyttsx3 where it is installed, out through sounddevice (PortAudio), or
PyAudio where sounddevice is missing, or into a WAV file."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from metaseoul.errors import NotInstalled
from metaseoul.i18n import _

VOICES = {"ko": "ko", "en": "en-gb"}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # int16, mono
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    def at_rate(self, rate: int) -> np.ndarray:
        """Float samples in -1..1 at ``rate`` (for mixing with other sounds)."""
        samples = self.samples.astype(np.float32) / 32768.0
        if rate == self.rate:
            return samples
        positions = np.arange(int(len(samples) * rate / self.rate)) * self.rate / rate
        return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)

    def write_wav(self, path: Path) -> None:
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.rate)
            out.writeframes(self.samples.astype("<i2").tobytes())


class EspeakEngine:
    """espeak-ng as a subprocess: no network, Korean and English voices, fast on any CPU."""

    def __init__(self, words_per_minute: int = 160):
        self.program = shutil.which("espeak-ng")
        if self.program is None:
            raise NotInstalled(_("speech needs espeak-ng: install the espeak-ng package"))
        self.words_per_minute = words_per_minute

    def say(self, text: str, lang: str) -> Speech:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "speech.wav"
            subprocess.run([self.program, "-v", VOICES.get(lang, "en-gb"), "-s", str(self.words_per_minute),
                            "-w", str(path), "--stdin"], input=text.encode("utf-8"), check=True,
                           capture_output=True, timeout=120)  # on stdin: text starting with "-" is not an option
            with wave.open(str(path)) as wav:
                frames = wav.readframes(wav.getnframes())
                return Speech(np.frombuffer(frames, dtype="<i2").copy(), wav.getframerate())


class SystemVoiceEngine:
    """The operating system's voice through pyttsx3 (SAPI5 on Windows, NSSpeechSynthesizer on macOS,
    eSpeak on Linux), written to a WAV file and read back."""

    def __init__(self, words_per_minute: int = 160):
        try:
            import pyttsx3

            self.engine = pyttsx3.init()
        except Exception as exc:  # noqa: BLE001 - ImportError, or a driver that cannot start
            raise NotInstalled(_("the system voice is not available ({problem})").format(problem=exc)) from None
        self.engine.setProperty("rate", words_per_minute)

    def say(self, text: str, lang: str) -> Speech:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "speech.wav"
            self.engine.save_to_file(text, str(path))
            self.engine.runAndWait()
            with wave.open(str(path)) as wav:
                frames = wav.readframes(wav.getnframes())
                return Speech(np.frombuffer(frames, dtype="<i2").copy(), wav.getframerate())


def engine(voice: str = "espeak", words_per_minute: int = 160):
    """The chosen speech engine: ``system`` (pyttsx3) where present, else espeak-ng."""
    if voice == "system":
        try:
            return SystemVoiceEngine(words_per_minute)
        except NotInstalled as exc:
            log.warning("%s: using espeak-ng", exc)
    return EspeakEngine(words_per_minute)


def _sounddevice():
    try:
        import sounddevice
    except (ImportError, OSError):  # OSError: the package is there but PortAudio is not
        return None
    return sounddevice


def stop() -> None:
    """Cut off what is playing (sounddevice; PyAudio plays to the end)."""
    device = _sounddevice()
    if device is not None:
        device.stop()


def play(speech: Speech, wait: bool = True) -> None:
    """Play through the default output; ``wait`` until it has been heard."""
    device = _sounddevice()
    if device is not None:
        device.play(speech.samples, speech.rate, blocking=wait)
        return
    try:
        import pyaudio
    except ImportError:
        raise NotInstalled(_("no audio output: install the sounddevice or pyaudio package")) from None
    audio = pyaudio.PyAudio()
    try:
        stream = audio.open(format=pyaudio.paInt16, channels=1, rate=speech.rate, output=True)
        stream.write(speech.samples.astype("<i2").tobytes())
        stream.stop_stream()
        stream.close()
    finally:
        audio.terminate()
