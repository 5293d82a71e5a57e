"""Errors meant for the user, kept apart from bugs.

A ``UserError`` carries a short, friendly message that a front end shows as it is (CLI: one line on
stderr and a non-zero exit; Discord: an ephemeral reply). Anything else is a bug: logged with its
traceback, shown to users only as a short apology.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a bad set-up that the user can fix. ``exit_code`` is used by the CLI."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadQuestion(UserError):
    """An empty, oversized or otherwise unusable question or topic."""


class SetupError(UserError):
    """Missing corpus, unloadable model, missing token: the program cannot start."""

    exit_code = 2
