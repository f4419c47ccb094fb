# SPDX-License-Identifier: MIT
"""Long C++ calls release the GIL (other Python threads run) and stop on Ctrl-C.

No assertion depends on how fast the machine is: the GIL test only asks that the main thread
ran at all in the middle of the call, and the interrupt tests bound the latency from the
interrupt to the KeyboardInterrupt generously (the stop token is polled every few milliseconds
of work; the bound is hundreds of polling intervals). Nothing sleeps on a failure path.
"""
import _thread
import threading
import time

import pytest

import kolsim

# The Python stop token checks for signals at most every 20 ms; C++ polls it between batches of
# a few milliseconds of work. 5 s is more than a hundred polling intervals.
LATENCY_BOUND = 5.0


@pytest.fixture(scope="module")
def big_model():
    return kolsim.IndependentCascade(kolsim.weighted_cascade(kolsim.chung_lu(20000, 8.0, 2.5, 2.1, seed=3)))


def test_gil_released_during_estimate(big_model):
    window = {}

    def work():
        window["start"] = time.perf_counter()
        kolsim.estimate_spread(big_model, [0, 1, 2], trials=30000, seed=1, threads=1)
        window["end"] = time.perf_counter()

    t = threading.Thread(target=work)
    ticks = []
    t.start()
    while t.is_alive():
        ticks.append(time.perf_counter())
    t.join()
    start, end = window["start"], window["end"]
    # With the GIL held by C++ the main thread could not run at all while the call ran: no tick
    # could fall in the middle half of the call, however loaded the machine is.
    middle = [x for x in ticks if start + (end - start) / 4 < x < end - (end - start) / 4]
    assert middle, (len(ticks), end - start)


def _interrupt(call, delay):
    """Runs call() with an interrupt_main() after `delay` seconds; returns (raised in the call,
    seconds from the interrupt to the KeyboardInterrupt)."""
    fired = []

    def fire():
        fired.append(time.perf_counter())
        _thread.interrupt_main()

    timer = threading.Timer(delay, fire)
    raised_in_call = False
    latency = None
    try:
        timer.start()
        try:
            call()
        except KeyboardInterrupt:
            raised_in_call = True
            latency = time.perf_counter() - fired[0] if fired else None
        finally:
            timer.cancel()
            timer.join()
        # The call finished first and the interrupt fired after it: let it arrive here (a few
        # bytecodes later) instead of in pytest, without waiting.
        for _ in range(1000):
            pass
    except KeyboardInterrupt:
        pass
    return raised_in_call, latency


@pytest.mark.parametrize("what", ["estimate", "imm"])
def test_interrupt_raises_keyboard_interrupt(big_model, what):
    if what == "estimate":
        def call():
            kolsim.estimate_spread(big_model, [0, 1, 2], trials=2**36, seed=1, threads=2)
    else:
        def call():
            # threads=2: the other sampler thread must quit when thread 0 sees the stop.
            kolsim.imm(big_model, 50, epsilon=0.05, seed=1, threads=2)
    raised_in_call, latency = _interrupt(call, 0.3)
    assert raised_in_call, "the C++ call finished before the interrupt (or ignored it)"
    assert latency is not None, "KeyboardInterrupt before the interrupt was sent"
    assert latency < LATENCY_BOUND, latency
