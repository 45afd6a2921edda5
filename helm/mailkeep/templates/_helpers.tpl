{{/* Names, labels and the pieces every role's pod shares. */}}

{{- define "mailkeep.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mailkeep.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The role names with a Deployment, in a stable order. */}}
{{- define "mailkeep.roles" -}}
gateway metadata blob admin
{{- end -}}

{{/* "<fullname>-<role>"; call with (list $ "role"). */}}
{{- define "mailkeep.roleName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "mailkeep.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mailkeep.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "mailkeep.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one role; call with (list $ "role"). */}}
{{- define "mailkeep.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "mailkeep.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* All labels of one role's objects; call with (list $ "role"). */}}
{{- define "mailkeep.roleLabels" -}}
{{ include "mailkeep.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "mailkeep.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mailkeep.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "mailkeep.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Drain deadline plus the pre-stop sleep plus a margin (ARCHITECTURE.md §7). */}}
{{- define "mailkeep.terminationGracePeriodSeconds" -}}
{{- add .Values.drain.preStopSleepSeconds .Values.drain.timeoutSeconds .Values.drain.marginSeconds -}}
{{- end -}}

{{/* gRPC addresses of the metadata and blob Services. */}}
{{- define "mailkeep.metadataUrl" -}}
{{- printf "http://%s:%v" (include "mailkeep.roleName" (list . "metadata")) .Values.metadata.service.port -}}
{{- end -}}
{{- define "mailkeep.blobUrl" -}}
{{- printf "http://%s:%v" (include "mailkeep.roleName" (list . "blob")) .Values.blob.service.port -}}
{{- end -}}

{{/* Container ports of one role, as a YAML list; call with (list $ "role"). */}}
{{- define "mailkeep.containerPorts" -}}
{{- $role := index . 1 -}}
{{- if eq $role "gateway" }}
- {name: imap, containerPort: 1143, protocol: TCP}
- {name: imaps, containerPort: 1993, protocol: TCP}
- {name: lmtp, containerPort: 2424, protocol: TCP}
{{- else if eq $role "metadata" }}
- {name: grpc, containerPort: 50051, protocol: TCP}
{{- else if eq $role "blob" }}
- {name: grpc, containerPort: 50052, protocol: TCP}
{{- else if eq $role "admin" }}
- {name: http, containerPort: 8080, protocol: TCP}
{{- end }}
- {name: ops, containerPort: 9090, protocol: TCP}
{{- end -}}

{{/* Environment every mailkeep container gets. */}}
{{- define "mailkeep.commonEnv" -}}
- name: MAILKEEP_CONFIG
  value: /etc/mailkeep/mailkeep.toml
- name: MAILKEEP_LOG
  value: {{ .Values.logLevel | quote }}
{{- end -}}

{{/* Environment of one role: secrets that have no *_file key. */}}
{{- define "mailkeep.roleEnv" -}}
{{- $root := index . 0 -}}
{{- $role := index . 1 -}}
{{- $s := $root.Values.secrets -}}
{{- if eq $role "metadata" }}
- name: MAILKEEP_METADATA__DATABASE_URL
  valueFrom:
    secretKeyRef: {name: {{ $s.database.name | quote }}, key: {{ $s.database.key | quote }}}
{{- end }}
{{- if and $s.secretsKey.name (eq $role "metadata") }}
- name: MAILKEEP_METADATA__SECRETS_KEY
  valueFrom:
    secretKeyRef: {name: {{ $s.secretsKey.name | quote }}, key: {{ $s.secretsKey.key | quote }}}
{{- end }}
{{- if eq $role "blob" }}
- name: MAILKEEP_BLOB__S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef: {name: {{ $s.s3.name | quote }}, key: {{ $s.s3.accessKeyIdKey | quote }}}
{{- end }}
{{- if and $s.bus.name (has $role (list "metadata" "gateway")) }}
- name: {{ printf "MAILKEEP_%s__BUS_URL" (upper $role) }}
  valueFrom:
    secretKeyRef: {name: {{ $s.bus.name | quote }}, key: {{ $s.bus.key | quote }}}
{{- end }}
{{- end -}}

{{/* Secret files of one role, as volumes (mounted under /run/secrets/mailkeep/). */}}
{{- define "mailkeep.secretVolumes" -}}
{{- $root := index . 0 -}}
{{- $role := index . 1 -}}
{{- $s := $root.Values.secrets -}}
- name: internal-token
  secret:
    secretName: {{ $s.internalToken.name }}
    items: [{key: {{ $s.internalToken.key | quote }}, path: token}]
{{- if eq $role "blob" }}
- name: s3-secret
  secret:
    secretName: {{ $s.s3.name }}
    items: [{key: {{ $s.s3.secretAccessKeyKey | quote }}, path: secret-access-key}]
{{- end }}
{{- if eq $role "admin" }}
- name: admin-token
  secret:
    secretName: {{ $s.adminToken.name }}
    items: [{key: {{ $s.adminToken.key | quote }}, path: token}]
{{- end }}
{{- if and (eq $role "gateway") $root.Values.tls.enabled }}
- name: tls
  secret:
    secretName: {{ $root.Values.tls.secretName }}
{{- end }}
{{- end -}}

{{- define "mailkeep.secretMounts" -}}
{{- $root := index . 0 -}}
{{- $role := index . 1 -}}
- {name: internal-token, mountPath: /run/secrets/mailkeep/internal, readOnly: true}
{{- if eq $role "blob" }}
- {name: s3-secret, mountPath: /run/secrets/mailkeep/s3, readOnly: true}
{{- end }}
{{- if eq $role "admin" }}
- {name: admin-token, mountPath: /run/secrets/mailkeep/admin, readOnly: true}
{{- end }}
{{- if and (eq $role "gateway") $root.Values.tls.enabled }}
- {name: tls, mountPath: /etc/mailkeep/tls, readOnly: true}
{{- end }}
{{- end -}}
