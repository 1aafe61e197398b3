"""Settings: frozen dataclasses in the reference's `startpunkt.*` key layout.

The YAML key of each field is its camelCase name; the environment variable is the full key
upper-cased with every non-alphanumeric character replaced by `_` (SmallRye's rule, so existing
deployments keep working). A key that is unknown or of the wrong type fails start-up with the
key's path and what was expected.

Every file any Startpunkt release shipped loads: a field's metadata says what a key of the
reference means here (`maps_to` another key, or `unsupported`: accepted, named in one warning,
otherwise ignored). Keys are described once, in these dataclasses, so a schema or a reference
page can be generated from them.
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

from startpunkt import bundled, durations

log = logging.getLogger(__name__)

EXAMPLE_DIRECTORY = str(bundled.path("examples") / "homelab")
"""The bundled example, served when nothing else is configured so a newcomer sees a page."""

_FOREIGN_ROOTS = frozenset({"quarkus"})
"""Top-level keys of the reference's own framework: ignored, so its files load unchanged."""


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key."""


def duration(default: float | None, **metadata: Any) -> Any:
    """A field holding seconds, written as `30s`, `500ms`, `5m`, `PT30S` or a number of seconds."""
    return field(default=default, metadata={"duration": True, **metadata})


def maps_to(key: str, default: Any = None, **metadata: Any) -> Any:
    """A reference key meaning `key` here (`startpunkt.` left out), unless `key` is given too."""
    return field(default=default, metadata={"maps_to": key, **metadata})


def unsupported(default: Any, why: str) -> Any:
    """A reference key for a feature deliberately not built: accepted, named in one warning."""
    return field(default=default, metadata={"unsupported": why})


def secret(default: str | None = None) -> Any:
    """A value never shown: not in errors, not in the settings' repr."""
    return field(default=default, repr=False, metadata={"secret": True})


@dataclass(frozen=True)
class KindSettings:
    enabled: bool = True
    only_annotated: bool = True
    """The reference's default: a cluster has many Ingresses that are not meant for people."""


@dataclass(frozen=True)
class IngressSettings(KindSettings):
    ingress_class_names: tuple[str, ...] = field(default=(), metadata={"each": "class_name"})
    """Empty: every class. Else only Ingresses of these classes (spec or legacy annotation)."""
    include_unclassified: bool = True
    """Ingresses that name no class are served by the cluster's default controller."""


@dataclass(frozen=True)
class IstioSettings:
    virtualservice: KindSettings = KindSettings()


@dataclass(frozen=True)
class GatewayApiSettings:
    httproute: KindSettings = KindSettings()


@dataclass(frozen=True)
class TraefikSettings:
    ingressroute: KindSettings = KindSettings()


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
    max_retries: int = 5
    """Failures in a row after which a URL that stays down is reported once as a WARNING."""
    initial_delay_ms: int = 5000
    """The first re-probe of a failing URL; soon enough to show a blip as one."""
    max_delay_ms: int | None = None
    """The longest wait between probes of a failing URL; None: `interval`."""
    backoff_multiplier: float = 2.0


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
class CorsSettings:
    allowed_origins: tuple[str, ...] = ()
    """None by default: the API and the stream are for the page served beside them."""


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
    search_engine: str = field(
        default="https://duckduckgo.com/?q={query}", metadata={"normalize": "search_engine"}
    )
    """`{query}` is replaced; a prefix without it (the reference's style) gets the query added."""
    default_show_all_clusters: bool = True
    """With several clusters (`clusters.*`), whether the page starts showing all of them."""
    theme: ThemeSettings = ThemeSettings()
    cors: CorsSettings = CorsSettings()


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
    drain_timeout: float = duration(30.0)
    """A stream whose socket has not taken everything it is owed for this long is cut: a client
    that stopped reading must not hold its buffers until the queue bound fills (hours with small
    events). 30 s outlasts a phone's network switch."""
    send_buffer_bytes: int = 65_536
    """The kernel's send buffer of each stream (SO_SNDBUF; Linux reserves twice this). Left to
    autotuning, a client that stopped reading held about 2.8 MB of kernel memory."""
    max_event_bytes: int = 65_536
    """An event larger than this is sent as RESYNC instead (clients refetch it through REST):
    one huge object must not be copied into every open stream."""


