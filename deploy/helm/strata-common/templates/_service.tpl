{{/* The Service: gRPC and HTTP ports named for their protocol (appProtocol for meshes and gateways). */}}
{{- define "strata.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "strata.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "strata.labels" . | nindent 4 }}
  {{- with .Values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.service.type }}
  selector:
    {{- include "strata.selectorLabels" . | nindent 4 }}
  ports:
    - name: grpc
      port: {{ .Values.service.grpcPort }}
      targetPort: grpc
      protocol: TCP
      appProtocol: grpc
    - name: http
      port: {{ .Values.service.httpPort }}
      targetPort: http
      protocol: TCP
      appProtocol: http
{{- end -}}

{{- define "strata.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}
{{- $profile := include "strata.profileOf" . | fromYaml -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "strata.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "strata.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ $profile.kubernetesApi | default false }}
{{- end -}}
{{- end -}}

{{/* PodDisruptionBudget: maxUnavailable (default 1) never blocks a drain of a single replica. */}}
{{- define "strata.pdb" -}}
{{- if .Values.podDisruptionBudget.enabled -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "strata.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "strata.labels" . | nindent 4 }}
spec:
  {{- if .Values.podDisruptionBudget.minAvailable }}
  minAvailable: {{ .Values.podDisruptionBudget.minAvailable }}
  {{- else }}
  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "strata.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}

{{/* HorizontalPodAutoscaler on CPU (and memory when set); scales down slowly. */}}
{{- define "strata.hpa" -}}
{{- if .Values.autoscaling.enabled -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "strata.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "strata.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "strata.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
    {{- with .Values.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
{{- end -}}
{{- end -}}

{{/* Prometheus Operator ServiceMonitor for /metrics on the http port (optional). */}}
{{- define "strata.serviceMonitor" -}}
{{- if .Values.serviceMonitor.enabled -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "strata.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "strata.labels" . | nindent 4 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Chart.Name }}
      app.kubernetes.io/instance: {{ .Release.Name }}
  namespaceSelector:
    matchNames: [{{ .Release.Namespace }}]
  endpoints:
    - port: http
      path: /metrics
      interval: {{ .Values.serviceMonitor.interval }}
      scrapeTimeout: {{ .Values.serviceMonitor.scrapeTimeout }}
{{- end -}}
{{- end -}}
