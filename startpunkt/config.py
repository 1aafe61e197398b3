"""Settings: frozen dataclasses in the reference's `startpunkt.*` key layout.

The YAML key of each field is its camelCase name; the environment variable is the full key
upper-cased with every non-alphanumeric character replaced by `_` (SmallRye's rule, so existing
deployments keep working). A key that is unknown, of the wrong type or outside its range fails
start-up (and a live reload) with one line naming the key, the value and what is allowed.

These dataclasses are the one schema: each key's field metadata holds what it means (`doc`),
what it may be (`rule`, from `startpunkt.rules`) and its unit, and says what a key of the
reference means here (`maps_to` another key, or `unsupported`: accepted, named in one warning,
otherwise ignored). The loader below enforces it and `config_table` renders README.md's
configuration reference from it, so the two cannot drift.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import re
import resource
import types
import typing
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from startpunkt import bundled, durations, quoting, rules

log = logging.getLogger(__name__)

EXAMPLE_DIRECTORY = str(bundled.path("examples") / "homelab")
"""The bundled example, served when nothing else is configured so a newcomer sees a page."""

_FOREIGN_ROOTS = frozenset({"quarkus"})
"""Top-level keys of the reference's own framework: ignored, so its files load unchanged."""

MIB = 1024 * 1024
DAY = 86400.0
OTHER_VARIABLES = {
    "STARTPUNKT_CONFIG": "the configuration file to read",
    "STARTPUNKT_ASSETS": "the directory holding node_modules/ with the npm data",
    # gunicorn.conf.py's operational variables (startpunkt.serving.VARIABLES; a test keeps
    # the two lists equal).
    "STARTPUNKT_BIND": "the address gunicorn listens on",
    "STARTPUNKT_WORKERS": "gunicorn workers",
    "STARTPUNKT_WORKER_CONNECTIONS": "connections per gunicorn worker",
    "STARTPUNKT_GRACEFUL_TIMEOUT": "gunicorn's graceful timeout",
    "STARTPUNKT_ACCESS_LOG": "gunicorn's access log",
    "STARTPUNKT_LOG_LEVEL": "the log level",
    "STARTPUNKT_LOG_FORMAT": "text or json log lines",
    # Read by the test suite, never by the server; known so a test run stays quiet.
    "STARTPUNKT_ARTIFACTS": "where browser tests write screenshots",
    "STARTPUNKT_UPDATE_SCREENSHOTS": "browser tests refresh docs/screenshots",
}
"""`STARTPUNKT_*` variables that are not configuration keys; any other unknown one is warned of."""
OPEN_FILES_RESERVE = 0.1
"""Of the open-file limit, kept for health checks, REST, watches and files when streams are
capped: at 20,000 open files 2,000 stay free, so `/q/health/live` answers at the stream cap."""
OPEN_FILES_RESERVE_MIN = 64


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key."""


def key(
    default: Any,
    doc: str,
    rule: rules.Rule | None = None,
    *,
    unit: str | None = None,
    shown: str | None = None,
    **metadata: Any,
) -> Any:
    """A configuration key: its default, what it means, what it may be and in which unit.

    `shown` replaces the default in the README where the value depends on the machine or is
    long; `metadata` adds `each`, `normalize`, `secret`, `maps_to` or `unsupported`.
    """
    extra = {"rule": rule, "unit": unit, "shown": shown}
    return field(
        default=default,
        repr=not metadata.get("secret"),
        metadata={"doc": doc, **{k: v for k, v in extra.items() if v is not None}, **metadata},
    )


def duration(
    default: float | None, doc: str, low: float, high: float, *, above: bool = False, **meta: Any
) -> Any:
    """A key holding seconds, written as `30s`, `500ms`, `5m`, `PT30S` or a number of seconds."""
    bounds = rules.Range(low, high, "duration", above=above)
    return key(default, doc, bounds, duration=True, **meta)


def count(default: int | None, doc: str, unit: str, low: int = 1, high: int = 1_000_000) -> Any:
    """A whole number of `unit`, at least `low` (1: counts of things)."""
    return key(default, doc, rules.Range(low, high, unit, whole=True), unit=unit)


def switch(default: bool | None, doc: str) -> Any:
    return key(default, doc)


def maps_to(target: str, rule: rules.Rule | None = None, **metadata: Any) -> Any:
    """A reference key meaning `target` here (`startpunkt.` left out), unless that is given too."""
    return key(None, f"the reference's name for `{target}`", rule, maps_to=target, **metadata)


def unsupported(why: str) -> Any:
    """A reference key for a feature deliberately not built: accepted, named in one warning."""
    return key(None, f"accepted and ignored: {why}", unsupported=why)


def secret(doc: str) -> Any:
    """A value never shown: not in errors, not in the settings' repr."""
    return key(None, doc, rules.Text(1, 16384), secret=True)


