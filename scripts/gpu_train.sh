#!/usr/bin/env bash
# Train the three shipped models (small Tacotron2, small WaveGlow, CRNN recognizer) at
# the same time on one GPU machine that has PyTorch but not this project's other
# dependencies and no network. Run from the repository root, with
#   .remote/pack   the corpus pack (python scripts/remote_data.py pack ...)
#   .whl/          wheels of the missing pure-data packages (librosa, soundfile, soxr, rapidfuzz, ...)
#   .espeak/       espeak-ng with its libraries and the cmn/en data (to re-render the audio)
#   .remote/init/  optional: slim checkpoints acoustic.pt, waveglow.pt, recognizer.pt to start from
# Environment: OUT (where logs and slim checkpoints go), BUDGET (seconds per model),
# ACOUSTIC_STEPS, VOCODER_STEPS, RECOGNIZER_STEPS (the cosine schedules' lengths),
# ACOUSTIC_ARGS, VOCODER_ARGS, RECOGNIZER_ARGS (more tts-train arguments, e.g. --set train.lr=5e-4),
# ACOUSTIC_WORKERS, VOCODER_WORKERS, RECOGNIZER_WORKERS (data loader processes); SKIP (names not to train).
set -u
OUT=${OUT:-/tmp/gpu_out}
BUDGET=${BUDGET:-470}
mkdir -p "$OUT"
start=$(date +%s)
[[ -n ${SKIP_WHEELS:-} ]] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
export PATH=$PWD/.espeak/bin:$PATH LD_LIBRARY_PATH=$PWD/.espeak/lib ESPEAK_DATA_PATH=$PWD/.espeak
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 scripts/remote_data.py unpack --pack .remote/pack --corpus data/corpus --feats data/feats \
  --jobs "$(nproc)" 2>&1 | tr '\r' '\n' | grep -v "restoring:" | tee "$OUT/unpack.log"
echo "unpacked after $(( $(date +%s) - start )) s"

train() {  # name, workers, then tts-train arguments
  local name=$1 workers=$2; shift 2
  [[ " ${SKIP:-} " == *" $name "* ]] && return
  local init=()
  [[ -f .remote/init/$name.pt ]] && init=(--init ".remote/init/$name.pt")
  rm -rf "runs/$name"      # a machine still warm from an earlier call keeps its runs; each call starts anew
  OMP_NUM_THREADS=2 timeout -k 60 -s INT "$BUDGET" python3 -m cli.train --out "runs/$name" "${init[@]}" \
    --set train.num_workers="$workers" --set train.device="${DEVICE:-cuda}" --set train.progress=false "$@" \
    > "$OUT/$name.log" 2>&1
  echo "$name: exit $? after $(( $(date +%s) - start )) s" | tee -a "$OUT/status.txt"
}
train acoustic "${ACOUSTIC_WORKERS:-3}" --config configs/tacotron2_small.yaml --set train.batch_size=64 \
  --set train.steps="${ACOUSTIC_STEPS:-1200}" --set train.validate_every=300 --set train.checkpoint_every=300 \
  ${ACOUSTIC_ARGS:-} &
train waveglow "${VOCODER_WORKERS:-6}" --config configs/waveglow_small.yaml --set train.batch_size=24 \
  --set train.steps="${VOCODER_STEPS:-8000}" --set train.validate_every=2000 --set train.checkpoint_every=1000 \
  ${VOCODER_ARGS:-} &
train recognizer "${RECOGNIZER_WORKERS:-6}" --config configs/recognizer_crnn.yaml --set train.batch_size=32 \
  --set train.steps="${RECOGNIZER_STEPS:-4000}" --set train.validate_every=1000 --set train.checkpoint_every=1000 \
  ${RECOGNIZER_ARGS:-} &
wait

# Slim checkpoints (weights, config, task state; no optimizer) small enough to bring back.
python3 - "$OUT" <<'EOF'
import sys
from pathlib import Path
import torch
out = Path(sys.argv[1])
for run in sorted(Path("runs").iterdir()):
    ckpt = run / "checkpoints" / "latest.pt"
    if not ckpt.exists():
        continue
    state = torch.load(ckpt, map_location="cpu", weights_only=True)
    slim = {k: v for k, v in state.items() if k not in ("optimizer", "scheduler", "scaler", "rng")}
    torch.save(slim, out / f"{run.name}.pt")
    print(f"{run.name}: step {state.get('step')}, {(out / f'{run.name}.pt').stat().st_size / 2**20:.1f} MiB")
EOF
for f in "$OUT"/*.pt; do
  [[ $(stat -c %s "$f") -gt 15000000 ]] && split -b 15000000 -d "$f" "$f.part" && rm "$f"
done
tar czf "$OUT/runs.tgz" --exclude=checkpoints runs "$OUT"/*.log "$OUT"/status.txt 2>/dev/null
rm -f "$OUT"/*.log
ls -la "$OUT"
