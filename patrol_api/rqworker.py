"""The rq worker of `patrol-api worker`: rq's Worker, quitting at once when its work is done.

rq stops a worker's pub/sub thread (which listens for stop and kill commands) by sending
UNSUBSCRIBE and then stopping the thread. With redis-py 8 the thread, woken by the reply
before its running flag is cleared, goes back to waiting up to 60 s for a subscription, and
`stop()` waits for it without a limit: a burst worker then took a minute to exit after its
last job (tests/test_jobs.py). Clearing the flag first lets the reply end the thread.
"""
from rq import Worker as RqWorker


class Worker(RqWorker):
    """rq's Worker whose pub/sub thread ends as soon as the worker unsubscribes."""

    def unsubscribe(self) -> None:
        """Clear the thread's running flag (no wait), then unsubscribe as rq does."""
        if self.pubsub_thread is not None:
            self.pubsub_thread.stop(timeout=0)
        super().unsubscribe()
