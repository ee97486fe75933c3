{{/*
The migration hook: a Job run once per release, before install and before every upgrade, that
applies the service's pending migrations with the service's own runner
(`node apps/<service>/src/main.js --migrate`) and exits. Pods never migrate
(MIGRATE_ON_START=false): they wait for the schema and report ready only when it is current.
Helm waits for the Job; a failed migration fails the release and leaves the old pods serving.
The Job exists before the release's ConfigMap and ServiceAccount do, so it needs neither.
*/}}
{{- define "strata.migrationJob" -}}
{{- if .Values.migrations.enabled -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ printf "%s-migrate" (include "strata.fullname" .) | trunc 63 | trimSuffix "-" }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "strata.labels" . | nindent 4 }}
    app.kubernetes.io/component: migrations
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-5"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: {{ .Values.migrations.backoffLimit }}
  activeDeadlineSeconds: {{ .Values.migrations.activeDeadlineSeconds }}
  template:
    metadata:
      labels:
        {{- include "strata.labels" . | nindent 8 }}
        app.kubernetes.io/component: migrations
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: migrate
          image: {{ include "strata.image" . }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          args: ["node", "apps/{{ .Chart.Name }}/src/main.js", "--migrate"]
          env:
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: {{ default (printf "%s-db" (include "strata.fullname" .)) .Values.database.existingSecret }}
                  key: {{ .Values.database.existingSecretKey }}
            - name: LOG_LEVEL
              value: {{ .Values.logLevel | quote }}
            - name: DATA_DIR
              value: /tmp/data
          resources:
            {{- toYaml .Values.migrations.resources | nindent 12 }}
          securityContext:
            {{- include "strata.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
{{- end -}}