@dataclass(frozen=True)
class WebsocketSettings:
    """The reference's name for its live updates (v3.x, v4.x); here they are `realtime.*`."""

    enabled: bool | None = maps_to("realtime.enabled")
    heartbeat_interval: float | None = duration(None, maps_to="realtime.heartbeatInterval")
    event_debounce_ms: int | None = maps_to("realtime.eventDebounceMs")


@dataclass(frozen=True)
class GraphqlSubscriptionSettings:
    enabled: bool | None = unsupported(
        None, "no GraphQL API here; live updates are on /api/updates/stream (realtime.enabled)"
    )


@dataclass(frozen=True)
class GraphqlSettings:
    subscription: GraphqlSubscriptionSettings = GraphqlSubscriptionSettings()


_NO_BING = "no Bing background images here: the page loads nothing from the internet"


@dataclass(frozen=True)
class BingFallbackSettings:
    urlbase: str | None = unsupported(None, _NO_BING)
    copyright: str | None = unsupported(None, _NO_BING)
    title: str | None = unsupported(None, _NO_BING)


@dataclass(frozen=True)
class BingImageSettings:
    fallback: BingFallbackSettings = BingFallbackSettings()


_ALWAYS_WATCHING = "objects are always watched (list, then watch), with no periodic resync"


@dataclass(frozen=True)
class WatchSettings:
    enabled: bool | None = unsupported(None, _ALWAYS_WATCHING)
    resync_period_seconds: int | None = unsupported(None, _ALWAYS_WATCHING)


@dataclass(frozen=True)
class LocalClusterSettings:
    enabled: bool = True
    name: str = "local"
    """Items of this cluster carry it; other instances following this one see it."""


@dataclass(frozen=True)
class RemoteClusterSettings:
    """Another startpunkt instance to follow (read by the multi-cluster sources)."""

    name: str
    enabled: bool = True
    url: str | None = None
    graphql_url: str | None = None
    """The reference's GraphQL endpoint; its base URL is the instance's."""
    token: str | None = secret()
    graphql_token: str | None = secret()
    ignore_certificates: bool = False
    ca_file: str | None = None


@dataclass(frozen=True)
class ClustersSettings:
    local: LocalClusterSettings = LocalClusterSettings()
    remote: tuple[RemoteClusterSettings, ...] = ()


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
    config_maps: bool = False
    """Off: reading ConfigMaps needs RBAC `get` on them (the chart's `urlFrom.configMaps`)."""


