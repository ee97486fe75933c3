{{/* What makes the inference-service different from the other services (read by strata-common). */}}
{{- define "inference-service.profile" -}}
callers: [gateway]
callees: [feature-service, registry-service]
env:
  REGISTRY_ADDRESS: {{ include "strata.peerAddress" (dict "root" . "service" "registry-service" "override" .Values.registryAddress) }}
  FEATURE_SERVICE_ADDRESS: {{ include "strata.peerAddress" (dict "root" . "service" "feature-service" "override" .Values.featureServiceAddress) }}
  BATCH_MAX_SIZE: {{ .Values.batching.maxSize | toJson }}
  BATCH_MAX_DELAY: {{ .Values.batching.maxDelay | toJson }}
  FEATURE_FETCH_DEADLINE: {{ .Values.featureFetchDeadline | toJson }}
  MODEL_MEMORY_BUDGET_MB: {{ .Values.modelMemoryBudgetMb | toJson }}
{{- end -}}