@dataclass(frozen=True)
class KindSettings:
    enabled: bool = switch(True, "read this kind at all")
    only_annotated: bool = switch(True, "show only objects opted in with an `enable` annotation")
    """The reference's default: a cluster has many Ingresses that are not meant for people."""


@dataclass(frozen=True)
class IngressSettings(KindSettings):
    ingress_class_names: tuple[str, ...] = key(
        (), "only Ingresses of these classes (empty: every class)", each="class_name"
    )
    """Empty: every class. Else only Ingresses of these classes (spec or legacy annotation)."""
    include_unclassified: bool = switch(True, "also Ingresses that name no class")
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
    enabled: bool = switch(True, "on or off")


@dataclass(frozen=True)
class NamespaceSelector:
    any: bool = switch(True, "read every namespace")
    match_names: tuple[str, ...] = key(
        (), "with `any: false`, only these namespaces", rules.Each(rules.NAMESPACE)
    )


_UP = (200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304, 307, 308, 401, 403)


@dataclass(frozen=True)
class AvailabilitySettings:
    enabled: bool = switch(True, "probe each application's URL; down ones are dimmed live")
    interval: float = duration(60.0, "between two probes of a URL that is up", 1.0, DAY)
    """Often enough to notice an outage while reading the page; cheap for a homelab."""
    timeout: float = duration(5.0, "for one probe", 0.1, 300.0)
    ignore_certificates: bool = switch(False, "accept any TLS certificate when probing")
    up_statuses: tuple[int, ...] = key(
        _UP,
        "HTTP statuses that mean up",
        rules.Each(rules.HTTP_STATUS),
        shown="2xx, 3xx (not 305, 306), 401, 403",
    )
    """401/403 mean the app answers, just not to anonymous probes."""
    concurrency: int = count(20, "probes in flight at once", "probes", 1, 1000)
    max_retries: int = count(
        5, "failures in a row after which a URL still down is logged once (0: never)", "", 0
    )
    """Failures in a row after which a URL that stays down is reported once as a WARNING."""
    initial_delay_ms: int = count(
        5000, "a failing URL is probed again after this", "ms", 100, 86_400_000
    )
    """The first re-probe of a failing URL; soon enough to show a blip as one."""
    max_delay_ms: int | None = key(
        None,
        "the longest wait between probes of a failing URL (null: `interval`)",
        rules.Range(100, 86_400_000, "ms", whole=True),
        unit="ms",
    )
    """The longest wait between probes of a failing URL; None: `interval`."""
    backoff_multiplier: float = key(
        2.0, "each failure in a row multiplies the wait by this", rules.Range(1.0, 100.0)
    )


@dataclass(frozen=True)
class ThemeColors:
    body_bg_color: str = key(dataclasses.MISSING, "page background", rules.COLOR)
    body_color: str = key(dataclasses.MISSING, "body text", rules.COLOR)
    emphasis_color: str = key(dataclasses.MISSING, "emphasis", rules.COLOR)
    text_primary_color: str = key(dataclasses.MISSING, "primary text", rules.COLOR)
    text_accent_color: str = key(dataclasses.MISSING, "accents", rules.COLOR)


