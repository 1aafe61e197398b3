"""Settings: frozen dataclasses in the reference's `startpunkt.*` key layout.

The YAML key of each field is its camelCase name; the environment variable is the full key
upper-cased with every non-alphanumeric character replaced by `_` (SmallRye's rule, so existing
deployments keep working). A key that is unknown or of the wrong type fails start-up with the
key's path and what was expected.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from startpunkt import durations

log = logging.getLogger(__name__)

EXAMPLE_DIRECTORY = str(Path(__file__).resolve().parent.parent / "examples" / "homelab")
"""The bundled example, served when nothing else is configured so a newcomer sees a page."""

_FOREIGN_ROOTS = frozenset({"quarkus"})
"""Top-level keys of the reference's own framework: ignored, so its files load unchanged."""


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key."""


def duration(default: float) -> Any:
    """A field holding seconds, written as `30s`, `500ms`, `5m`, `PT30S` or a number of seconds."""
    return field(default=default, metadata={"duration": True})


@dataclass(frozen=True)
class KindSettings:
    enabled: bool = True
    only_annotated: bool = True
    """The reference's default: a cluster has many Ingresses that are not meant for people."""


@dataclass(frozen=True)
class IstioSettings:
    virtualservice: KindSettings = KindSettings()


@dataclass(frozen=True)
class GatewayApiSettings:
    httproute: KindSettings = KindSettings()


@dataclass(frozen=True)
class SwitchSettings:
    enabled: bool = True


@dataclass(frozen=True)
class NamespaceSelector:
    any: bool = True
    match_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class AvailabilitySettings:
    enabled: bool = True
    interval: float = duration(60.0)
    """Often enough to notice an outage while reading the page; cheap for a homelab."""
    timeout: float = duration(5.0)
    ignore_certificates: bool = False
    up_statuses: tuple[int, ...] = (
        200,
        201,
        202,
        203,
        204,
        205,
        206,
        300,
        301,
        302,
        303,
        304,
        307,
        308,
        401,
        403,
    )
    """401/403 mean the app answers, just not to anonymous probes."""
    concurrency: int = 20


@dataclass(frozen=True)
class ThemeColors:
    body_bg_color: str
    body_color: str
    emphasis_color: str
    text_primary_color: str
    text_accent_color: str


@dataclass(frozen=True)
class ThemeSettings:
    light: ThemeColors = ThemeColors("#F8F6F1", "#696969", "#000000", "#4C432E", "#AA9A73")
    dark: ThemeColors = ThemeColors("#232530", "#696969", "#FAB795", "#FAB795", "#E95678")


@dataclass(frozen=True)
class WebSettings:
    title: str = "Startpunkt"
    root_path: str = "/"
    """The public path prefix of every page, asset, API call and stream (`web.prefix`)."""
    refresh_interval: int = 60
    """Seconds between polls while the live stream is down."""
    github_link: SwitchSettings = SwitchSettings()
    check_for_updates: bool = False
    """Off: the page must work without reaching the internet."""
    search_engine: str = "https://duckduckgo.com/?q={query}"
    theme: ThemeSettings = ThemeSettings()


@dataclass(frozen=True)
class RealtimeSettings:
    enabled: bool = True
    heartbeat_interval: float = duration(30.0)
    """Proxies commonly drop connections idle for 60 s; 30 s keeps streams alive behind them."""
    event_debounce_ms: int = 500
    max_connections: int = 10_000
    """Per process; a worker held 15,000 streams, so 10,000 leaves headroom for REST."""
    max_connections_per_client: int = 20
    client_queue_size: int = 256
    replay_size: int = 1024
    max_stream_lifetime: float = duration(3600.0)
    """Long enough to be rare, short enough that config and load rebalance."""
    retry_ms: int = 1000


@dataclass(frozen=True)
class ManifestSettings:
    enabled: bool | None = None
    """None: on when no cluster is used."""
    directory: str = EXAMPLE_DIRECTORY


@dataclass(frozen=True)
class KubernetesSettings:
    enabled: bool | Literal["auto"] = "auto"
    kubeconfig: str | None = None
    context: str | None = None


@dataclass(frozen=True)
class UrlFromSettings:
    allowed_kinds: tuple[str, ...] = ("Ingress", "Route", "VirtualService", "HTTPRoute", "Service")
    """Never Secret: an Application author must not read what RBAC would hide from them."""


@dataclass(frozen=True)
class Settings:
    default_protocol: str = "http"
    default_language: str = "en-US"
    namespace_selector: NamespaceSelector = NamespaceSelector()
    ingress: KindSettings = KindSettings()
    openshift: KindSettings = KindSettings()
    istio: IstioSettings = IstioSettings()
    gatewayapi: GatewayApiSettings = GatewayApiSettings()
    hajimari: SwitchSettings = SwitchSettings()
    availability: AvailabilitySettings = AvailabilitySettings()
    web: WebSettings = WebSettings()
    realtime: RealtimeSettings = RealtimeSettings()
    manifests: ManifestSettings = ManifestSettings()
    kubernetes: KubernetesSettings = KubernetesSettings()
    url_from: UrlFromSettings = UrlFromSettings()


