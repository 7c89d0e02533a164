//! The SRP arithmetic around the exponentiations, on secret values, in
//! constant time: the private value `a` reduced mod `N`, `B − k·gˣ mod N`
//! and the exponent `a + u·x`.
//!
//! These are cheap (a few Montgomery products, a 256×256-bit product and an
//! addition), but `gˣ`, `a` and `x` are as good as the password, so they go
//! through `crypto-bigint`'s fixed-width, constant-time integers instead of a
//! general-purpose big-integer crate: the time taken depends on the lengths
//! of the inputs (public), never on their values. The exponentiations stay in
//! [`super::group`] (AWS-LC: about twice as fast as `crypto-bigint`'s `pow`
//! for this modulus, measured for issue 12).
//!
//! Every function is checked against `num-bigint` in the tests below.

use crypto_bigint::modular::{ConstMontyForm, ConstMontyParams, FixedMontyParams};
use crypto_bigint::{Odd, U256, U512, U3072, U4096};

use super::group::{Elem, LEN, N_HEX};

const LIMBS: usize = U3072::LIMBS;

/// The modulus `N` for `crypto-bigint`'s Montgomery form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Modulus;

impl ConstMontyParams<LIMBS> for Modulus {
    const LIMBS: usize = LIMBS;
    const PARAMS: FixedMontyParams<LIMBS> =
        FixedMontyParams::new_vartime(Odd::<U3072>::from_be_hex(N_HEX));
}

/// A number mod `N` in Montgomery form.
type Fe = ConstMontyForm<Modulus, LIMBS>;

/// A secret number below `N` (the private value `a`). No `Debug`.
pub(super) type Secret = U3072;

/// `bytes` (big-endian, any length) reduced mod `N`. The time depends on
/// `bytes.len()` only.
pub(super) fn reduce(bytes: &[u8]) -> Secret {
    // 2³⁰⁷² mod N = 2³⁰⁷² − N, since N < 2³⁰⁷² < 2N.
    let radix = Fe::new(&U3072::ZERO.wrapping_sub(Fe::MODULUS.as_ref()));
    let mut acc = Fe::ZERO;
    let mut chunk = [0u8; LEN];
    // Horner's rule over 384-byte digits, most significant (shortest) first.
    for digit in bytes.rchunks(LEN).rev() {
        chunk.fill(0);
        chunk[LEN - digit.len()..].copy_from_slice(digit);
        // `Fe::new` reduces any 3072-bit value (tested below).
        acc = acc.mul(&radix).add(&Fe::new(&U3072::from_be_slice(&chunk)));
    }
    chunk.fill(0);
    acc.retrieve()
}

/// `v` as a group element's 384 big-endian bytes.
pub(super) fn to_elem(v: &Secret) -> Elem {
    let mut out = [0u8; LEN];
    out.copy_from_slice(&v.to_be_bytes());
    out
}

/// Whether `v` is zero, without branching on its limbs.
pub(super) fn is_zero(v: &Secret) -> bool {
    v.is_zero().into()
}

/// `(b − k·gˣ) mod N`, non-negative, for any 384-byte inputs (each read mod
/// `N`): the base of `S`.
pub(super) fn b_minus_k_gx(b: &Elem, k: &Elem, g_x: &Elem) -> Elem {
    let fe = |v: &Elem| Fe::new(&U3072::from_be_slice(v));
    let base = fe(b).sub(&fe(k).mul(&fe(g_x)));
    to_elem(&base.retrieve())
}

/// The exponent of `S`: `a + u·x` exactly (not reduced), big-endian, in
/// [`exponent_len`]`(a_bits)` bytes, where `a_bits` is a public bound on the
/// bit length of `a` (at most `8·`[`LEN`]) and `u`, `x` are SHA-256 digests.
/// The length, and so the cost of the exponentiation, depends on `a_bits`
/// only.
pub(super) fn exponent(a: &Secret, a_bits: usize, u: &[u8; 32], x: &[u8; 32]) -> Vec<u8> {
    debug_assert!(a_bits <= 8 * LEN);
    let u_x: U512 = U256::from_be_slice(u).concatenating_mul(&U256::from_be_slice(x));
    let sum = a.resize::<{ U4096::LIMBS }>().wrapping_add(&u_x.resize());
    let bytes = sum.to_be_bytes();
    let len = exponent_len(a_bits);
    bytes[bytes.len() - len..].to_vec()
}

/// Bytes of `a + u·x` for `a < 2^a_bits`: `u·x < 2⁵¹²`, so the sum is below
/// `2^(max(a_bits, 512) + 1)`.
pub(super) fn exponent_len(a_bits: usize) -> usize {
    (a_bits.max(512) + 1).div_ceil(8)
}

#[cfg(test)]
mod tests {
    //! `num-bigint` is the independent reference for every function here.
    use num_bigint::BigUint;
    use proptest::prelude::*;

    use super::*;

    fn n() -> BigUint {
        BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("N")
    }

    fn elem(v: &BigUint) -> Elem {
        let b = v.to_bytes_be();
        let mut out = [0u8; LEN];
        out[LEN - b.len()..].copy_from_slice(&b);
        out
    }

