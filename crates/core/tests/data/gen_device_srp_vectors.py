#!/usr/bin/env python3
"""Generate crates/core/tests/data/device_srp_vectors.json.

How these vectors were made
---------------------------
They come from an implementation independent of ours: the Python package
`pycognito` (PyPI; generated with pycognito 2024.5.1), whose device support
(`generate_hash_device`, `AWSSRP.process_device_challenge`) follows AWS's
amazon-cognito-identity-js `AuthenticationHelper.generateHashDevice` and
`CognitoUser.getDeviceResponse`.

Two kinds of vectors:

  * "verifiers": what ConfirmDevice sends.  pycognito's
    `generate_hash_device(group_key, device_key)` draws the device password
    (`base64(os.urandom(40))`) and the salt (`pad_hex(get_random(16))`, i.e.
    16 random bytes read as a number and hex-padded) from `os.urandom`.  This
    script replaces `os.urandom` inside pycognito's module with a
    deterministic byte source, runs the real function, and records the
    random bytes it was given, the device password, and the
    `DeviceSecretVerifierConfig` (`PasswordVerifier`, `Salt`, both base64).
    The random bytes are chosen so the salt covers both PAD branches (top
    nibble 8-f gets a `00` byte; a leading zero nibble makes the hex odd and
    gets a `0`) and a salt with a leading zero byte (shorter than 16 bytes).

  * "claims": the DEVICE_PASSWORD_VERIFIER answer.  An `AWSSRP` is built with
    a dummy boto3 client (no network), device key, group key and device
    password; its private value `a` is fixed (`small_a_value`, with
    `large_a_value` recomputed by pycognito's `calculate_a()`), the clock is
    pinned, and pycognito's real `process_device_challenge()` runs on the
    challenge parameters (USERNAME, SALT, SRP_B, SECRET_BLOCK).  The SALT of
    each claim is the hex of a verifier's salt, as Cognito sends it back.
    Intermediates are recorded by wrapping (not replacing) pycognito's
    `compute_hkdf` and the module-level `pow`; the clock pin, the wrappers
    and the claim's recorded fields are shared with gen_srp_vectors.py in
    pycognito_spy.py (next to this file).

Every input comes from `random.Random(SEED)`, so running
    pip install pycognito==2024.5.1
    python3 crates/core/tests/data/gen_device_srp_vectors.py
regenerates the JSON file byte for byte.
"""

import base64
import datetime
import os
import random

import pycognito
from pycognito import aws_srp

import pycognito_spy as spy

SEED = 20261129
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "device_srp_vectors.json")

spy.install()


class _Urandom:
    """Stands in for the `os` module inside pycognito: urandom() hands out
    queued byte strings, and fails loudly when asked for anything else."""

    def __init__(self):
        self.queue = []

    def urandom(self, n):
        data = self.queue.pop(0)
        assert len(data) == n, (len(data), n)
        return data


_os = _Urandom()
aws_srp.os = _os


def verifier_case(name, group_key, device_key, password_bytes, salt_bytes):
    _os.queue = [password_bytes, salt_bytes]
    spy.captured.clear()
    password, config = aws_srp.generate_hash_device(group_key, device_key)
    assert not _os.queue
    return {
        "name": name,
        "device_group_key": group_key,
        "device_key": device_key,
        "password_random_hex": password_bytes.hex(),
        "salt_random_hex": salt_bytes.hex(),
        "device_password": password,
        "x_hex": f"{spy.g_exponents()[0]:x}",
        "password_verifier_b64": config["PasswordVerifier"],
        "salt_b64": config["Salt"],
    }


