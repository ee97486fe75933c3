{{/* What makes the registry-service different from the other services (read by strata-common). */}}
{{- define "registry-service.profile" -}}
callers: [inference-service, training-runner]
callees: [feature-service]
env:
  FEATURE_SERVICE_ADDRESS: {{ include "strata.peerAddress" (dict "root" . "service" "feature-service" "override" .Values.featureServiceAddress) }}
  ARTIFACT_DIR: /artifacts
  MAX_ARTIFACT_BYTES: {{ .Values.artifacts.maxBytes | toJson }}
secretEnv:
  - name: REGISTRY_TOKENS
    secret: {{ default (printf "%s-tokens" (include "strata.fullname" .)) .Values.tokens.existingSecret }}
    key: {{ .Values.tokens.existingSecretKey }}
    optional: {{ .Values.tokens.optional }}
volumeMounts:
  - name: artifacts
    mountPath: /artifacts
volumes:
  - name: artifacts
    {{- if .Values.artifacts.persistence.enabled }}
    persistentVolumeClaim:
      claimName: {{ default (printf "%s-artifacts" (include "strata.fullname" .)) .Values.artifacts.persistence.existingClaim }}
    {{- else }}
    emptyDir:
      sizeLimit: {{ .Values.artifacts.persistence.size }}
    {{- end }}
{{- end -}}
