"""The deployment files agree with each other and with the app (CI also lints them: hadolint, the compose
schema, docker stack config, cfn-lint, checkov).

What no linter sees: timeouts that must nest (load balancer < gunicorn keep-alive), the replicas that must
not migrate, secrets passed as files the settings read, the scripts the containers run.
"""

import json
import os
import re
import runpy
import secrets
import shutil
import subprocess
import sys

import pytest
import yaml
from cfnlint.decode import cfn_yaml
from django.db import connection

from bookstore.tests.test_deploy_nginx import NGINX, ROOT, requires_nginx
from bookstore.tests.test_settings import run_with_env as run_settings_probe
from conftest import mysql_only

DEPLOY = ROOT / "deploy"
# Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a production process never has it.
LEAKY = ("DJANGO_ALLOW_ASYNC_UNSAFE",)


def run_with_env(env_overrides: dict, **kwargs) -> subprocess.CompletedProcess:
    saved = {name: os.environ.pop(name) for name in LEAKY if name in os.environ}
    try:
        return run_settings_probe(env_overrides, **kwargs)
    finally:
        os.environ.update(saved)


def gunicorn_settings(**env: str) -> dict:
    saved = dict(os.environ)
    try:
        for name in [name for name in os.environ if name.startswith("GUNICORN_") or name == "PORT"]:
            del os.environ[name]
        os.environ.update(env)
        return runpy.run_path(str(DEPLOY / "docker" / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def stack() -> dict:
    return yaml.safe_load((DEPLOY / "swarm" / "stack.yml").read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def cloudformation() -> dict:
    return cfn_yaml.load(str(DEPLOY / "aws" / "bookstore.yaml"))


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


# --- The image and gunicorn -----------------------------------------------------------------------------


def test_the_image_is_multi_stage_slim_non_root_and_health_checked():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert len(stages) == 2 and all(stage.startswith("python:3.11-slim") for stage in stages)
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
    assert "collectstatic" in dockerfile
    assert re.search(r'^HEALTHCHECK .*\n\s+CMD \["python", "deploy/docker/healthcheck.py"\]', dockerfile, re.M)
    assert "/healthz" in (DEPLOY / "docker" / "healthcheck.py").read_text()
    assert 'CMD ["gunicorn", "--config", "deploy/docker/gunicorn.conf.py"]' in dockerfile
    assert 'ENTRYPOINT ["deploy/docker/entrypoint.sh"]' in dockerfile


def test_gunicorn_takes_workers_threads_and_keep_alive_from_the_environment():
    defaults = gunicorn_settings()
    assert defaults["worker_class"] == "gthread"
    assert (defaults["workers"], defaults["threads"], defaults["keepalive"]) == (3, 4, 75)
    assert defaults["bind"] == "0.0.0.0:8000"
    tuned = gunicorn_settings(GUNICORN_WORKERS="5", GUNICORN_THREADS="8", GUNICORN_KEEPALIVE="90", PORT="9000")
    assert (tuned["workers"], tuned["threads"], tuned["keepalive"], tuned["bind"]) == (5, 8, 90, "0.0.0.0:9000")


def test_each_gunicorn_worker_listens_on_its_own_socket_where_queued_connections_can_move(
    compose, stack, cloudformation
):
    # bookstore/tests/test_gunicorn_sockets.py runs it; here, the setting and its partner in every deployment.
    assert gunicorn_settings()["reuse_port"] is True
    assert gunicorn_settings(GUNICORN_REUSE_PORT="false")["reuse_port"] is False
    assert compose["services"]["app"]["sysctls"] == {"net.ipv4.tcp_migrate_req": 1}
    assert stack["services"]["web"]["sysctls"] == {"net.ipv4.tcp_migrate_req": 1}
    user_data = json.dumps(resources(cloudformation, "AWS::EC2::LaunchTemplate"))
    assert re.search(r"docker run -d --name app [^\n]*--sysctl net\.ipv4\.tcp_migrate_req=1", user_data)


def test_whatever_keeps_connections_to_gunicorn_closes_them_first(cloudformation):
    keepalive = gunicorn_settings()["keepalive"]
    [balancer] = resources(cloudformation, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {a["Key"]: a["Value"] for a in balancer["Properties"]["LoadBalancerAttributes"]}
    assert int(attributes["idle_timeout.timeout_seconds"]) < keepalive
    template = (DEPLOY / "nginx" / "templates" / "bookstore.conf.template").read_text()
    upstream_idle = re.search(r"upstream bookstore_app \{.*?keepalive_timeout (\d+)s;", template, re.S).group(1)
    assert int(upstream_idle) < keepalive
    user_data = json.dumps(resources(cloudformation, "AWS::EC2::LaunchTemplate"))
    assert f"GUNICORN_KEEPALIVE={keepalive}" in user_data


def test_nginx_accepts_uploads_as_large_as_django_does():
    from django.conf import settings

    template = (DEPLOY / "nginx" / "templates" / "bookstore.conf.template").read_text()
    limit_mb = int(re.search(r"client_max_body_size (\d+)m;", template).group(1))
    largest_form = settings.PHOTOS_PER_LISTING * settings.PHOTO_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert limit_mb * 1024 * 1024 >= largest_form


# --- Compose (one VM) and Swarm ------------------------------------------------------------------------


def test_compose_runs_the_app_the_jobs_and_nginx_with_tls(compose):
    services = compose["services"]
    assert services["app"]["environment"]["MIGRATE_ON_START"] == "true"
    assert services["app"]["environment"]["SECRET_KEY_FILE"].startswith("/run/secrets/")
    assert services["worker"]["command"][:4] == ["celery", "-A", "bookstore", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "bookstore", "beat"]
    assert services["app"]["environment"]["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    nginx = services["nginx"]
    assert {"80:80", "443:443"} <= set(nginx["ports"])
    assert any("templates/bookstore.conf.template:/etc/nginx/templates/" in v for v in nginx["volumes"])
    assert "media:/srv/media:ro" in nginx["volumes"]


def test_every_production_service_names_the_public_address_for_links_in_emails(compose, stack):
    # Settings refuse to start with DEBUG off and no SITE_URL: every Django service needs it, workers included.
    for name, file in [("docker-compose.yml", compose), ("stack.yml", stack)]:
        environments = {
            service: spec["environment"]
            for service, spec in file["services"].items()
            if isinstance(spec.get("environment"), dict) and spec["environment"].get("DEBUG") == "false"
        }
        assert len(environments) >= 3, name
        for service, environment in environments.items():
            assert environment.get("SITE_URL") == "https://${BOOKSTORE_HOST}", f"{name}: {service}"
    assert "SITE_URL=https://${DomainName}" in (DEPLOY / "aws" / "bookstore.yaml").read_text()


def test_swarm_rolls_forward_start_first_and_back_on_failure(stack):
    web = stack["services"]["web"]
    update = web["deploy"]["update_config"]
    assert (update["order"], update["failure_action"]) == ("start-first", "rollback")
    assert web["deploy"]["rollback_config"]["order"] == "start-first"
    assert web["healthcheck"]["test"] == ["CMD", "python", "deploy/docker/healthcheck.py"]
    assert str(web["deploy"]["replicas"]).startswith("${WEB_REPLICAS")


def test_swarm_secrets_are_files_the_settings_read_under_versioned_names(stack):
    web = stack["services"]["web"]
    assert {(s["source"], s["target"]) for s in web["secrets"]} == {
        ("bookstore_secret_key", "bookstore_secret_key"),
        ("bookstore_db_password", "bookstore_db_password"),
    }
    assert web["environment"]["SECRET_KEY_FILE"] == "/run/secrets/bookstore_secret_key"
    assert web["environment"]["DATABASE_PASSWORD_FILE"] == "/run/secrets/bookstore_db_password"
    assert "SECRET_KEY" not in web["environment"] and "DATABASE_PASSWORD" not in web["environment"]
    # A secret cannot change in place: each stack secret names a version (bookstore_db_password_v2, ...), so a
    # rotation creates the next one and redeploys; the services keep reading the same file name.
    for name, secret in stack["secrets"].items():
        assert secret["external"] is True
        assert re.fullmatch(rf"{name}_\$\{{[A-Z_]+_VERSION:-v1\}}", secret["name"]), secret
    for service in stack["services"].values():
        for secret in service.get("secrets", []):
            assert isinstance(secret, dict) and secret["target"] == secret["source"], service


def test_swarm_migrates_once_first_and_the_rest_waits_for_it(stack):
    services = stack["services"]
    assert "MIGRATE_ON_START" not in services["web"]["environment"]
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "deploy/docker/migrate.py"]
    assert migrate["deploy"]["mode"] == "replicated-job"
    # The image's HEALTHCHECK probes gunicorn, which the job never runs: Swarm would kill a long migration.
    assert migrate["healthcheck"] == {"disable": True}
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["WAIT_FOR_MIGRATIONS"] == "true", name
        assert "MIGRATE_ON_START" not in environment, name
    # The web's health grace covers the wait for the migrations on a first deploy.
    wait = int(re.search(r"\d+", services["web"]["environment"]["MIGRATIONS_WAIT_SECONDS"]).group())
    assert int(services["web"]["healthcheck"]["start_period"].rstrip("s")) > wait
    entrypoint = (DEPLOY / "docker" / "entrypoint.sh").read_text()
    assert "deploy/docker/wait_for_migrations.py" in entrypoint


def test_every_compose_and_stack_service_bounds_its_logs(compose, stack):
    for name, file in [("docker-compose.yml", compose), ("stack.yml", stack)]:
        for service, spec in file["services"].items():
            logging = spec.get("logging")
            assert logging and logging["driver"] == "json-file", f"{name}: {service}"
            assert {"max-size", "max-file"} <= set(logging["options"]), f"{name}: {service}"


def test_compose_and_swarm_back_up_the_database_and_media_off_the_host(compose, stack):
    for name, file in [("docker-compose.yml", compose), ("stack.yml", stack)]:
        backup = file["services"]["backup"]
        assert backup["command"] == ["python", "deploy/docker/backup.py", "--daily"], name
        assert "BACKUP_TARGET" in backup["environment"] and "BACKUP_KEEP_DAYS" in backup["environment"], name
        assert "media:/app/media:ro" in backup["volumes"], name
    assert "mariadb-client" in (ROOT / "Dockerfile").read_text()  # mysqldump and mysql in the image


def test_the_certificate_script_takes_the_host_name_from_bookstore_host_only(tmp_path):
    script = DEPLOY / "scripts" / "init-letsencrypt.sh"
    (tmp_path / "deploy" / "scripts").mkdir(parents=True)
    (tmp_path / "deploy" / "scripts" / "init-letsencrypt.sh").write_text(script.read_text())
    env = {"PATH": os.environ["PATH"]}
    (tmp_path / ".env").write_text("BOOKSTORE_HOST=\n")
    run = ["bash", str(tmp_path / "deploy" / "scripts" / "init-letsencrypt.sh")]
    # The old form (host, then email) is refused with the new usage; an empty BOOKSTORE_HOST is refused too.
    old = subprocess.run([*run, "books.example.com", "admin@example.com"], env=env, capture_output=True, text=True)  # noqa: S603
    assert old.returncode == 2 and "BOOKSTORE_HOST in .env" in old.stderr
    empty = subprocess.run([*run, "admin@example.com"], env=env, capture_output=True, text=True)  # noqa: S603
    assert empty.returncode == 2 and "Set BOOKSTORE_HOST" in empty.stderr


def test_swarm_media_are_on_nfs(stack):
    media = stack["volumes"]["media"]["driver_opts"]
    assert media["type"] == "nfs" and "nfsvers=4.1" in media["o"]
    assert "media:/app/media" in stack["services"]["web"]["volumes"]
    assert "media:/srv/media:ro" in stack["services"]["nginx"]["volumes"]


def test_swarm_runs_celery_workers_and_one_beat_on_the_stacks_redis(stack):
    services = stack["services"]
    worker, beat = services["worker"], services["beat"]
    assert worker["command"][:4] == ["celery", "-A", "bookstore", "worker"]
    assert str(worker["deploy"]["replicas"]).startswith("${WORKER_REPLICAS")
    assert beat["command"][:4] == ["celery", "-A", "bookstore", "beat"]
    assert beat["deploy"]["replicas"] == 1
    broker = services["web"]["environment"]["CELERY_BROKER_URL"]
    assert broker.startswith("redis://redis:6379/") and "redis" in services
    # Web, worker and beat share one environment: the web publishes where the workers read.
    assert worker["environment"]["CELERY_BROKER_URL"] == beat["environment"]["CELERY_BROKER_URL"] == broker
    assert "expire-unpaid-orders" not in services and "advance-shipments" not in services


# --- AWS --------------------------------------------------------------------------------------------------


def test_aws_load_balancer_is_https_with_a_modern_policy_and_redirects_http(cloudformation):
    listeners = {
        r["Properties"]["Port"]: r["Properties"]
        for r in resources(cloudformation, "AWS::ElasticLoadBalancingV2::Listener").values()
    }
    assert listeners[443]["Protocol"] == "HTTPS"
    assert listeners[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    [redirect] = listeners[80]["DefaultActions"]
    assert redirect["Type"] == "redirect" and redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    app = cloudformation["Resources"]["AppTargetGroup"]["Properties"]
    assert (app["HealthCheckPath"], app["Port"]) == ("/readyz", 8000)


def test_aws_data_is_encrypted_and_the_database_multi_az(cloudformation):
    database = cloudformation["Resources"]["Database"]["Properties"]
    assert database["MultiAZ"] is True and database["StorageEncrypted"] is True
    assert database["Engine"] == "mysql" and database["EngineVersion"].startswith("8.4.")
    assert "secretsmanager" in json.dumps(database["MasterUserPassword"])
    assert cloudformation["Resources"]["ReadReplica"]["Condition"] == "WithReplica"
    [efs] = resources(cloudformation, "AWS::EFS::FileSystem").values()
    assert efs["Properties"]["Encrypted"] is True
    mount_subnets = {
        json.dumps(r["Properties"]["SubnetId"]) for r in resources(cloudformation, "AWS::EFS::MountTarget").values()
    }
    assert len(mount_subnets) == 2
    template = cloudformation["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert template["MetadataOptions"]["HttpTokens"] == "required"
    user_data = json.dumps(template["UserData"])
    assert "/srv/bookstore/media efs" in user_data and "tls" in user_data
    broker = cloudformation["Resources"]["Broker"]["Properties"]
    assert broker["TransitEncryptionEnabled"] is True and broker["AtRestEncryptionEnabled"] is True
    assert broker["MultiAZEnabled"] is True and "secretsmanager" in json.dumps(broker["AuthToken"])


def test_aws_instances_run_a_celery_worker_and_beat_on_the_broker(cloudformation):
    user_data = json.dumps(cloudformation["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"])
    assert "celery -A bookstore worker" in user_data and "celery -A bookstore beat" in user_data
    assert "CELERY_BROKER_URL_FILE=/run/secrets/broker_url" in user_data
    assert "rediss://" in user_data and "every.sh" not in user_data


def test_aws_group_scales_on_a_target_and_the_name_points_at_the_balancer(cloudformation):
    [policy] = resources(cloudformation, "AWS::AutoScaling::ScalingPolicy").values()
    assert policy["Properties"]["PolicyType"] == "TargetTrackingScaling"
    [record] = resources(cloudformation, "AWS::Route53::RecordSet").values()
    assert "AliasTarget" in record["Properties"]


def _user_data(cloudformation) -> str:
    return cloudformation["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"][
        "Fn::Sub"
    ][0]


def _release_script(cloudformation) -> str:
    content = cloudformation["Resources"]["ReleaseDocument"]["Properties"]["Content"]
    [step] = content["mainSteps"]
    [command] = step["inputs"]["runCommand"]
    return command["Fn::Sub"]


def test_aws_migrates_in_one_release_step_before_the_instances_roll(cloudformation):
    user_data = _user_data(cloudformation)
    # No instance migrates on boot (the first new one would change the schema under the old ones) ...
    assert "MIGRATE_ON_START" not in user_data
    assert "WAIT_FOR_MIGRATIONS=true" in user_data
    # ... except a new stack's first boot, which migrates an empty database only.
    assert "python deploy/docker/release.py --bootstrap" in user_data
    release = _release_script(cloudformation)
    assert "python deploy/docker/release.py" in release and "--bootstrap" not in release
    assert "{{ImageTag}}" in release
    assert cloudformation["Outputs"]["ReleaseDocumentName"]["Value"] == {"Ref": "ReleaseDocument"}


def test_aws_app_connects_as_its_own_least_privileged_user(cloudformation):
    user_data = _user_data(cloudformation)
    assert "DATABASE_URL=mysql://bookstore_app@" in user_data
    assert "--secret-id ${AppDatabaseSecret}" in user_data
    secret = cloudformation["Resources"]["AppDatabaseSecret"]["Properties"]["GenerateSecretString"]
    assert json.loads(secret["SecretStringTemplate"]) == {"username": "bookstore_app"}
    # The master password reaches only the release containers, through a directory removed after them.
    assert "/etc/bookstore/secrets/master" not in user_data
    assert "APP_DATABASE_USER=bookstore_app" in user_data and "APP_DATABASE_USER=bookstore_app" in _release_script(
        cloudformation
    )


def test_aws_group_keeps_its_autoscaled_size_and_signals_failure_at_once(cloudformation):
    assert "DesiredCapacity" not in cloudformation["Parameters"]
    assert "DesiredCapacity" not in cloudformation["Resources"]["AppGroup"]["Properties"]
    user_data = _user_data(cloudformation)
    lines = [line for line in user_data.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    # The trap is set before the first command that can fail, and sends exit code 1 to the group's signal.
    trap = next(i for i, line in enumerate(lines) if line.startswith("trap "))
    first_command = next(i for i, line in enumerate(lines) if line.startswith("dnf "))
    assert trap < first_command and "ERR" in lines[trap]
    assert "set -Eeuo pipefail" in user_data
    failure = r"signal_failure\(\) \{\n(?:.*\n){0,3}.*cfn-signal .*--resource AppGroup.*\n.*--exit-code 1"
    assert re.search(failure, user_data)


def test_aws_defaults_fit_the_load_and_the_budget(cloudformation):
    parameters = cloudformation["Parameters"]
    assert parameters["InstanceType"]["Default"] == "t3.medium"
    assert parameters["ReadReplicaMultiAz"]["Default"] == "false"
    replica = cloudformation["Resources"]["ReadReplica"]["Properties"]
    assert replica["MultiAZ"] == {"Fn::If": ["ReplicaIsMultiAz", True, False]}
    assert "Monthly cost of the default stack" in (DEPLOY / "README.md").read_text()


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="needs shellcheck (requirements-dev.txt)")
def test_aws_user_data_and_release_script_pass_shellcheck(cloudformation, tmp_path):
    def as_bash(script: str) -> str:
        # CloudFormation's ${Name} and ${Res.Attr} become placeholders, ${!x} becomes bash's ${x}.
        script = re.sub(r"\$\{(?!!)[A-Za-z0-9:.]+\}", "placeholder", script).replace("${!", "${")
        script = script.replace("{{ImageTag}}", "tag")
        return script if script.startswith("#!") else "#!/bin/bash\n" + script

    for name, script in [("user-data", _user_data(cloudformation)), ("release", _release_script(cloudformation))]:
        (tmp_path / name).write_text(as_bash(script))
        result = subprocess.run(  # noqa: S603 - the test's own files
            [shutil.which("shellcheck"), "-S", "warning", str(tmp_path / name)], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{name}:\n{result.stdout}"


@requires_nginx
@pytest.mark.slow
def test_aws_media_server_config_passes_nginx_t(cloudformation, tmp_path):
    user_data = cloudformation["Resources"]["LaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]
    script = user_data["Fn::Base64"]["Fn::Sub"][0]
    conf = re.search(r"<<'NGINX'\n(.*?)\n\s*NGINX\n", script, re.S).group(1)
    (tmp_path / "media.conf").write_text(conf.replace("/srv/media/", f"{tmp_path}/"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/b; proxy_temp_path {tmp_path}/p; "
        f"fastcgi_temp_path {tmp_path}/f; uwsgi_temp_path {tmp_path}/u; scgi_temp_path {tmp_path}/s; "
        f"include {tmp_path}/media.conf; }}\n"
    )
    result = subprocess.run(  # noqa: S603 - the test's own configuration
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


# --- Scripts the containers run ----------------------------------------------------------------------------


@mysql_only
@pytest.mark.mysql
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_migrations_wait_for_the_lock_another_container_holds():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    url = f"mysql://{db['USER'] or 'root'}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"
    command = [sys.executable, str(DEPLOY / "docker" / "migrate.py")]
    env = {"DATABASE_URL": url, "MIGRATE_LOCK_SECONDS": "1"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK('bookstore.migrate', 0)")
        assert cursor.fetchone()[0] == 1
        try:
            blocked = run_with_env(env, args=command[1:])
        finally:
            cursor.execute("SELECT RELEASE_LOCK('bookstore.migrate')")
    assert blocked.returncode == 1
    assert "held the migration lock" in blocked.stderr
    done = run_with_env(env, args=command[1:])
    assert done.returncode == 0, done.stderr
    assert "No migrations to apply" in done.stdout


# --- Settings the deployments rely on ----------------------------------------------------------------------

PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'aliases': sorted(settings.DATABASES), 'routers': settings.DATABASE_ROUTERS, "
    "'replica': settings.DATABASES.get('replica', {}), 'options': settings.DATABASES['default']['OPTIONS'], "
    "'middleware': settings.MIDDLEWARE}, default=str))"
)


def test_a_replica_url_adds_the_replica_alias_as_a_test_mirror():
    result = run_with_env(
        {
            "DATABASE_URL": "mysql://app@primary:3306/bookstore",
            "REPLICA_DATABASE_URL": "mysql://app@replica:3306/bookstore",
        },
        code=PROBE,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["aliases"] == ["default", "replica"]
    assert values["replica"]["HOST"] == "replica"
    assert values["replica"]["TEST"]["MIRROR"] == "default"
    assert values["replica"]["OPTIONS"]["charset"] == "utf8mb4"
    assert values["routers"] == ["bookstore.db_router.PrimaryReplicaRouter"]
    assert "bookstore.db_router.ReadReplicaMiddleware" in values["middleware"]


def test_a_database_ca_bundle_turns_on_verified_tls():
    result = run_with_env(
        {
            "DATABASE_URL": "mysql://app@db.example.internal:3306/bookstore",
            "DATABASE_SSL_CA": "/run/secrets/rds-ca.pem",
        },
        code=PROBE,
    )
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout)["options"]
    assert options["ssl"] == {"ca": "/run/secrets/rds-ca.pem"}
    assert options["ssl_mode"] == "VERIFY_IDENTITY"


@pytest.mark.slow
def test_production_settings_with_every_deploy_variable_pass_check_deploy(tmp_path):
    (tmp_path / "secret").write_text(secrets.token_urlsafe(50))
    result = run_with_env(
        {
            "DEBUG": "false",
            "SECRET_KEY_FILE": str(tmp_path / "secret"),
            "ALLOWED_HOSTS": "books.example.com",
            "CSRF_TRUSTED_ORIGINS": "https://books.example.com",
            "SITE_URL": "https://books.example.com",
            "BEHIND_PROXY": "true",
            "TRUSTED_PROXY_COUNT": "2",
            "REPLICA_DATABASE_URL": "sqlite:///" + str(tmp_path / "replica.sqlite3"),
        },
        args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_entrypoint_waits_for_a_real_database_connection(tmp_path):
    command = [str(DEPLOY / "docker" / "wait_for_database.py")]
    ready = run_with_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}, args=[*command, "--timeout", "5"])
    assert ready.returncode == 0, ready.stderr
    unreachable = run_with_env(
        {"DATABASE_URL": "mysql://bookstore@127.0.0.1:1/bookstore"}, args=[*command, "--timeout", "1"]
    )
    assert unreachable.returncode == 1
    assert "No database connection to 127.0.0.1/bookstore after 1 s" in unreachable.stderr


def test_compose_and_swarm_give_nginx_every_variable_of_the_site_template(compose, stack):
    # The nginx image's envsubst leaves a variable it is not given as literal text in the configuration.
    template = (DEPLOY / "nginx" / "templates" / "bookstore.conf.template").read_text()
    needed = set(re.findall(r"\$\{([A-Z_]+)\}", re.sub(r"(?m)^\s*#.*$", "", template)))
    assert "NGINX_HSTS" in needed
    for name, file in [("docker-compose.yml", compose), ("stack.yml", stack)]:
        assert needed <= set(file["services"]["nginx"]["environment"]), name
        hsts = file["services"]["nginx"]["environment"]["NGINX_HSTS"]
        assert "includeSubDomains" not in hsts and "preload" not in hsts, name