def claim_case(name, a_int, group_key, device_key, password, username, salt_hex,
               srp_b_hex, secret_block_b64, when):
    # The constructor draws a private value from os.urandom; it is replaced below.
    _os.queue = [b"\x01" * 128]
    srp = aws_srp.AWSSRP(username=username, password="unused", pool_id="us-east-1_unused",
                         client_id="ignored", client=object(), device_key=device_key,
                         device_group_key=group_key, device_password=password)
    spy.fix_private_value(srp, a_int)
    spy.FixedClock.fixed = when
    spy.captured.clear()
    resp = srp.process_device_challenge({
        "USERNAME": username,
        "SALT": salt_hex,
        "SRP_B": srp_b_hex,
        "SECRET_BLOCK": secret_block_b64,
        "DEVICE_KEY": device_key,
    })
    x = spy.g_exponents()[-1]
    assert resp["DEVICE_KEY"] == device_key and resp["USERNAME"] == username
    return {
        "name": name,
        "a_hex": f"{a_int:x}",
        "device_group_key": group_key,
        "device_key": device_key,
        "device_password": password,
        "username": username,
        "salt_hex": salt_hex,
        "srp_b_hex": srp_b_hex,
        "secret_block_b64": secret_block_b64,
        **spy.claim_fields(srp, resp, srp_b_hex, x),
    }


def main():
    rng = random.Random(SEED)

    def uuid():
        h = f"{rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def group_key():
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "-" + "".join(rng.choice(alphabet) for _ in range(9))

    def salt_with(first_byte):
        return bytes([first_byte]) + rng.randbytes(15)

    regions = ["us-east-1", "ap-northeast-1", "eu-west-3"]
    salts = [
        ("salt_high", salt_with(0x80 | rng.getrandbits(7))),   # 00 prefix
        ("salt_low", salt_with(0x10 | rng.getrandbits(6))),    # as is
        ("salt_odd", salt_with(rng.getrandbits(4) or 1)),      # 0 prefix
        ("salt_leading_zero_byte", bytes([0]) + salt_with(0x20 | rng.getrandbits(5))[:15]),
        ("salt_high_2", salt_with(0xf0 | rng.getrandbits(4))),
        ("salt_low_2", salt_with(0x40 | rng.getrandbits(5))),
    ]
    verifiers = []
    for i, (name, salt) in enumerate(salts):
        verifiers.append(verifier_case(
            name, group_key(), f"{regions[i % 3]}_{uuid()}", rng.randbytes(40), salt))

    claims = []
    whens = [datetime.datetime(2026, 3, 3, 4, 5, 6), datetime.datetime(2025, 2, 10, 18, 30, 12)]
    for i, v in enumerate(verifiers):
        salt_hex = base64.b64decode(v["salt_b64"]).hex()
        if i == 1:
            salt_hex = salt_hex.upper()
        b_len = 384 if i % 2 == 0 else 48
        while True:
            b = rng.getrandbits(b_len * 8)
            if b % spy.N:
                break
        when = whens[i] if i < len(whens) else (
            datetime.datetime(1970, 1, 1)
            + datetime.timedelta(seconds=rng.randrange(1_500_000_000, 2_200_000_000)))
        username = ["b1c2d3e4-1111-2222-3333-444455556666", "ユーザー太郎", "alice"][i % 3]
        claims.append(claim_case(
            f"claim_{v['name']}", rng.getrandbits(1024), v["device_group_key"],
            v["device_key"], v["device_password"], username, salt_hex, f"{b:x}",
            base64.b64encode(rng.randbytes(rng.randrange(1, 400))).decode(), when))

    doc = {
        "about": "Cognito device SRP known-answer vectors generated with pycognito "
                 f"{getattr(pycognito, '__version__', '2024.5.1')} by gen_device_srp_vectors.py: "
                 "verifiers from generate_hash_device (os.urandom replaced by fixed bytes), "
                 "claims from AWSSRP.process_device_challenge with a fixed private value a and "
                 "a pinned clock. Hex values are unpadded lowercase except the inputs as given; "
                 "pad_*_hex are the exact HKDF inputs.",
        "verifiers": verifiers,
        "claims": claims,
    }
    spy.write_json(OUT, doc)
    print(f"wrote {len(verifiers)} verifiers, {len(claims)} claims to {OUT}")


if __name__ == "__main__":
    main()
