"""The errors a citizen can be shown, each carrying the exit code of the ``metaseoul`` command.

Three kinds, as the README lists them: 1 what was given to use or check does not hold up (a scene
file), 2 the command was asked wrongly (a bad argument, a scene, view or user that does not
exist), 3 this computer's set-up stops the command (no display, no OpenGL, something not
installed, an unreachable backend, a bad kiosk configuration). The message is the whole
explanation; the command prints it as ``metaseoul: <message>``.

The exit-3 kinds are also RuntimeErrors and UnknownName a LookupError, so that code which caught
those before this hierarchy existed keeps working.
"""

from __future__ import annotations


class MetaseoulError(Exception):
    """A problem with a sentence for the citizen; ``exit_code`` is what the command exits with."""

    exit_code = 1


class InvalidContent(MetaseoulError):
    """A file or document that cannot be used as it is (a scene, a sign lexicon)."""

    exit_code = 1


class UsageError(MetaseoulError):
    """The command was asked for wrongly: a bad argument."""

    exit_code = 2


class UnknownName(UsageError, LookupError):
    """Something asked for by name (a scene, a view, a spawn, a user) that does not exist; the
    message says what does."""


class SetupProblem(MetaseoulError, RuntimeError):
    """What this computer lacks or is configured with stops the command."""

    exit_code = 3


class NoDisplay(SetupProblem):
    """A window was asked for and there is no display to open it on."""


class NoOpenGL(SetupProblem):
    """No OpenGL window, offscreen buffer or context could be made."""


class NotInstalled(SetupProblem):
    """Something this needs is not installed, or not whole: espeak-ng, an audio output package, a font."""


class BackendUnreachable(SetupProblem):
    """The city backend (the built-in one or another) did not start or does not answer properly."""


class BadConfiguration(SetupProblem):
    """A configuration file (the kiosk's) that cannot be used; the message names the setting."""
