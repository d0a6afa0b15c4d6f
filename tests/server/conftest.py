"""A tiny ONNX voice, and a live tts-server app on loopback (in this process) for it."""

import copy
import threading

import pytest

from synthesis.deploy.onnx_runtime import OnnxSynthesizer

from ..helpers import ThreadedServer, tiny_parallel_voice


@pytest.fixture(scope="session")
def tiny_voice(four_utterances, tmp_path_factory):
    """(voice folder, its ONNX export)"""
    return tiny_parallel_voice(four_utterances, tmp_path_factory.mktemp("server_voice"))


@pytest.fixture(scope="session")
def onnx_voice(tiny_voice):
    return tiny_voice[1]


@pytest.fixture(scope="session")
def synth(onnx_voice):
    return OnnxSynthesizer(onnx_voice, threads=1)


@pytest.fixture
def live(synth):
    """``live(**ServerConfig settings)`` → a started server (closed after the test)."""
    servers = []

    def start(synthesizer=None, **settings):
        from server.app import ServerConfig, make_app

        servers.append(ThreadedServer(make_app(synthesizer or synth, ServerConfig(**settings))))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


class Gate:
    """Holds synthesis before the sentence numbered ``before`` until ``open()``."""

    def __init__(self, before: int):
        self.before, self.event, self.reached = before, threading.Event(), threading.Event()

    def open(self):
        self.event.set()


def gated(synth, gate: Gate):
    """A copy of ``synth`` whose sentences stop at the gate (the server's vocoder copies too)."""
    base = type(synth)

    class Gated(base):
        def sentences(self, *args, **kwargs):
            for n, sentence in enumerate(base.sentences(self, *args, **kwargs)):
                if n == gate.before:
                    gate.reached.set()
                    assert gate.event.wait(60), "the test never opened the gate"
                yield sentence
            if gate.before < 0:
                gate.reached.set()

    other = copy.copy(synth)
    other.__class__ = Gated
    return other


@pytest.fixture
def make_gate():
    gates = []

    def make(before: int) -> Gate:
        gates.append(Gate(before))
        return gates[-1]

    yield make
    for g in gates:  # never leave a worker thread blocked
        g.open()
