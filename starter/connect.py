"""How every client and worker connects to Temporal: Temporal's own environment configuration.

`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*` and the profile file
(`TEMPORAL_CONFIG_FILE`, `TEMPORAL_PROFILE`) are read by `temporalio.envconfig`; without any of them
the client connects to the local dev server on localhost:7233.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.envconfig import ClientConfig
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from starter.codec import protected_data_converter
from starter.codec_keys import load_codec_settings

DEFAULT_ADDRESS = "localhost:7233"


def data_converter() -> DataConverter:
    """The pydantic data converter every client and worker uses, with readable errors.

    With `GUIDANCE_CODEC_KEYS` set, it also encrypts every payload (starter/codec.py), so Temporal's
    history holds ciphertext only; read each time, so a process sees the keys its environment has.

    Raises:
        starter.codec_keys.CodecKeyError: The keys are malformed.
    """
    return protected_data_converter(load_codec_settings().keys)


def connect_config(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for `Client.connect` from the environment, with `overrides` applied."""
    config: dict[str, Any] = dict(ClientConfig.load_client_connect_config())
    config.setdefault("target_host", DEFAULT_ADDRESS)
    config.update(overrides)
    config["data_converter"] = data_converter()
    return config


def metrics_runtime(host: str, port: int) -> Runtime:
    """A Temporal runtime that serves the SDK's metrics for Prometheus on http://host:port/metrics."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"{host}:{port}")))


async def connect(**overrides: Any) -> Client:
    """A client connected as the environment says (see the module docstring)."""
    return await Client.connect(**connect_config(**overrides))