@dataclass(frozen=True)
class ThemeSettings:
    light: ThemeColors = ThemeColors("#F8F6F1", "#696969", "#000000", "#4C432E", "#AA9A73")
    dark: ThemeColors = ThemeColors("#232530", "#696969", "#FAB795", "#FAB795", "#E95678")


@dataclass(frozen=True)
class CorsSettings:
    allowed_origins: tuple[str, ...] = key(
        (), "origins allowed to read the API and the stream (CORS)", rules.Each(rules.ORIGIN)
    )
    """None by default: the API and the stream are for the page served beside them."""


@dataclass(frozen=True)
class WebSettings:
    title: str = key("Startpunkt", "the page title", rules.Text(0, 200))
    root_path: str = key(
        "/", "public path prefix of everything served, e.g. /start (restart)", rules.ROOT_PATH
    )
    """The public path prefix of every page, asset, API call and stream (`web.prefix`)."""
    refresh_interval: int = count(
        60, "seconds between polls while the live stream is down", "s", 1, 86_400
    )
    """Seconds between polls while the live stream is down."""
    github_link: SwitchSettings = field(
        default=SwitchSettings(), metadata={"doc": "a link to the project on the page"}
    )
    check_for_updates: bool = switch(False, "accepted; the page never calls out")
    """Off: the page must work without reaching the internet."""
    search_engine: str = key(
        "https://duckduckgo.com/?q={query}",
        "web search from the search box; a prefix without {query} gets the words appended",
        rules.SEARCH_ENGINE,
        normalize="search_engine",
    )
    """`{query}` is replaced; a prefix without it (the reference's style) gets the query added."""
    default_show_all_clusters: bool = switch(
        True, "with several clusters, start showing all of them"
    )
    """With several clusters (`clusters.*`), whether the page starts showing all of them."""
    theme: ThemeSettings = ThemeSettings()
    cors: CorsSettings = CorsSettings()


@dataclass(frozen=True)
class RealtimeSettings:
    enabled: bool = switch(True, "the live stream (/api/updates/stream)")
    heartbeat_interval: float = duration(
        30.0, "a HEARTBEAT on a quiet stream this often", 1.0, 3600.0
    )
    """Proxies commonly drop connections idle for 60 s; 30 s keeps streams alive behind them."""
    event_debounce_ms: int = count(
        500, "changes to one object within this window become one event", "ms", 0, 60_000
    )
    max_connections: int = count(
        10_000,
        "open streams per process (lowered to fit the open-file limit)",
        "streams",
        1,
        1_000_000,
    )
    """Per process; a worker held 15,000 streams, so 10,000 leaves headroom for REST."""
    max_connections_per_client: int = count(20, "open streams per client address", "streams")
    client_queue_size: int = count(
        256, "events a stream may fall behind before it is cut (it then resumes)", "events"
    )
    replay_size: int = count(1024, "recent events kept for clients that resume", "events")
    max_stream_lifetime: float = duration(
        3600.0, "a stream is ended (and resumed) after about this", 1.0, 7 * DAY
    )
    """Long enough to be rare, short enough that config and load rebalance."""
    retry_ms: int = count(1000, "reconnect delay told to EventSource", "ms", 100, 3_600_000)
    drain_timeout: float = duration(
        30.0,
        "a stream whose client has not taken what it was sent for this long is cut",
        1.0,
        3600.0,
    )
    """A client that stopped reading must not hold its buffers until the queue bound fills
    (hours with small events); 30 s outlasts a phone's network switch. Also the kernel's
    TCP_USER_TIMEOUT of each stream."""
    send_buffer_bytes: int = count(
        65_536,
        "kernel send buffer of each stream (SO_SNDBUF; Linux reserves twice)",
        "bytes",
        4096,
        16_777_216,
    )
    """Left to autotuning, a client that stopped reading held about 2.8 MB of kernel memory."""
    max_event_bytes: int = count(
        65_536, "a larger event is sent as RESYNC (clients refetch it)", "bytes", 4096, 16_777_216
    )
    """One huge object must not be copied into every open stream."""


