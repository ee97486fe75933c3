{{/*
Names and labels of every Strata object.

Objects are named <platform>-<service> (default platform "strata": strata-gateway,
strata-inference-service, ...), the same whether a service is installed on its own or by the
umbrella chart, so services find each other without being told. Set global.platformName to run
two platforms in one namespace.
*/}}

{{/* The platform prefix: global.platformName, default "strata". */}}
{{- define "strata.platform" -}}
{{- dig "platformName" "strata" (.Values.global | default dict) | trunc 30 | trimSuffix "-" -}}
{{- end -}}

{{/* <platform>-<chart name>, or fullnameOverride. */}}
{{- define "strata.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" (include "strata.platform" .) .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The Service name of another Strata service. Usage: include "strata.peerName" (dict "root" . "service" "registry-service") */}}
{{- define "strata.peerName" -}}
{{- printf "%s-%s" (include "strata.platform" .root) .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The default gRPC port of every service (the ports table in docs/how-to/operator.md). */}}
{{- define "strata.defaultGrpcPort" -}}
{{- get (dict "gateway" "50050" "feature-service" "50051" "training-runner" "50052" "registry-service" "50053" "inference-service" "50054") . -}}
{{- end -}}

{{/* host:port of a peer's gRPC server: the override when set, else <platform>-<service>:<default port>. Usage: include "strata.peerAddress" (dict "root" . "service" "registry-service" "override" .Values.registryAddress) */}}
{{- define "strata.peerAddress" -}}
{{- if .override -}}
{{- .override -}}
{{- else -}}
{{- printf "%s:%s" (include "strata.peerName" .) (include "strata.defaultGrpcPort" .service) -}}
{{- end -}}
{{- end -}}

{{- define "strata.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "strata.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "strata.image" -}}
{{- $registry := dig "imageRegistry" "" (.Values.global | default dict) -}}
{{- $repository := ternary (printf "%s/%s" $registry .Values.image.repository) .Values.image.repository (ne $registry "") -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "strata.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: strata
strata.dev/platform: {{ include "strata.platform" . }}
{{- end -}}

{{/* What the Deployment, its Service, PDB and NetworkPolicy select: the service's server pods. */}}
{{- define "strata.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{/* The chart's service profile (templates/_profile.tpl of each service chart) as a dict. */}}
{{- define "strata.profileOf" -}}
{{- include (printf "%s.profile" .Chart.Name) . -}}
{{- end -}}

{{/* Effective OTLP endpoint: the chart's otel.endpoint, else global.otel.endpoint. */}}
{{- define "strata.otelEndpoint" -}}
{{- default (dig "otel" "endpoint" "" (.Values.global | default dict)) .Values.otel.endpoint -}}
{{- end -}}

{{/* SHUTDOWN_GRACE drain + preStop wait + 5 s of margin. */}}
{{- define "strata.terminationGracePeriodSeconds" -}}
{{- add .Values.shutdown.preStopSeconds .Values.shutdown.drainSeconds 5 -}}
{{- end -}}
