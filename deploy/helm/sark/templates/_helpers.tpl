{{/* Names. */}}
{{- define "sark.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sark.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sark.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels. The release's pods (server, migration, test) share name + instance; the server pods add
component=server, and every selector of the server pods (Deployment, Service, PDB, spread,
ServiceMonitor) includes it, so the migration Job's and the test's pods, which carry name +
instance too, never receive Service traffic.
Call with (dict "context" $ "component" "server").
*/}}
{{- define "sark.labels" -}}
helm.sh/chart: {{ include "sark.chart" .context }}
{{ include "sark.selectorLabels" .context }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/version: {{ .context.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: sark
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
{{- end }}

{{/* name + instance: every pod of the release (the NetworkPolicy's subject). */}}
{{- define "sark.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sark.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The server pods only. */}}
{{- define "sark.serverSelectorLabels" -}}
{{ include "sark.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "sark.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "sark.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sark.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: existingSecret, or the one the chart renders from `secrets`. */}}
{{- define "sark.secretName" -}}
{{- default (include "sark.fullname" .) .Values.existingSecret }}
{{- end }}

{{/* The container port; the image's contract (PORT). */}}
{{- define "sark.containerPort" -}}8000{{- end }}

{{/*
The ConfigMap's data: the variables the chart derives from typed values, then `config`
(values.schema.json keeps the derived ones and the secrets out of `config`). Rendered once
here for the ConfigMap, the migration hook's copy and the checksum annotation.
*/}}
{{- define "sark.configData" -}}
{{- $data := dict
  "ENVIRONMENT" .Values.environment
  "PORT" (include "sark.containerPort" .)
  "SARK_DATA_DIR" "/tmp/sark-data"
  "SARK_ADMIN_USERNAME" .Values.admin.username
  "BODY_LIMIT_BYTES" (include "sark.envValue" .Values.http.bodyLimitBytes)
  "SHUTDOWN_DELAY_MS" (toString (mul .Values.shutdown.delaySeconds 1000))
  "SHUTDOWN_GRACE_MS" (toString (mul .Values.shutdown.graceSeconds 1000))
}}
{{- if .Values.ingress.enabled }}
{{- $_ := set $data "TRUST_PROXY" "1" }}
{{- end }}
{{- range $name, $value := .Values.config }}
{{- $_ := set $data $name (include "sark.envValue" $value) }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/*
A value as an environment variable's text. Numbers from values files arrive as floats, which
print as 3.6e+06; whole ones print as integers.
*/}}
{{- define "sark.envValue" -}}
{{- if and (kindIs "float64" .) (eq . (float64 (int64 .))) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/* The Secret's data from `secrets` (empty when existingSecret is used). */}}
{{- define "sark.secretData" -}}
{{- $data := dict }}
{{- range $name, $value := .Values.secrets }}
{{- $_ := set $data $name (b64enc $value) }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/* Pod and container security: the restricted Pod Security Standard. */}}
{{- define "sark.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "sark.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The writable /tmp every SARK container mounts (its root filesystem is read-only). */}}
{{- define "sark.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end }}

{{- define "sark.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}
