#!/usr/bin/env bash
# Prometheus configuration and rules (ctest: prometheus_rules, label deploy; a few seconds):
#   promtool check rules   deploy/prometheus/rules.yml
#   promtool check config  deploy/prometheus/prometheus.yml (compose) and prometheus-k8s.yml
#   promtool test rules    deploy/prometheus/rules_test.yml: every alert fires on its fault, waits
#                          out its `for:` and stays quiet on a healthy cluster
#   deploy/k8s/prometheus.yaml carries rules.yml and prometheus-k8s.yml byte for byte
#   with PyYAML: every alert has `for:`, a severity, a summary and a description; the compose
#   scrape jobs name every coordinator/origin/edge service on its --http port; deploy/k8s/validate
#
# Exit: 0 passed, 1 failed, 77 skipped ("SKIPPED: reason" without promtool).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
P=$ROOT/deploy/prometheus
command -v promtool >/dev/null || { echo "SKIPPED: no promtool (apt-get install prometheus)"; exit 77; }
failed=0
step() {   # step NAME COMMAND...: runs it, prints its output when it fails
  local out
  if out=$("${@:2}" 2>&1); then
    echo "ok    $1"
  else
    echo "FAIL  $1"; sed 's/^/      /' <<<"$out"; failed=1
  fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "$(promtool --version 2>&1 | head -n 1)"
step "promtool check rules deploy/prometheus/rules.yml" promtool check rules "$P/rules.yml"
step "promtool check config deploy/prometheus/prometheus.yml" promtool check config "$P/prometheus.yml"

# Debian's prometheus is built without Kubernetes service discovery ("field kubernetes_sd_configs
# not found"): then check a copy whose kubernetes_sd_configs blocks are static targets, which
# still checks the relabelling, the rule file and everything else.
k8s_out=$(promtool check config "$P/prometheus-k8s.yml" 2>&1); k8s_rc=$?
k8s_note=""
if [ $k8s_rc -ne 0 ] && grep -q 'field kubernetes_sd_configs not found' <<<"$k8s_out"; then
  k8s_note=" (static targets in place of Kubernetes discovery, which this promtool lacks)"
  awk '/^    kubernetes_sd_configs:/ { print "    static_configs: [{targets: [\"pod.invalid:9090\"]}]"; skip = 1; next }
       skip && /^      / { next }
       { skip = 0; print }' "$P/prometheus-k8s.yml" >"$tmp/prometheus.yml"
  cp "$P/rules.yml" "$tmp/rules.yml"
  k8s_config() { promtool check config "$tmp/prometheus.yml"; }
else
  k8s_config() { echo "$k8s_out"; return $k8s_rc; }
fi
step "promtool check config deploy/prometheus/prometheus-k8s.yml$k8s_note" k8s_config
step "promtool test rules deploy/prometheus/rules_test.yml" promtool test rules "$P/rules_test.yml"
step "deploy/k8s/prometheus.yaml is make-k8s-configmap's output" "$P/make-k8s-configmap" --check

if python3 -c 'import yaml' 2>/dev/null; then
  step "ConfigMap data, alert labels and annotations, compose scrape jobs" python3 - "$ROOT" <<'PY'
import sys, yaml
root = sys.argv[1]
errors = []
read = lambda path: open(f"{root}/{path}", encoding="utf-8").read()

# The ConfigMap's keys hold the files byte for byte (after YAML's block scalar).
data = yaml.safe_load(read("deploy/k8s/prometheus.yaml"))["data"]
for key, path in (("rules.yml", "deploy/prometheus/rules.yml"), ("prometheus.yml", "deploy/prometheus/prometheus-k8s.yml")):
    if data.get(key) != read(path):
        errors.append(f"deploy/k8s/prometheus.yaml: data[{key!r}] differs from {path}")

# Every alert: for, severity, summary, description; the alerts the runbook (docs/deploy.md) names.
groups = {g["name"]: g["rules"] for g in yaml.safe_load(read("deploy/prometheus/rules.yml"))["groups"]}
alerts = {r["alert"]: r for r in groups.get("rs-alerts", [])}
for name in ("EdgeDown", "StreamDown", "ReaderSkips", "CoordinatorUnreachable", "OriginDown"):
    if name not in alerts:
        errors.append(f"rules.yml: no alert {name} in group rs-alerts")
for name, r in alerts.items():
    if "for" not in r or r.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
        errors.append(f"rules.yml: {name} needs for: and a severity label (critical, warning, info)")
    if not {"summary", "description"} <= set(r.get("annotations", {})):
        errors.append(f"rules.yml: {name} needs summary and description annotations")
docs = read("docs/deploy.md")
for name in alerts:
    if f"`{name}`" not in docs:
        errors.append(f"docs/deploy.md does not explain alert {name}")
tested = read("deploy/prometheus/rules_test.yml")
for name in alerts:
    if f"alertname: {name}" not in tested:
        errors.append(f"rules_test.yml does not test alert {name}")
if not any(r.get("record") for r in groups.get("rs-recording", [])):
    errors.append("rules.yml: no recording rule in group rs-recording")

# Compose: each service running a program with --http is a DNS name of that program's job, on
# that port; each name a job lists is a service of some compose file.
jobs = {}
for job in yaml.safe_load(read("deploy/prometheus/prometheus.yml"))["scrape_configs"]:
    for sd in job.get("dns_sd_configs", []):
        for n in sd["names"]:
            jobs[n] = (job["job_name"], sd["port"])
services = set()
for f in ("docker-compose.yml", "docker-compose.redundant.yml", "docker-compose.public.yml"):
    for name, svc in yaml.safe_load(read(f"deploy/{f}"))["services"].items():
        services.add(name)
        program = (svc.get("command") or [""])[0]
        if program not in ("rtsp-coordinator", "rtsp-origin", "rtsp-edge"):
            continue
        http = (svc.get("environment") or {}).get("FLAGS_http")
        if http is None:
            if "image" in svc:   # a whole service, not an override of one
                errors.append(f"deploy/{f}: {name} runs {program} without FLAGS_http: Prometheus cannot scrape it")
            continue
        want = (program.removeprefix("rtsp-"), int(str(http).rsplit(":", 1)[1]))
        if jobs.get(name) != want:
            errors.append(f"deploy/{f}: {name} serves --http={http}; prometheus.yml scrapes it as {jobs.get(name)}, want {want}")
for n in jobs:
    if n not in services:
        errors.append(f"prometheus.yml: {n} is no service of the compose files")

for e in errors:
    print("ERROR:", e)
print(f"{len(alerts)} alerts, {sum(len(g) for g in groups.values()) - len(alerts)} recording rules, "
      f"{len(jobs)} compose scrape names checked")
sys.exit(1 if errors else 0)
PY
  step "deploy/k8s/validate" "$ROOT/deploy/k8s/validate"
else
  echo "skip  ConfigMap/annotation/compose cross-checks and deploy/k8s/validate: no PyYAML (apt-get install python3-yaml)"
fi

[ $failed -eq 0 ] && echo "PASSED" || echo "FAILED"
exit $failed
