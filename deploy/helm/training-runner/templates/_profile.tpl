{{/* What makes the training-runner different from the other services (read by strata-common). */}}
{{- define "training-runner.profile" -}}
{{- $kubernetes := eq .Values.executor.type "kubernetes" -}}
callers: []
callees: [feature-service, registry-service]
kubernetesApi: {{ $kubernetes }}
env:
  FEATURE_SERVICE_ADDRESS: {{ include "strata.peerAddress" (dict "root" . "service" "feature-service" "override" .Values.featureServiceAddress) }}
  REGISTRY_ADDRESS: {{ include "strata.peerAddress" (dict "root" . "service" "registry-service" "override" .Values.registryAddress) }}
  TRAINING_EXECUTOR: {{ .Values.executor.type }}
  TRAINING_CONCURRENCY: {{ .Values.executor.concurrency | toJson }}
  # Recorded on jobs without their own code_version: the image this runner runs.
  CODE_VERSION: {{ include "strata.image" . }}
  {{- if $kubernetes }}
  KUBERNETES_NAMESPACE: {{ .Release.Namespace }}
  KUBERNETES_IMAGE: {{ default (include "strata.image" .) .Values.executor.kubernetes.image }}
  KUBERNETES_SERVICE_ACCOUNT: {{ include "training-runner.jobServiceAccountName" . }}
  KUBERNETES_DATABASE_SECRET: {{ include "training-runner.databaseSecret" . }}
  KUBERNETES_REGISTRY_TOKEN_SECRET: {{ include "training-runner.registryTokenSecret" . }}
  {{- end }}
secretEnv:
  - name: REGISTRY_TOKEN
    secret: {{ include "training-runner.registryTokenSecret" . }}
    key: token
    optional: {{ .Values.registryToken.optional }}
{{- end -}}

{{- define "training-runner.databaseSecret" -}}
{{- default (printf "%s-db" (include "strata.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{- define "training-runner.registryTokenSecret" -}}
{{- default (printf "%s-registry-token" (include "strata.fullname" .)) .Values.registryToken.existingSecret -}}
{{- end -}}

{{/* The service account of training Job pods: no API access, no token mounted. */}}
{{- define "training-runner.jobServiceAccountName" -}}
{{- printf "%s-job" (include "strata.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