    fn big(b: &[u8]) -> BigUint {
        BigUint::from_bytes_be(b)
    }

    /// `(b − k·g) mod N` by the reference, made non-negative.
    fn want_base(b: &BigUint, k: &BigUint, g: &BigUint) -> BigUint {
        let n = n();
        (b % &n + &n - (k * g) % &n) % &n
    }

    fn want_exponent(a: &BigUint, u: &[u8; 32], x: &[u8; 32]) -> BigUint {
        a + big(u) * big(x)
    }

    #[test]
    fn reduce_edges() {
        let n = n();
        let two_3072_m1 = vec![0xff; LEN];
        let cases: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![0; 500],
            vec![1],
            vec![0xff; 128],
            (&n - 1u8).to_bytes_be(),
            n.to_bytes_be(),          // ≡ 0
            (&n + 1u8).to_bytes_be(), // ≡ 1
            two_3072_m1,              // the largest one-digit input
            (&n * 3u8 + 5u8).to_bytes_be(),
            vec![0xff; LEN + 1],
            vec![0xa5; 3 * LEN],
            (&n * &n - 1u8).to_bytes_be(),
        ];
        for bytes in cases {
            let got = big(&to_elem(&reduce(&bytes)));
            assert_eq!(got, big(&bytes) % &n, "{} bytes", bytes.len());
        }
        assert!(is_zero(&reduce(&n.to_bytes_be())));
        assert!(is_zero(&reduce(&[])));
        assert!(!is_zero(&reduce(&[0, 0, 1])));
    }

    #[test]
    fn base_edges() {
        let n = n();
        let zero = BigUint::ZERO;
        let one = BigUint::from(1u8);
        let nm1 = &n - 1u8;
        let big_k = big(&[0xff; 32]);
        let cases = [
            // b − k·g negative before the reduction
            (one.clone(), big_k.clone(), nm1.clone()),
            (zero.clone(), one.clone(), one.clone()),
            // exactly zero
            (big_k.clone(), big_k.clone(), one.clone()),
            (zero.clone(), zero.clone(), zero.clone()),
            (nm1.clone(), zero.clone(), nm1.clone()),
            (nm1.clone(), nm1.clone(), nm1.clone()),
            // inputs ≥ N are read mod N
            (n.clone(), one.clone(), n.clone()),
            (big(&[0xff; LEN]), big(&[0xff; LEN]), big(&[0xff; LEN])),
            (&n + 7u8, big_k.clone(), &n + 3u8),
        ];
        for (b, k, g) in cases {
            let got = b_minus_k_gx(&elem(&b), &elem(&k), &elem(&g));
            assert_eq!(big(&got), want_base(&b, &k, &g), "b={b:x} k={k:x} g={g:x}");
        }
    }

    #[test]
    fn exponent_edges() {
        let n = n();
        let max = [0xff; 32];
        let zero = [0; 32];
        let mut one = [0; 32];
        one[31] = 1;
        let below_2_1023 = (BigUint::from(1u8) << 1023) - 1u8;
        for (a, a_bits, len) in [
            (BigUint::ZERO, 1023, 128),
            (BigUint::ZERO, 0, 65),
            (below_2_1023, 1023, 128), // the largest drawn a: 1024 bits at most
            (big(&[0xff; 128]), 1024, 129), // carries into byte 129
            (big(&[0xff; 20]), 160, 65), // u·x longer than a
            (big(&[0xff; 64]), 512, 65), // carries into bit 512
            (&n - 1u8, 8 * LEN, LEN + 1), // carries into bit 3072
        ] {
            assert_eq!(exponent_len(a_bits), len);
            for (u, x) in [(&max, &max), (&zero, &max), (&one, &one), (&max, &zero)] {
                let got = exponent(&reduce(&a.to_bytes_be()), a_bits, u, x);
                assert_eq!(got.len(), len);
                assert_eq!(big(&got), want_exponent(&a, u, x), "a_bits {a_bits}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn reduce_matches_num_bigint(b in proptest::collection::vec(any::<u8>(), 0..=900)) {
            prop_assert_eq!(big(&to_elem(&reduce(&b))), big(&b) % n());
        }

        #[test]
        fn base_matches_num_bigint(
            b in proptest::collection::vec(any::<u8>(), LEN),
            k in proptest::collection::vec(any::<u8>(), 32),
            g in proptest::collection::vec(any::<u8>(), LEN),
        ) {
            let (b, k, g) = (big(&b), big(&k), big(&g));
            let got = b_minus_k_gx(&elem(&b), &elem(&k), &elem(&g));
            prop_assert_eq!(big(&got), want_base(&b, &k, &g));
        }

        #[test]
        fn exponent_matches_num_bigint(
            a in proptest::collection::vec(any::<u8>(), 0..=LEN),
            u in any::<[u8; 32]>(),
            x in any::<[u8; 32]>(),
        ) {
            let got = exponent(&reduce(&a), 8 * a.len(), &u, &x);
            prop_assert_eq!(got.len(), a.len().max(64) + 1);
            prop_assert_eq!(big(&got), want_exponent(&(big(&a) % n()), &u, &x));
        }
    }
}
