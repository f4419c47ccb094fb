# SPDX-License-Identifier: MIT
"""Long C++ calls release the GIL (other Python threads run) and stop on Ctrl-C."""
import _thread
import threading
import time

import pytest

import kolsim


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
    inside = [x for x in ticks if window["start"] < x < window["end"]]
    duration = window["end"] - window["start"]
    # With the GIL held by C++ this loop could not run at all during the call.
    assert duration > 0.05, "the workload is too small to observe"
    assert len(inside) > 1000, (len(inside), duration)


@pytest.mark.parametrize("what", ["estimate", "imm"])
def test_interrupt_raises_keyboard_interrupt(big_model, what):
    delay = 0.3
    timer = threading.Timer(delay, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    raised_in_call = False
    try:
        try:
            if what == "estimate":
                kolsim.estimate_spread(big_model, [0, 1, 2], trials=2**36, seed=1, threads=2)
            else:
                # threads=2: the other sampler thread must quit when thread 0 sees the stop.
                kolsim.imm(big_model, 50, epsilon=0.05, seed=1, threads=2)
        except KeyboardInterrupt:
            raised_in_call = True
            elapsed = time.perf_counter() - start
        else:
            time.sleep(5)  # the call finished first: absorb the pending interrupt, then fail below
    except KeyboardInterrupt:
        pass
    finally:
        timer.cancel()
    assert raised_in_call, "the C++ call was not interrupted"
    assert elapsed < delay + 1.0, elapsed
