# Shared by the throwaway-server scripts in this folder (sourced, not run).

# A free TCP port on 127.0.0.1 (python3 asks the kernel; without it, a random high port).
free_port() {
    local python="${PYTHON:-python3}"
    if command -v "$python" >/dev/null; then
        "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 40000))
    fi
}

# The server must not keep the caller's descriptors (a test runner's pipes and sockets) open.
close_inherited_fds() {
    local fd
    for fd in /proc/$$/fd/*; do
        fd="${fd##*/}"
        case "$fd" in 0 | 1 | 2 | 255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
    done
}
