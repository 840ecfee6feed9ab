// RESP client (in progress).