@dataclass(frozen=True)
class WebsocketSettings:
    """The reference's name for its live updates (v3.x, v4.x); here they are `realtime.*`."""

    enabled: bool | None = maps_to("realtime.enabled")
    heartbeat_interval: float | None = maps_to(
        "realtime.heartbeatInterval", rules.Range(1.0, 3600.0, "duration"), duration=True
    )
    event_debounce_ms: int | None = maps_to(
        "realtime.eventDebounceMs", rules.Range(0, 60_000, "ms", whole=True), unit="ms"
    )


@dataclass(frozen=True)
class GraphqlSubscriptionSettings:
    enabled: bool | None = unsupported(
        "no GraphQL API here; live updates are on /api/updates/stream (realtime.enabled)"
    )


@dataclass(frozen=True)
class GraphqlSettings:
    subscription: GraphqlSubscriptionSettings = GraphqlSubscriptionSettings()


_NO_BING = "no Bing background images here: the page loads nothing from the internet"


@dataclass(frozen=True)
class BingFallbackSettings:
    urlbase: str | None = unsupported(_NO_BING)
    copyright: str | None = unsupported(_NO_BING)
    title: str | None = unsupported(_NO_BING)


@dataclass(frozen=True)
class BingImageSettings:
    fallback: BingFallbackSettings = BingFallbackSettings()


_ALWAYS_WATCHING = "objects are always watched (list, then watch), with no periodic resync"


@dataclass(frozen=True)
class WatchSettings:
    enabled: bool | None = unsupported(_ALWAYS_WATCHING)
    resync_period_seconds: int | None = unsupported(_ALWAYS_WATCHING)


@dataclass(frozen=True)
class LocalClusterSettings:
    enabled: bool = switch(
        True, "show this instance's own items (false: only the instances it follows)"
    )
    """False: this instance only shows the clusters it follows (no cluster, no manifests)."""
    name: str = key("local", "the cluster name this instance's items carry", rules.CLUSTER_NAME)
    """Items of this cluster carry it; other instances following this one see it."""


@dataclass(frozen=True)
class RemoteClusterSettings:
    """Another startpunkt instance to follow, live (`sources.remote`)."""

    name: str = key(
        dataclasses.MISSING, "its name here: its items carry it (required)", rules.CLUSTER_NAME
    )
    """The cluster's name here: its items carry it, their ids start with it."""
    enabled: bool = switch(True, "follow it")
    url: str | None = key(None, "its base URL (a path prefix included)", rules.URL)
    """The instance's base URL (`https://start.west.example.com`, a path prefix included)."""
    graphql_url: str | None = key(None, "the reference's GraphQL URL (its base is used)", rules.URL)
    """The reference's GraphQL endpoint; its base URL is the instance's."""
    token: str | None = secret("a bearer token, or ${VARIABLE} (never logged)")
    """A bearer token, or `${VARIABLE}` to read it from the environment (as the reference)."""
    graphql_token: str | None = secret("the reference's name for `token`")
    token_file: str | None = key(
        None, "a file holding the token, read at each connection", rules.Text(1, 4096)
    )
    """A file holding the token (a mounted Secret); read at each connection, so it can rotate."""
    ignore_certificates: bool = switch(False, "accept any TLS certificate")
    ca_file: str | None = key(None, "CA bundle (PEM) for its certificate", rules.Text(1, 4096))
    """CA bundle (PEM) for the instance's certificate; default: the system's."""
    max_items: int = count(5000, "items kept from it; more are dropped with a WARNING", "items")
    """Items kept from this instance; past that, new ones are dropped with a WARNING."""

    def base_url(self) -> str | None:
        """`url`, else `graphqlUrl` without its `/graphql`; no trailing slash; None if neither."""
        if self.url:
            return self.url.rstrip("/")
        if self.graphql_url:
            return re.sub(r"/graphql/?$", "", self.graphql_url.rstrip("/")).rstrip("/")
        return None

    def bearer(self) -> str | None:
        """The token as configured (`token`, else `graphqlToken`); `${…}` not yet resolved."""
        return self.token or self.graphql_token