@dataclass(frozen=True)
class Settings:
    default_protocol: str = "http"
    default_language: str = "en-US"
    namespace_selector: NamespaceSelector = NamespaceSelector()
    instance_name: str | None = None
    """Objects limited to named instances (the `instance` annotations) show only on those."""
    ingress: IngressSettings = IngressSettings()
    openshift: KindSettings = KindSettings()
    istio: IstioSettings = IstioSettings()
    gatewayapi: GatewayApiSettings = GatewayApiSettings()
    traefik: TraefikSettings = TraefikSettings()
    hajimari: SwitchSettings = SwitchSettings()
    availability: AvailabilitySettings = AvailabilitySettings()
    web: WebSettings = WebSettings()
    realtime: RealtimeSettings = RealtimeSettings()
    manifests: ManifestSettings = ManifestSettings()
    kubernetes: KubernetesSettings = KubernetesSettings()
    url_from: UrlFromSettings = UrlFromSettings()
    clusters: ClustersSettings = ClustersSettings()
    websocket: WebsocketSettings = WebsocketSettings()
    graphql: GraphqlSettings = GraphqlSettings()
    bingimage: BingImageSettings = BingImageSettings()
    watch: WatchSettings = WatchSettings()

    def url_from_kinds(self) -> tuple[str, ...]:
        """The kinds `urlFrom` may read: the allow-list, plus ConfigMap when opted in."""
        kinds = self.url_from.allowed_kinds
        return (*kinds, "ConfigMap") if self.url_from.config_maps else kinds


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
    """Build Settings from a parsed YAML document plus environment overrides.

    Keys of the reference that this project does not act on are named in one WARNING.
    """
    if not isinstance(document, dict):
        raise ConfigError("configuration: expected a mapping with a 'startpunkt' key")
    for key in document:
        if key != "startpunkt" and key not in _FOREIGN_ROOTS:
            raise ConfigError(f"{key}: unknown top-level key (expected 'startpunkt')")
    root = document.get("startpunkt")
    loading = _Loading(environ)
    settings = loading.build(Settings(), {} if root is None else root, "startpunkt")
    settings = _apply_aliases(settings, loading.given)
    if loading.unsupported:
        log.warning(
            "configuration keys accepted but not used: %s",
            "; ".join(f"{key} ({why})" for key, why in loading.unsupported.items()),
        )
    return settings


class _Loading:
    """One load: the environment, and what the file and environment gave."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.given: dict[str, Any] = {}
        """Every leaf key given, by path, with its converted value."""
        self.unsupported: dict[str, str] = {}
        """Given keys of features not built, with why they do nothing."""

    def build(self, base: Any, values: Any, path: str, *, env: bool = True) -> Any:
        """`base` (a dataclass holding the defaults) with `values` and overrides applied."""
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
                kwargs[f.name] = self.build(getattr(base, f.name), section, key_path, env=env)
                continue
            if env and env_name(key_path) in self.environ:
                raw, from_env = self.environ[env_name(key_path)], True
            elif key in values:
                raw, from_env = values[key], False
            else:
                continue
            value = self.leaf(raw, hint, f, key_path, from_env=from_env)
            kwargs[f.name] = self.given[key_path] = value
            if "unsupported" in f.metadata:
                self.unsupported[key_path] = f.metadata["unsupported"]
        return dataclasses.replace(base, **kwargs)

    def leaf(self, raw: Any, hint: Any, f: dataclasses.Field, path: str, *, from_env: bool) -> Any:
        """One key's value, converted, checked and normalised."""
        item = _item_type(hint)
        if item is not None and dataclasses.is_dataclass(item):
            value: Any = self.records(raw, item, path, from_env=from_env)
        else:
            value = _convert(raw, hint, f, path, from_env=from_env)
        if "each" in f.metadata:
            value = tuple(v for i, v in enumerate(value) if _usable(f.metadata["each"], v, path, i))
        if "normalize" in f.metadata:
            value = _NORMALIZE[f.metadata["normalize"]](value)
        return value

    def records(self, raw: Any, kind: type, path: str, *, from_env: bool) -> tuple[Any, ...]:
        """A list of mappings, each a `kind` (`clusters.remote`); not from the environment."""
        if from_env or not isinstance(raw, list):
            raise ConfigError(f"{path}: expected a list of mappings in the file, got {_show(raw)}")
        out = []
        for i, entry in enumerate(raw):
            if not isinstance(entry, dict):
                raise ConfigError(f"{path}[{i}]: expected a mapping, got {_show(entry)}")
            required = [
                camel(f.name)
                for f in dataclasses.fields(kind)
                if f.default is dataclasses.MISSING and camel(f.name) not in entry
            ]
            if required:
                raise ConfigError(f"{path}[{i}]: missing {', '.join(required)}")
            defaults = {
                f.name: entry[camel(f.name)]
                for f in dataclasses.fields(kind)
                if f.default is dataclasses.MISSING
            }
            out.append(self.build(kind(**defaults), entry, f"{path}[{i}]", env=False))
        return tuple(out)


