#!/usr/bin/env bash
# Installs what the test suite needs (venv, package with the dev and sentence-transformers extras, Debian
# chromium for the browser tests) and runs the whole suite. Used as-is by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q -e ".[dev,sentence-transformers]"  # the extra: the sentence-transformers backend is tested too

# Debian chromium drives the browser tests; the CJK and emoji fonts make its screenshots readable.
need_pkgs=()
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_pkgs+=(fonts-wqy-microhei)
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need_pkgs+=(fonts-noto-color-emoji)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null) \
      || echo "warning: could not install ${need_pkgs[*]}; browser tests may fail" >&2
  else
    echo "warning: ${need_pkgs[*]} missing and apt-get unavailable; browser tests may fail" >&2
  fi
fi

set +e
python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
