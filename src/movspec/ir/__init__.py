"""The IR stage: resolved, typed models, one per variant (see ``nodes``)."""

from .nodes import *  # noqa: F401,F403