def camel(name: str) -> str:
    """`event_debounce_ms` → `eventDebounceMs`."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def env_name(path: str) -> str:
    """`startpunkt.realtime.heartbeatInterval` → `STARTPUNKT_REALTIME_HEARTBEATINTERVAL`."""
    return re.sub(r"[^A-Za-z0-9]", "_", path).upper()


def config_path(
    cli_path: str | None = None, environ: Mapping[str, str] = os.environ
) -> Path | None:
    """`--config`, else `STARTPUNKT_CONFIG`, else `./application.yaml` if present."""
    if cli_path:
        return Path(cli_path)
    if environ.get("STARTPUNKT_CONFIG"):
        return Path(environ["STARTPUNKT_CONFIG"])
    local = Path("application.yaml")
    return local if local.is_file() else None


def load(path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the file (if any), apply environment overrides, validate everything."""
    document: Any = {}
    if path is not None:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return from_mapping(document, environ)


def from_mapping(document: Any, environ: Mapping[str, str] = os.environ) -> Settings:
    """Build Settings from a parsed YAML document plus environment overrides."""
    if not isinstance(document, dict):
        raise ConfigError("configuration: expected a mapping with a 'startpunkt' key")
    for key in document:
        if key != "startpunkt" and key not in _FOREIGN_ROOTS:
            raise ConfigError(f"{key}: unknown top-level key (expected 'startpunkt')")
    root = document.get("startpunkt")
    return _build(Settings(), {} if root is None else root, "startpunkt", environ)


def _build(base: Any, values: Any, path: str, environ: Mapping[str, str]) -> Any:
    """`base` (a settings dataclass holding the defaults) with `values` and overrides applied."""
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: expected a mapping, got {_show(values)}")
    hints = typing.get_type_hints(type(base))
    fields = {camel(f.name): f for f in dataclasses.fields(base)}
    for key in values:
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{path}.{key}: unknown key (known here: {known})")
    kwargs: dict[str, Any] = {}
    for key, f in fields.items():
        key_path = f"{path}.{key}"
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            section = values.get(key)
            section = {} if section is None else section
            kwargs[f.name] = _build(getattr(base, f.name), section, key_path, environ)
            continue
        if env_name(key_path) in environ:
            kwargs[f.name] = _convert(environ[env_name(key_path)], hint, f, key_path, from_env=True)
        elif key in values:
            kwargs[f.name] = _convert(values[key], hint, f, key_path, from_env=False)
    return dataclasses.replace(base, **kwargs)


def _convert(value: Any, hint: Any, f: dataclasses.Field, path: str, *, from_env: bool) -> Any:
    """Check or parse one leaf value; environment values arrive as strings."""
    if f.metadata.get("duration"):
        try:
            return durations.parse(value)
        except ValueError:
            raise ConfigError(
                f"{path}: expected a duration like 30s, 500ms, 5m or PT30S, got {_show(value)}"
            ) from None
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin is tuple:
        if from_env and isinstance(value, str):
            items = [part for part in value.split(",") if part.strip()]
        else:
            items = value
        if not isinstance(items, list | tuple):
            raise ConfigError(f"{path}: expected a list, got {_show(value)}")
        item_type = args[0]
        return tuple(
            _scalar(
                v.strip() if isinstance(v, str) else v, item_type, f"{path}[{i}]", from_env=from_env
            )
            for i, v in enumerate(items)
        )
    if origin in (typing.Union, types.UnionType):
        if (value is None or (from_env and value == "")) and type(None) in args:
            return None
        literals = [a for a in args if typing.get_origin(a) is Literal]
        for lit in literals:
            if value in typing.get_args(lit):
                return value
        concrete = [a for a in args if a is not type(None) and typing.get_origin(a) is not Literal]
        expected = " or ".join(
            [_type_name(a) for a in concrete]
            + [repr(v) for lit in literals for v in typing.get_args(lit)]
        )
        for candidate in concrete:
            try:
                return _scalar(value, candidate, path, from_env=from_env)
            except ConfigError:
                continue
        raise ConfigError(f"{path}: expected {expected}, got {_show(value)}")
    return _scalar(value, hint, path, from_env=from_env)


def _scalar(value: Any, kind: type, path: str, *, from_env: bool) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if from_env and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if from_env and isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
    elif kind is str and isinstance(value, str):
        return value
    raise ConfigError(f"{path}: expected {_type_name(kind)}, got {_show(value)}")


def _type_name(kind: Any) -> str:
    return {bool: "a boolean (true/false)", int: "an integer", str: "a string"}.get(kind, str(kind))


def _show(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def public(settings: Settings, version: str) -> dict[str, Any]:
    """The `/api/config` body: what the page may know, nothing more."""
    web, rt = settings.web, settings.realtime
    return {
        "config": {
            "version": version,
            "web": {
                "title": web.title,
                "refreshInterval": web.refresh_interval,
                "showGithubLink": web.github_link.enabled,
                "checkForUpdates": web.check_for_updates,
                "searchEngine": web.search_engine,
            },
            "realtime": {
                "enabled": rt.enabled,
                "heartbeatInterval": rt.heartbeat_interval,
                "eventDebounceMs": rt.event_debounce_ms,
            },
        }
    }
