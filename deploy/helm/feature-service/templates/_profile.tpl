{{/* What makes the feature-service different from the other services (read by strata-common). */}}
{{- define "feature-service.profile" -}}
callers: [inference-service, training-runner, registry-service]
callees: []
env:
  IMPORT_ROOT: /imports
volumeMounts:
  - name: imports
    mountPath: /imports
    readOnly: {{ and (ne .Values.imports.existingClaim "") .Values.imports.readOnly }}
volumes:
  - name: imports
    {{- if .Values.imports.existingClaim }}
    persistentVolumeClaim:
      claimName: {{ .Values.imports.existingClaim }}
      readOnly: {{ and (ne .Values.imports.existingClaim "") .Values.imports.readOnly }}
    {{- else }}
    emptyDir:
      sizeLimit: {{ .Values.imports.sizeLimit }}
    {{- end }}
{{- end -}}
