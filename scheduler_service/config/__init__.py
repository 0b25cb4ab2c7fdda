"""Configuration: TOML -> validated, typed :class:`Config`."""

from scheduler_service.config.loader import load_config, parse_config
from scheduler_service.config.patterns import PRESETS
from scheduler_service.config.schema import Config

__all__ = ["PRESETS", "Config", "load_config", "parse_config"]