def _item_type(hint: Any) -> Any:
    """The item type of a `tuple[X, ...]` hint; None for anything else."""
    if typing.get_origin(hint) is tuple:
        return typing.get_args(hint)[0]
    return None


def _apply_aliases(settings: Settings, given: dict[str, Any]) -> Settings:
    """Reference keys that mean one of ours (`websocket.*` → `realtime.*`) when ours is not given.

    `graphql.subscription.enabled: true` (v4.0 moved live updates from websocket to GraphQL)
    also asks for live updates, which here means the stream.
    """
    wanted: dict[str, Any] = {}
    for path, value in given.items():
        target = _field_at(path).metadata.get("maps_to")
        if target and value is not None and f"startpunkt.{target}" not in given:
            wanted[target] = value
    if (
        given.get("startpunkt.graphql.subscription.enabled")
        and "startpunkt.realtime.enabled" not in given
    ):
        wanted["realtime.enabled"] = True
    for target, value in wanted.items():
        settings = _replace_at(settings, target.split("."), value)
    return settings


def _field_at(path: str) -> dataclasses.Field:
    """The dataclass field of a key path such as `startpunkt.websocket.enabled`."""
    kind: Any = Settings
    found: dataclasses.Field | None = None
    for key in path.split(".")[1:]:
        key = key.split("[")[0]
        found = {camel(f.name): f for f in dataclasses.fields(kind)}[key]
        kind = typing.get_type_hints(kind)[found.name]
        kind = _item_type(kind) or kind
    assert found is not None
    return found


def _replace_at(node: Any, keys: list[str], value: Any) -> Any:
    fields = {camel(f.name): f.name for f in dataclasses.fields(node)}
    name = fields[keys[0]]
    if len(keys) > 1:
        value = _replace_at(getattr(node, name), keys[1:], value)
    return dataclasses.replace(node, **{name: value})


_CLASS_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")
"""An IngressClass name: a DNS subdomain (what the API server accepts)."""


def _usable(rule: str, value: Any, path: str, index: int) -> bool:
    """Whether a list entry can be used; one that cannot is named in a WARNING and dropped."""
    if rule == "class_name" and not _CLASS_NAME.fullmatch(value):
        log.warning(
            "%s[%d]: %r can never be an IngressClass name (a DNS name in lower case); ignored",
            path,
            index,
            value,
        )
        return False
    return True


def _search_engine(url: str) -> str:
    """The reference's prefix style (`…/search?q=`) gets the query appended."""
    return url if "{query}" in url else url + "{query}"


_NORMALIZE = {"search_engine": _search_engine}


def _convert(value: Any, hint: Any, f: dataclasses.Field, path: str, *, from_env: bool) -> Any:
    """Check or parse one leaf value; environment values arrive as strings."""
    if f.metadata.get("secret"):
        try:
            return _convert(value, hint, dataclasses.field(), path, from_env=from_env)
        except ConfigError:
            raise ConfigError(f"{path}: expected a string (value not shown)") from None
    if f.metadata.get("duration"):
        if value is None and type(None) in typing.get_args(hint):
            return None
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
    elif kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if from_env and isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
            return float(value)
    elif kind is str and isinstance(value, str):
        return value
    raise ConfigError(f"{path}: expected {_type_name(kind)}, got {_show(value)}")


def _type_name(kind: Any) -> str:
    names = {bool: "a boolean (true/false)", int: "an integer", float: "a number", str: "a string"}
    return names.get(kind, str(kind))


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
                "rootPath": web.root_path,
                "searchEngine": web.search_engine,
            },
            "realtime": {
                "enabled": rt.enabled,
                "heartbeatInterval": rt.heartbeat_interval,
                "eventDebounceMs": rt.event_debounce_ms,
            },
        }
    }