@dataclass(frozen=True)
class ClustersSettings:
    local: LocalClusterSettings = LocalClusterSettings()
    remote: tuple[RemoteClusterSettings, ...] = key(
        (), "other startpunkt instances to follow (a list of mappings, file only)"
    )


@dataclass(frozen=True)
class ManifestSettings:
    enabled: bool | None = switch(None, "serve the manifest directory (null: when no cluster)")
    """None: on when no cluster is used."""
    directory: str = key(
        EXAMPLE_DIRECTORY,
        "the watched directory of YAML manifests",
        rules.Text(1, 4096),
        shown="the bundled example",
    )


@dataclass(frozen=True)
class KubernetesSettings:
    enabled: bool | Literal["auto"] = key(
        "auto", "use a cluster (auto: when in-cluster or a kubeconfig exists; restart)"
    )
    kubeconfig: str | None = key(None, "kubeconfig file (restart)", rules.Text(1, 4096))
    context: str | None = key(None, "kubeconfig context (restart)", rules.Text(1, 253))


@dataclass(frozen=True)
class UrlFromSettings:
    allowed_kinds: tuple[str, ...] = key(
        ("Ingress", "Route", "VirtualService", "HTTPRoute", "Service"),
        "kinds `urlFrom` may read (never Secret)",
        rules.Each(rules.KIND),
    )
    """Never Secret: an Application author must not read what RBAC would hide from them."""
    config_maps: bool = switch(False, "let `urlFrom` read ConfigMaps too (needs RBAC get)")
    """Off: reading ConfigMaps needs RBAC `get` on them (the chart's `urlFrom.configMaps`)."""


@dataclass(frozen=True)
class HealthSettings:
    outage_grace: float = duration(
        300.0,
        "every source failing longer than this (serving what it last had) fails readiness",
        0.0,
        7 * DAY,
    )
    """An API-server upgrade or blip takes a minute or two: every replica still serves a good
    catalog meanwhile, so none should leave the Service for it."""


@dataclass(frozen=True)
class LimitSettings:
    """Size caps on what sources hand over: objects and files are untrusted input."""

    max_file_bytes: int = count(
        2 * MIB, "a manifest file larger than this is skipped", "bytes", 1024, 256 * MIB
    )
    """Manifests are small; LibYAML reads 2 MiB in about 0.3 s, off the event loop."""
    max_objects_per_file: int = count(
        5000, "documents read from one manifest file; the rest are skipped", "objects"
    )
    max_yaml_nodes: int = count(
        250_000,
        "YAML nodes in one manifest file, aliases expanded; more skips the file",
        "nodes",
        100,
        10_000_000,
    )
    """Bounds the time and memory one file costs; a 684-byte alias bomb expands to billions."""
    max_yaml_aliases: int = count(
        1000, "YAML aliases (*name) in one manifest file", "aliases", 0, 1_000_000
    )
    max_yaml_depth: int = count(
        64, "nesting of YAML lists and mappings in a manifest file", "levels", 8, 1000
    )
    """Kubernetes objects nest about 12 deep; LibYAML's scanner slows quadratically with depth
    and its composer recurses in C, so 5,000 nested brackets must never reach it."""
    max_field_length: int = count(
        2048,
        "characters of one field of any object: longer text is cut, a longer URL or icon dropped",
        "characters",
        64,
        1_000_000,
    )
    """A 1 MB annotation must not become a 6 MB event for every client; 2,048 fits any URL."""


