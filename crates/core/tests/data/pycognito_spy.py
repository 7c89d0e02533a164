"""What gen_srp_vectors.py and gen_device_srp_vectors.py share: pycognito
(2024.5.1) made deterministic and observable, without replacing its
arithmetic.

`install()` patches pycognito's `aws_srp` module in place:

  * its clock: `datetime.datetime.utcnow()` (the only clock it reads)
    returns `FixedClock.fixed`, so a claim signs a known TIMESTAMP;
  * its `compute_hkdf` and its module-level `pow` (which shadows the builtin
    inside `aws_srp`) are wrapped, not replaced: each call is recorded in
    `captured` and the real function's result is returned.

`claim_fields()` turns a claim (pycognito's answer to a password or device
verifier challenge) and the recorded intermediates into the fields both
vector files share, in their order.
"""

import datetime
import json

from pycognito import aws_srp

N = aws_srp.hex_to_long(aws_srp.N_HEX)

# What the wrapped functions saw: "pad_s", "pad_u", "key" (the last HKDF's
# input key material, salt and output, hex) and "pows" (every pow() call).
captured = {}


class FixedClock(datetime.datetime):
    fixed = None

    @classmethod
    def utcnow(cls):
        return cls.fixed


class _DatetimeModule:
    datetime = FixedClock


_real_hkdf = aws_srp.compute_hkdf


def _hkdf_spy(ikm, salt):
    key = _real_hkdf(ikm, salt)
    captured["pad_s"] = bytes(ikm).hex()
    captured["pad_u"] = bytes(salt).hex()
    captured["key"] = bytes(key).hex()
    return key


def _pow_spy(base, exp, mod=None):
    captured.setdefault("pows", []).append((base, exp, mod))
    return pow(base, exp, mod)


def install():
    aws_srp.datetime = _DatetimeModule  # pycognito only uses datetime.datetime.utcnow()
    aws_srp.compute_hkdf = _hkdf_spy
    aws_srp.pow = _pow_spy  # module global shadows the builtin inside aws_srp


def g_exponents():
    """The exponents of every g^e mod N recorded since `captured` was cleared."""
    return [p[1] for p in captured["pows"] if p[0] == 2 and p[2] == N]


def fix_private_value(srp, a_int):
    """Replaces the random private value a (and A) of an AWSSRP."""
    srp.small_a_value = a_int % N
    srp.large_a_value = srp.calculate_a()


def claim_fields(srp, resp, srp_b_hex, x):
    """The claim's recorded fields, from TIMESTAMP to the signature; checks u
    against pycognito's own calculate_u."""
    u = int(captured["pad_u"], 16)
    assert u == aws_srp.calculate_u(srp.large_a_value, int(srp_b_hex, 16))
    return {
        "timestamp": resp["TIMESTAMP"],
        "srp_a_hex": aws_srp.long_to_hex(srp.large_a_value),
        "u_hex": f"{u:x}",
        "x_hex": f"{x:x}",
        "s_hex": f"{int(captured['pad_s'], 16):x}",
        "pad_u_hex": captured["pad_u"],
        "pad_s_hex": captured["pad_s"],
        "key_hex": captured["key"],
        "signature_b64": resp["PASSWORD_CLAIM_SIGNATURE"],
    }


def write_json(path, doc):
    """The vector file: UTF-8, two-space indent, one final newline."""
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
