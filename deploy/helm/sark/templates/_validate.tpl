{{/*
Refuses values that would render a release SARK cannot start with, naming the value to set.
The secret rules mirror SARK's own startup checks (src/platform/config/index.ts) and add what a
pod needs: its filesystem is disposable, so the chart never relies on SARK generating a JWT
secret or an admin password at start. A Secret managed elsewhere (existingSecret) cannot be
read at render time; docs/DEPLOYMENT.md lists the keys it must hold.
*/}}
{{- define "sark.validate" -}}
{{- include "sark.validateSecrets" . }}
{{- include "sark.validateShutdown" . }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if and $pdb.enabled (eq (toString $pdb.minAvailable) "") (eq (toString $pdb.maxUnavailable) "") }}
{{- fail "sark: podDisruptionBudget needs minAvailable or maxUnavailable" }}
{{- end }}
{{- if and (ne (toString $pdb.minAvailable) "") (ne (toString $pdb.maxUnavailable) "") }}
{{- fail "sark: podDisruptionBudget takes minAvailable or maxUnavailable, not both (set the other to \"\")" }}
{{- end }}
{{- if and .Values.ingress.enabled (not .Values.ingress.host) }}
{{- fail "sark: ingress.enabled needs ingress.host" }}
{{- end }}
{{- end }}

{{- define "sark.validateSecrets" -}}
{{- $secrets := .Values.secrets }}
{{- $existing := "an existingSecret (a Secret holding JWT_SECRET_KEY, AUDIT_CHECKPOINT_KEY, DATABASE_URL and SARK_ADMIN_PASSWORD)" }}
{{- if .Values.existingSecret }}
{{- if $secrets }}
{{- fail "sark: set existingSecret or secrets, not both" }}
{{- end }}
{{- else }}
{{- $algorithm := upper (toString (default "HS256" .Values.config.JWT_ALGORITHM)) }}
{{- if and (eq $algorithm "HS256") (not $secrets.JWT_SECRET_KEY) }}
{{- fail (printf "sark: no JWT signing key: set secrets.JWT_SECRET_KEY (openssl rand -hex 32) or %s" $existing) }}
{{- end }}
{{- if and (ne $algorithm "HS256") (not $secrets.JWT_PRIVATE_KEY) }}
{{- fail (printf "sark: JWT_ALGORITHM %s needs secrets.JWT_PRIVATE_KEY (PEM) and config.JWT_PUBLIC_KEY, or %s" $algorithm $existing) }}
{{- end }}
{{- if not $secrets.AUDIT_CHECKPOINT_KEY }}
{{- fail (printf "sark: no audit checkpoint key: set secrets.AUDIT_CHECKPOINT_KEY (openssl rand -hex 32) or %s" $existing) }}
{{- end }}
{{- if not $secrets.SARK_ADMIN_PASSWORD }}
{{- fail (printf "sark: no bootstrap admin password (helm test logs in with it): set secrets.SARK_ADMIN_PASSWORD or %s" $existing) }}
{{- end }}
{{- $production := and (eq .Values.environment "production") (not (include "sark.truthy" .Values.config.SARK_ALLOW_EMBEDDED_IN_PRODUCTION)) }}
{{- $replicas := or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}
{{- $database := or $secrets.DATABASE_URL (and .Values.config.POSTGRES_HOST $secrets.POSTGRES_PASSWORD) }}
{{- if and (or $production $replicas) (not $database) }}
{{- fail (printf "sark: no database credentials (production, and more than one replica, need PostgreSQL): set secrets.DATABASE_URL (postgres://user:password@host:5432/sark) or %s" $existing) }}
{{- end }}
{{- end }}
{{- end }}

{{/* "true" when a SARK boolean variable's value is true (SARK accepts true/1/yes/on). */}}
{{- define "sark.truthy" -}}
{{- if has (lower (toString .)) (list "true" "1" "yes" "on") }}true{{ end }}
{{- end }}

{{/*
The pod must leave the Service's endpoints while SARK still serves: readiness fails at SIGTERM,
so the delay must outlast the probes that notice it.
*/}}
{{- define "sark.validateShutdown" -}}
{{- $readiness := .Values.probes.readiness }}
{{- $detection := mul $readiness.periodSeconds $readiness.failureThreshold }}
{{- if le (int .Values.shutdown.delaySeconds) (int $detection) }}
{{- fail (printf "sark: shutdown.delaySeconds (%d) must exceed probes.readiness periodSeconds × failureThreshold (%d)" (int .Values.shutdown.delaySeconds) (int $detection)) }}
{{- end }}
{{- end }}

{{/* terminationGracePeriodSeconds: the whole drain plus a margin. */}}
{{- define "sark.terminationGracePeriodSeconds" -}}
{{- add .Values.shutdown.delaySeconds .Values.shutdown.graceSeconds .Values.shutdown.marginSeconds }}
{{- end }}