@dataclass(frozen=True)
class Settings:
    default_protocol: str = key(
        "http", "scheme of VirtualService/HTTPRoute links without a protocol", rules.PROTOCOL
    )
    default_language: str = key(
        "en-US", "page language when the browser's is not available", rules.LANGUAGE
    )
    namespace_selector: NamespaceSelector = NamespaceSelector()
    instance_name: str | None = key(
        None, "this start page's name, for objects with an `instance` annotation", rules.INSTANCE
    )
    """Objects limited to named instances (the `instance` annotations) show only on those."""
    ingress: IngressSettings = IngressSettings()
    openshift: KindSettings = KindSettings()
    istio: IstioSettings = IstioSettings()
    gatewayapi: GatewayApiSettings = GatewayApiSettings()
    traefik: TraefikSettings = TraefikSettings()
    hajimari: SwitchSettings = field(
        default=SwitchSettings(), metadata={"doc": "read Hajimari Applications and Bookmarks"}
    )
    availability: AvailabilitySettings = AvailabilitySettings()
    web: WebSettings = WebSettings()
    realtime: RealtimeSettings = RealtimeSettings()
    manifests: ManifestSettings = ManifestSettings()
    kubernetes: KubernetesSettings = KubernetesSettings()
    url_from: UrlFromSettings = UrlFromSettings()
    clusters: ClustersSettings = ClustersSettings()
    health: HealthSettings = HealthSettings()
    limits: LimitSettings = LimitSettings()
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
    _check_clusters(settings.clusters, "startpunkt.clusters")
    _warn_unknown_variables(environ, referenced=_token_variables(settings))
    given = "startpunkt.realtime.maxConnections" in loading.given
    settings = _fit_open_files(settings, given=given)
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
            try:
                value = self.leaf(raw, hint, f, key_path, from_env=from_env)
            except ConfigError as exc:
                if not from_env:
                    raise
                raise _from_environment(exc, key_path) from None
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
        rule = f.metadata.get("rule")
        if rule is not None and value is not None and not rule.check(value):
            raise ConfigError(_refusal(rule, raw, value, path, secret=f.metadata.get("secret")))
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


def _from_environment(error: ConfigError, path: str) -> ConfigError:
    """`error` about `path`, naming the environment variable that gave the value: that, not
    the file, is what the operator must fix."""
    message = str(error)
    if message.startswith(path):
        message = message[len(path) :]
    return ConfigError(f"{path} (from the environment variable {env_name(path)}){message}")


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


CLUSTER_NAME = rules.CLUSTER_NAME_PATTERN


def _check_clusters(clusters: ClustersSettings, path: str) -> None:
    """Names that are usable and distinct; every enabled remote has an http(s) base URL."""
    seen: dict[str, str] = {}
    entries = [(f"{path}.local", clusters.local.name, None)]
    entries += [(f"{path}.remote[{i}]", r.name, r) for i, r in enumerate(clusters.remote)]
    for at, name, remote in entries:
        if not CLUSTER_NAME.fullmatch(name):
            raise ConfigError(
                f"{at}.name: {name!r} is not a cluster name "
                "(letters, digits, '.', '_' and '-', at most 63, starting and ending alike)"
            )
        if name.casefold() in seen:
            raise ConfigError(f"{at}.name: {name!r} is already the name of {seen[name.casefold()]}")
        seen[name.casefold()] = at
        if remote is None:
            continue
        if remote.max_items < 1:
            raise ConfigError(f"{at}.maxItems: expected at least 1, got {remote.max_items}")
        base = remote.base_url()
        if remote.enabled and (base is None or not _http_url(base)):
            raise ConfigError(
                f"{at}: expected url (or graphqlUrl) to be an http(s) URL with a host, got {base!r}"
            )


def _http_url(value: str) -> bool:
    parts = urllib.parse.urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query


_CLASS_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")
"""An IngressClass name: a DNS subdomain (what the API server accepts)."""


