{{/*
RBAC for startpunkt, in one place: the read-only rules (used by the ClusterRole, or by a Role in
each watched namespace) and the namespaces a namespaced install watches.

One list entry per API group; keep it equal to deploy/manifests/20-rbac.yaml (a test does).
*/}}
{{- define "startpunkt.rbacRules" -}}
# Sources: list + watch feed the informers; get serves urlFrom lookups of these kinds.
- apiGroups: [startpunkt.ullberg.us]
  resources: [applications, bookmarks]
  verbs: [get, list, watch]
- apiGroups: [hajimari.io]
  resources: [applications, bookmarks]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses]
  verbs: [get, list, watch]
- apiGroups: [route.openshift.io]
  resources: [routes]
  verbs: [get, list, watch]
- apiGroups: [networking.istio.io]
  resources: [virtualservices]
  verbs: [get, list, watch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes]
  verbs: [get, list, watch]
- apiGroups: [traefik.io, traefik.containo.us]
  resources: [ingressroutes]
  verbs: [get, list, watch]
# urlFrom's default allow-list, read one object at a time.
- apiGroups: [""]
  resources: [services]
  verbs: [get]
{{- if .Values.urlFrom.configMaps }}
# urlFrom may read ConfigMaps (set config.startpunkt.urlFrom.configMaps: true as well).
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get]
{{- end }}
{{- end }}

{{/*
The namespaces to grant a Role in, comma-separated, when the config reads only some
(namespaceSelector.any: false with matchNames); empty when startpunkt reads every namespace and
needs the ClusterRole.
*/}}
{{- define "startpunkt.watchedNamespaces" -}}
{{- $selector := dig "startpunkt" "namespaceSelector" dict .Values.config -}}
{{- if and (hasKey $selector "any") (not $selector.any) -}}
{{- join "," ($selector.matchNames | default list) -}}
{{- end -}}
{{- end }}
