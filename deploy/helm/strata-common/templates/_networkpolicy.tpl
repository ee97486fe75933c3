{{/*
NetworkPolicies: only the arrows of the architecture.

  gateway -> inference-service
  inference-service -> feature-service, registry-service
  training-runner (and its training Job pods) -> feature-service, registry-service
  registry-service -> feature-service

Each service's profile names its callers (ingress on the grpc port from pods labelled
app.kubernetes.io/name=<caller> in this namespace) and its callees (egress to them). Egress to a
database goes out of its owner only (database.networkPolicy: CIDRs and port); DNS is allowed;
the OTLP collector when otel.endpoint is set; the Kubernetes API only for training-runner's
kubernetes executor. networkPolicy.extraIngress / extraEgress add rules (e.g. the CI namespace
calling the registry); networkPolicy.metricsFrom lets a scraper reach /metrics.
*/}}
{{- define "strata.egressCommon" -}}
{{- $root := . -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
- to:
    {{- range .Values.database.networkPolicy.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    - port: {{ .Values.database.networkPolicy.port }}
      protocol: TCP
{{- if include "strata.otelEndpoint" . }}
- ports:
    - port: {{ .Values.otel.collectorPort }}
      protocol: TCP
{{- end }}
{{- end -}}

{{- define "strata.networkPolicy" -}}
{{- if .Values.networkPolicy.enabled -}}
{{- $profile := include "strata.profileOf" . | fromYaml -}}
{{- $root := . -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "strata.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "strata.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "strata.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    {{- if $profile.public }}
    # The public door: anyone may call the API ports (put an ingress or load balancer in front).
    - ports:
        - port: grpc
          protocol: TCP
        - port: http
          protocol: TCP
    {{- end }}
    {{- range $profile.callers }}
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ . }}
      ports:
        - port: grpc
          protocol: TCP
    {{- end }}
    {{- with .Values.networkPolicy.metricsFrom }}
    - from:
        {{- toYaml . | nindent 8 }}
      ports:
        - port: http
          protocol: TCP
    {{- end }}
    {{- with .Values.networkPolicy.extraIngress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  egress:
    {{- include "strata.egressCommon" . | nindent 4 }}
    {{- range $profile.callees }}
    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ . }}
      ports:
        - port: grpc
          protocol: TCP
    {{- end }}
    {{- if $profile.kubernetesApi }}
    # The Kubernetes API server (the kubernetes executor creates and watches training Jobs).
    - to:
        {{- range .Values.networkPolicy.kubernetesApiCidrs }}
        - ipBlock:
            cidr: {{ . }}
        {{- end }}
      ports:
        - port: 443
          protocol: TCP
        - port: 6443
          protocol: TCP
    {{- end }}
    {{- with .Values.networkPolicy.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
---
# The migration hook's pods: no ingress; DNS and the service's own database only.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ printf "%s-migrations" (include "strata.fullname" .) | trunc 63 | trimSuffix "-" }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "strata.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {{ .Chart.Name }}
      app.kubernetes.io/instance: {{ .Release.Name }}
      app.kubernetes.io/component: migrations
  policyTypes: [Ingress, Egress]
  egress:
    {{- include "strata.egressCommon" . | nindent 4 }}
{{- end -}}
{{- end -}}
