{{/* The part of NOTES.txt every service chart prints: what it needs and how to check it. */}}
{{- define "strata.notes" -}}
{{- $fullname := include "strata.fullname" . -}}
{{- $profile := include "strata.profileOf" . | fromYaml -}}
{{ .Chart.Name }} {{ .Chart.AppVersion }} is installed as {{ $fullname }} in namespace {{ .Release.Namespace }}.

It needs these Secrets (the chart never creates them):
  kubectl -n {{ .Release.Namespace }} create secret generic {{ default (printf "%s-db" $fullname) .Values.database.existingSecret }} \
    --from-literal={{ .Values.database.existingSecretKey }}='postgres://USER:PASSWORD@HOST:5432/{{ .Chart.Name | replace "-" "_" }}'
{{- range $profile.secretEnv }}
  {{ .secret }} (key {{ .key }}) -> {{ .name }}{{ if .optional }} (optional){{ end }}
{{- end }}

{{- if .Values.migrations.enabled }}

Migrations ran in the hook Job {{ $fullname }}-migrate before the pods started; if the release
failed, its log says why:  kubectl -n {{ .Release.Namespace }} logs job/{{ $fullname }}-migrate
{{- end }}

Watch it become ready (the pods report ready once the schema is current and they serve):
  kubectl -n {{ .Release.Namespace }} rollout status deployment/{{ $fullname }}
  kubectl -n {{ .Release.Namespace }} port-forward svc/{{ $fullname }} {{ .Values.service.httpPort }}:http &
  curl -s localhost:{{ .Values.service.httpPort }}/readyz

gRPC: {{ $fullname }}.{{ .Release.Namespace }}.svc:{{ .Values.service.grpcPort }}   HTTP (/healthz, /readyz, /metrics): port {{ .Values.service.httpPort }}
{{- end -}}

{{/* How to reach the gateway and make a first call (NOTES.txt of the gateway and umbrella charts). */}}
{{- define "strata.gatewayNotes" -}}
{{- $gateway := .gateway -}}
{{- $namespace := .namespace -}}
Reach the gateway (REST on http, gRPC and the Open Inference Protocol on grpc):
  kubectl -n {{ $namespace }} port-forward svc/{{ $gateway }} 8080:http 50050:grpc &
  curl -s localhost:8080/v2/health/ready && echo ready

Make an API key (the admin token is one of GATEWAY_ADMIN_TOKENS), then a first prediction:
  STRATA_ADMIN_TOKEN="$ADMIN_TOKEN" npx strata keys create first-key --gateway localhost:50050 --models flight-delay
  curl -s localhost:8080/v1/models/flight-delay:predict \
    -H "authorization: Bearer $API_KEY" -H 'content-type: application/json' \
    -d '{"rows":[{"entity_id":"LAX|PHX","features":{"distance":370}}]}'

Browse the API: http://localhost:8080/docs
{{- end -}}