def _usable(rule: str, value: Any, path: str, index: int) -> bool:
    """Whether a list entry can be used; one that cannot is named in a WARNING and dropped."""
    if rule == "class_name" and not _CLASS_NAME.fullmatch(value):
        log.warning(
            "%s[%d]: %s can never be an IngressClass name (a DNS name in lower case); ignored",
            path,
            index,
            quoting.quote(value),
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
    """A value quoted in an error, cut short: a line must stay readable whatever was given."""
    return f"{type(value).__name__} {quoting.quote(value, 100)}"


def _refusal(rule: rules.Rule, raw: Any, value: Any, path: str, *, secret: bool) -> str:
    """One line: the key (and list entry), the value given, and what the rule allows."""
    if isinstance(rule, rules.Each):
        index = rule.first_bad(value)
        if index is not None:
            listed = isinstance(raw, list | tuple) and index < len(raw)
            entry = raw[index] if listed else value[index]
            return f"{path}[{index}]: expected {rule.rule.allowed()}, got {_show(entry)}"
    shown = "(value not shown)" if secret else _show(raw)
    return f"{path}: expected {rule.allowed()}, got {shown}"


def known_variables() -> dict[str, str]:
    """Every `STARTPUNKT_*` variable startpunkt reads, with what it sets."""
    known = {env_name(path): path for path, _ in schema_keys()}
    return {**known, **OTHER_VARIABLES}


def schema_keys(kind: Any = None, path: str = "startpunkt") -> list[tuple[str, dataclasses.Field]]:
    """Every key of the schema (sections walked, list records not) with its field, in order."""
    out: list[tuple[str, dataclasses.Field]] = []
    hints = typing.get_type_hints(kind or Settings)
    for f in dataclasses.fields(kind or Settings):
        key_path = f"{path}.{camel(f.name)}"
        if dataclasses.is_dataclass(hints[f.name]):
            out += schema_keys(hints[f.name], key_path)
        else:
            out.append((key_path, f))
    return out


def _warn_unknown_variables(environ: Mapping[str, str], *, referenced: set[str]) -> None:
    """A `STARTPUNKT_*` variable that no key reads is most likely misspelt: say which it may be.

    `referenced`: variables the settings name (a remote's `token: ${NAME}`), which are read too.
    """
    known = known_variables()
    for name in sorted(environ):
        if not name.startswith("STARTPUNKT_") or name in known or name in referenced:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        hint = f"did you mean {close[0]}?" if close else "no startpunkt setting has that name"
        log.warning("environment variable %s is not used: %s", name[:200], hint)


_VARIABLE_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _token_variables(settings: Settings) -> set[str]:
    """The environment variables remote tokens name (`${WEST_TOKEN}`)."""
    return {
        name
        for remote in settings.clusters.remote
        for value in (remote.token, remote.graphql_token)
        if value
        for name in _VARIABLE_REFERENCE.findall(value)
    }


def open_files_limit() -> int | None:
    """This process's soft limit on open files; None when unlimited."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def stream_ceiling(limit: int) -> int:
    """The most streams a process with `limit` open files can hold and still answer the rest."""
    reserve = max(OPEN_FILES_RESERVE_MIN, int(limit * OPEN_FILES_RESERVE))
    return max(1, limit - reserve)


def _fit_open_files(settings: Settings, *, given: bool) -> Settings:
    """`realtime.maxConnections` lowered below the open-file limit, keeping a reserve.

    Past the limit every accept() fails (EMFILE): health checks and REST stop answering and
    each failure logs a traceback. Lowering a value someone set is a WARNING; lowering the
    default on a small machine only INFO.
    """
    limit = open_files_limit()
    wanted = settings.realtime.max_connections
    if limit is None or wanted <= stream_ceiling(limit):
        return settings
    ceiling = stream_ceiling(limit)
    log.log(
        logging.WARNING if given else logging.INFO,
        "startpunkt.realtime.maxConnections lowered from %d to %d: the process may open %d "
        "files, and %d are kept for health checks, REST, watches and files",
        wanted,
        ceiling,
        limit,
        limit - ceiling,
    )
    realtime = dataclasses.replace(settings.realtime, max_connections=ceiling)
    return dataclasses.replace(settings, realtime=realtime)


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
                "defaultShowAllClusters": web.default_show_all_clusters,
            },
            "clusters": {
                "local": settings.clusters.local.name,
                "remote": [r.name for r in settings.clusters.remote if r.enabled],
            },
            "realtime": {
                "enabled": rt.enabled,
                "heartbeatInterval": rt.heartbeat_interval,
                "eventDebounceMs": rt.event_debounce_ms,
            },
        }
    }
