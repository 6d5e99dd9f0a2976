"""Many new versions worked out in two processes at once: the older ones in a forked child, the
newer ones here.

Each version costs splitting and hashing its lines (pure Python, under the GIL: threads would
take turns), and the versions of a first history are independent once their bases are known,
so a second core halves the wait. Only where forking is safe and pays: a machine with more than
one core, a process running a single thread (a fork copies no other thread, so a lock one held
would stay locked in the child) and enough versions to outweigh copying the results back.
Anything that goes wrong in the child (an error, a crash) leaves its share to this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = dict

MIN_ITEMS = 64  # fewer new versions than this are worked out here alone


def can_fork() -> bool:
    """Whether a second process can take a share: Linux (macOS's system libraries are not safe
    to use after a fork), more than one core, and a single thread in this process."""
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def split_at(weights: Sequence[int]) -> int:
    """Where to split ``weights`` (each item's cost, e.g. its size) into two parts whose costs
    are as even as they can be: the index of the first item of the second part."""
    total, prefix = sum(weights), 0
    best, best_cost = 0, total
    for at, weight in enumerate(weights, 1):
        prefix += weight
        if max(prefix, total - prefix) < best_cost:
            best, best_cost = at, max(prefix, total - prefix)
    return best


def in_two(
    work: Callable[[list[Item]], Result], items: list[Item], weigh: Callable[[list[Item]], Sequence[int]]
) -> Result:
    """``work`` of all ``items`` (oldest first), its results merged: the older half (by their
    costs, as ``weigh`` tells them) in a forked child when ``can_fork``, the rest here."""
    if len(items) < MIN_ITEMS or not can_fork():
        return work(items)
    cut = split_at(weigh(items))
    older, newer = items[:cut], items[cut:]
    forking = multiprocessing.get_context("fork")
    receive, send = forking.Pipe(duplex=False)
    child = forking.Process(target=_child, args=(work, older, send), daemon=True)
    try:
        child.start()
    except (OSError, AssertionError):  # no process to spare, or this one may have no children
        receive.close()
        send.close()
        return work(items)
    send.close()
    try:
        results = work(newer)
        try:
            done = receive.recv()
        except (EOFError, OSError):  # the child died before it answered
            done = None
        return results | (done if isinstance(done, dict) else work(older))
    finally:
        receive.close()
        child.join()


def _child(work: Callable[[list], Result], items: list, send) -> None:
    try:
        done = work(items)
    except Exception:  # noqa: BLE001 - the parent works the share out itself
        done = None
    try:
        send.send(done)
    except OSError:  # the parent stopped listening (it failed on its own share)
        pass
    finally:
        send.close()
