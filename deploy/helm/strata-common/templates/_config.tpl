{{/*
The service's ConfigMap: every non-secret setting, read by the pods through envFrom. Secrets
(DATABASE_URL, tokens) never appear here: they come from existing Secrets (strata.secretEnv).
*/}}
{{- define "strata.configmap" -}}
{{- $profile := include "strata.profileOf" . | fromYaml -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "strata.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "strata.labels" . | nindent 4 }}
data:
  BIND_HOST: "0.0.0.0"
  GRPC_PORT: {{ .Values.service.grpcPort | quote }}
  HTTP_PORT: {{ .Values.service.httpPort | quote }}
  LOG_LEVEL: {{ .Values.logLevel | quote }}
  DATA_DIR: /data
  TMPDIR: /tmp
  SHUTDOWN_GRACE: {{ printf "%ds" (int .Values.shutdown.drainSeconds) | quote }}
  # Migrations run once per release in the pre-install/pre-upgrade hook Job; pods wait for the schema.
  MIGRATE_ON_START: "false"
  OTEL_SERVICE_NAME: {{ .Chart.Name | quote }}
  STRATA_VERSION: {{ .Chart.AppVersion | quote }}
  {{- with include "strata.otelEndpoint" . }}
  OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
  {{- end }}
  {{- range $name, $value := $profile.env }}
  {{ $name }}: {{ include "strata.envValue" $value }}
  {{- end }}
  {{- range $name, $value := .Values.config }}
  {{ $name }}: {{ include "strata.envValue" $value }}
  {{- end }}
{{- end -}}

{{/* A value as an environment variable string: whole numbers without an exponent (YAML reads 4194304 as a float). */}}
{{- define "strata.envValue" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) -}}
{{- int64 . | toString | quote -}}
{{- else -}}
{{- toString . | quote -}}
{{- end -}}
{{- end -}}

{{/* env entries from Secrets: DATABASE_URL and the profile's tokens. */}}
{{- define "strata.secretEnv" -}}
{{- $profile := include "strata.profileOf" . | fromYaml -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ default (printf "%s-db" (include "strata.fullname" .)) .Values.database.existingSecret }}
      key: {{ .Values.database.existingSecretKey }}
{{- range $profile.secretEnv }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
      optional: {{ .optional | default false }}
{{- end }}
{{- end -}}

{{/* The pod-level and container-level security context (values podSecurityContext / securityContext). */}}
{{- define "strata.containerSecurityContext" -}}
{{- toYaml .Values.securityContext -}}
{{- end -}}
