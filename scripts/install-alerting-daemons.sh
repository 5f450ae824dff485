#!/usr/bin/env bash
# Installs what the alerts module's tests start or run, from Debian packages, when missing:
#   prometheus               prometheus and promtool (PrometheusRulesIT, PromtoolTest)
#   prometheus-alertmanager  prometheus-alertmanager and amtool (AlertmanagerIT)
# The tests start their own daemons on free ports; the packaged services are not needed.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for tool in prometheus promtool; do
  command -v "$tool" >/dev/null 2>&1 || { missing+=(prometheus); break; }
done
if ! command -v amtool >/dev/null 2>&1 \
  || ! { command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1; }; then
  missing+=(prometheus-alertmanager)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "alerting daemons present: $(prometheus --version 2>&1 | head -n 1); $(amtool --version 2>&1 | head -n 1)"
  exit 0
fi

echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -q
as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
