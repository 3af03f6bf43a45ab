"""Operations: the health server (``/healthz``, ``/readyz``, ``/metrics``), the metric set and
the Bot API error counter of a ``relais run`` process."""
