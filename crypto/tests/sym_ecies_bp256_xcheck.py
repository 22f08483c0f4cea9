#!/usr/bin/env python3
"""Independent eciesBrainpoolP256r1 vector for crypto/tests/sym_kat.rs.

The CAMP vectors cover P-256 only. This script does the 1609.2 ECIES steps
with Python `cryptography` (OpenSSL's brainpoolP256r1 ECDH, X9.63 KDF and
HMAC); the same composition reproduces every CAMP P-256 vector (checked
below on ecies.txt #1, whose real P1 is the generating script's `p11`).

Run: python3 crypto/tests/sym_ecies_bp256_xcheck.py
"""
import hashlib
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF


def ecies(curve, v, r_pub, k, p1):
    vk = ec.derive_private_key(v, curve)
    z = vk.exchange(ec.ECDH(), r_pub)
    km = X963KDF(hashes.SHA256(), 48, p1).derive(z)
    c = bytes(a ^ b for a, b in zip(km[:16], k))
    h = hmac.HMAC(km[16:], hashes.SHA256())
    h.update(c)
    pub = vk.public_key().public_numbers()
    return z, pub.x, pub.y, c, h.finalize()[:16]


# CAMP ecies.txt vector #1 as a check of the composition.
r = ec.derive_private_key(0x060E41440A4E35154CA0EFCB52412145836AD032833E6BC781E533BF14851085, ec.SECP256R1())
_, _, _, c, t = ecies(ec.SECP256R1(), 0x1384C31D6982D52BCA3BED8A7E60F52FECDAB44E5C0EA166815A8159E09FFB42,
                      r.public_key(), bytes.fromhex("9169155B08B07674CBADF75FB46A7B0D"),
                      bytes.fromhex("A6B7B52554B4203F7E3ACFDB3A3ED8674EE086CE5906A7CAC2F8A398306D3BE9"))
assert c.hex().upper() == "A6342013D623AD6C5F6882469673AE33" and t.hex() == "80e1d85d30f1bae4ecf1a534a89a0786"

curve = ec.BrainpoolP256R1()
r_int = 0x2B1E0A3F4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7
v_int = 0x5A6B7C8D9EAFB0C1D2E3F405162738495A6B7C8D9EAFB0C1D2E3F40516273849
k = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
p1 = hashlib.sha256(b"").digest()
r = ec.derive_private_key(r_int, curve)
rp = r.public_key().public_numbers()
z, vx, vy, c, t = ecies(curve, v_int, r.public_key(), k, p1)
print("r  =", f"{r_int:064x}")
print("Rx =", f"{rp.x:064x}")
print("Ry =", f"{rp.y:064x}")
print("v  =", f"{v_int:064x}")
print("Z  =", z.hex())
print("Vx =", f"{vx:064x}")
print("Vy =", f"{vy:064x}")
print("k  =", k.hex())
print("P1 =", p1.hex())
print("C  =", c.hex())
print("T  =", t.hex())
