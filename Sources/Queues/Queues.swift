// Job queues (in progress).
