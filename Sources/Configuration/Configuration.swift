// lakegate.yaml (in progress).
