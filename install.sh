#!/usr/bin/env bash
# Set up the toolkit on a fresh Linux x86_64 machine: espeak-ng from Debian, then a
# virtual environment in .venv with the pinned Python packages (torch 2.9.1 included,
# about 7 GB). Safe to run again: it only installs what is missing.
#   ./install.sh          the toolkit
#   ./install.sh --test   the toolkit and the test tools
set -euo pipefail
cd "$(dirname "$0")"

extras=""
[[ "${1:-}" == "--test" ]] && extras="[test]"

# Debian packages: espeak-ng (the corpus and English words); for the tests also Chromium
# (the listening-test page is driven in a real headless browser).
packages=()
command -v espeak-ng >/dev/null 2>&1 || packages+=(espeak-ng)
[[ -n "$extras" ]] && ! command -v chromium >/dev/null 2>&1 && packages+=(chromium)
if [[ ${#packages[@]} -gt 0 ]]; then
  echo "install.sh: installing ${packages[*]} (Debian packages)"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
echo "install.sh: installing Python packages into .venv (first time: several minutes)"
.venv/bin/python -m pip install -q -e ".${extras}"
# The shipped voice as an ONNX export (synthesis without PyTorch: a fast start), remade when
# the voice's weights change, and the frontend's word-frequency cache (~/.cache/mandarin-tts).
if ! .venv/bin/python -c "import sys; from synthesis import export_is_current as c; from synthesis.sentences import DEFAULT_EXPORT as e, DEFAULT_VOICE as v; sys.exit(0 if c(e, v) else 1)"; then
  echo "install.sh: exporting the shipped voice to ONNX (tts/voices/default-onnx)"
  .venv/bin/tts-export --model tts/voices/default --format onnx --out tts/voices/default-onnx >/dev/null
fi
.venv/bin/tts-frontend "你好" >/dev/null
echo "install.sh: done; commands are in .venv/bin (tts-frontend, ...)"
