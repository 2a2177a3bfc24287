"""The openstacksdk side of benches/compare: the same workloads as the Rust bench binary.

    python workload.py cold     AUTH_URL CRED_ID CRED_SECRET REGION EXPECTED
    python workload.py per-call AUTH_URL CRED_ID CRED_SECRET REGION VOLUME_ID CALLS RUNS

`cold` is timed from outside as a whole process (interpreter start, `import openstack`,
authenticate, list volumes, exit). `per-call` prints one JSON line {"per_call_us": [...]},
the mean time of one `get_volume` in each run, after a warm-up.
"""
import json
import sys
import time


def connect(auth_url, cred_id, cred_secret, region):
    import openstack

    return openstack.connect(
        auth_url=auth_url,
        application_credential_id=cred_id,
        application_credential_secret=cred_secret,
        auth_type="v3applicationcredential",
        region_name=region,
        # Ignore any clouds.yaml / OS_* variables of the person running the benchmark.
        load_yaml_config=False,
        load_envvars=False,
    )


def main():
    mode = sys.argv[1]
    auth_url, cred_id, cred_secret, region = sys.argv[2:6]
    conn = connect(auth_url, cred_id, cred_secret, region)
    if mode == "cold":
        expected = int(sys.argv[6])
        volumes = list(conn.block_storage.volumes(details=True))
        if len(volumes) != expected:
            sys.exit(f"expected {expected} volumes, got {len(volumes)}")
        print(len(volumes))
    elif mode == "per-call":
        volume_id, calls, runs = sys.argv[6], int(sys.argv[7]), int(sys.argv[8])
        for _ in range(min(calls, 50)):
            conn.block_storage.get_volume(volume_id)
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            for _ in range(calls):
                conn.block_storage.get_volume(volume_id)
            samples.append((time.perf_counter() - t) * 1e6 / calls)
        print(json.dumps({"per_call_us": samples}))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
