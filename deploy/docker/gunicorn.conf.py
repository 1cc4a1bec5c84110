"""gunicorn settings for every deployment (the image's CMD, the Swarm stack, the AWS instances, the scale-out test).

Values come from the environment so one image fits a small VM and a large instance alike. Keep-alive (75 s)
must outlast the idle timeout of whatever keeps connections open to gunicorn (NGINX's upstream
keepalive_timeout, 50 s; the ALB's idle timeout, 60 s): otherwise gunicorn closes a connection the proxy is
about to reuse, and that request fails with a 502. gthread parks idle connections in a poller, not a thread.
"""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


wsgi_app = "bookstore.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")

# gthread: a few processes with threads each; waiting on MySQL does not block the whole process.
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", 3)
threads = _int("GUNICORN_THREADS", 4)
keepalive = _int("GUNICORN_KEEPALIVE", 75)

# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new connections over them. On one
# shared socket, the connections a proxy opens at once go to whichever worker wakes first and stay there while kept
# alive: in the bench, all eight of wrk's connections landed on one worker in two rounds of six, which the GIL holds
# to one core, and a third of the machine stayed idle at 40 % less throughput (bench/README.md, "One socket per
# worker"). The containers set net.ipv4.tcp_migrate_req=1, so that connections still queued on a worker that exits
# (max_requests, a restart) go to another one instead of being reset.
reuse_port = _bool("GUNICORN_REUSE_PORT", True)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 25)

# Recycle workers now and then so a slow leak never grows; jitter keeps them from restarting together.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# The heartbeat file on tmpfs: a container's overlay filesystem can stall it and get workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - a tmpfs, not a shared /tmp  # nosec B108

# Only the proxies in front may set X-Forwarded-*; the default trusts every peer, which fits a container whose
# port is reachable only through NGINX or the load balancer. Django itself decides on X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

# Replicas are managed by Docker, Swarm or the Auto Scaling group, not through gunicorn's control socket
# (which would also need a writable home directory).
control_socket_disable = True

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
