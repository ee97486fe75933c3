{{/* What makes the gateway different from the other services (read by strata-common). */}}
{{- define "gateway.profile" -}}
public: true
callers: []
callees: [inference-service]
env:
  INFERENCE_ADDRESS: {{ include "strata.peerAddress" (dict "root" . "service" "inference-service" "override" .Values.inferenceAddress) }}
  AUTH_DISABLED: {{ .Values.auth.disabled | toJson }}
  DEFAULT_DEADLINE: {{ .Values.traffic.defaultDeadline | toJson }}
  DEFAULT_RATE_LIMIT_PER_SECOND: {{ .Values.traffic.defaultRateLimitPerSecond | toJson }}
  MAX_IN_FLIGHT: {{ .Values.traffic.maxInFlight | toJson }}
  MAX_BODY_BYTES: {{ .Values.traffic.maxBodyBytes | toJson }}
  CACHE_TTL: {{ .Values.traffic.cacheTtl | toJson }}
secretEnv:
  - name: GATEWAY_ADMIN_TOKENS
    secret: {{ default (printf "%s-admin-tokens" (include "strata.fullname" .)) .Values.adminTokens.existingSecret }}
    key: {{ .Values.adminTokens.existingSecretKey }}
    optional: {{ .Values.adminTokens.optional }}
{{- end -}}
