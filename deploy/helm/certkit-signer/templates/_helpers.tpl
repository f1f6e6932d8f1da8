{{/* The objects' name: the release name when it contains the chart's name, else RELEASE-certkit-signer. */}}
{{- define "certkit-signer.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "certkit-signer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "certkit-signer.fullname" . }}
{{- end -}}

{{- define "certkit-signer.labels" -}}
{{ include "certkit-signer.selectorLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "certkit-signer.leaseName" -}}
{{- .Values.leaderElection.leaseName | default (include "certkit-signer.fullname" .) -}}
{{- end -}}
