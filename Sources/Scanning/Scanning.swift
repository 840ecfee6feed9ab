// Malware scanning (in progress).
