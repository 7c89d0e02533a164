//! Exponentiation in SRP's group (the 3072-bit prime `N`, `g = 2`): the one
//! CPU hot spot of a sign-in.
//!
//! A client computes three powers per SRP sign-in: `A = gᵃ` (1024-bit `a`),
//! `gˣ` (256-bit `x`) and `S = baseᵉ` (about 1025-bit `e`). Done with a
//! general-purpose big-integer crate that is ~15 ms; the budget is
//! 5 ms. Two things bring it to about 3 ms (`cargo xtask bench`, row "SRP
//! client math"):
//!
//! * [`Group::pow`] is AWS-LC's `BN_mod_exp_mont_consttime`: hand-tuned
//!   Montgomery assembly, constant time in the exponent. AWS-LC is already in
//!   every build (rustls and jsonwebtoken use it through `aws-lc-rs`), so this
//!   adds no code to compile, only the thin FFI layer in [`ffi`].
//! * [`Group::pow_g`]: `g` is fixed, so powers of it use a fixed-base comb
//!   (Lim–Lee, one table) whose tables are computed ahead of time and compiled
//!   in: with `t` teeth spaced `d` bits apart, `table[v] = g^(Σ vⱼ·2^(j·d))`
//!   (in Montgomery form), and `gᵉ` costs `d` squarings and `d` products
//!   instead of ~1024 squarings and ~200 products. Each table entry is read by
//!   a scan of the whole table with masks, so which entry is used (bits of
//!   `a` or `x`) does not show in the memory access pattern or in branches.
//!
//! The tables are `g_comb_*.bin`; the test `comb_tables_are_current`
//! recomputes them with `num-bigint` and fails if a file differs
//! (`UPDATE_COMB_TABLES=1 cargo test -p cognito-token-core comb_tables`
//! rewrites them).
//!
//! Every result is cross-checked against `num-bigint`'s `modpow` in the
//! tests below (fixed edge cases and property tests).

/// RFC 5054 / RFC 3526 3072-bit MODP group prime, as used by Cognito.
pub(super) const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9",
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B",
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31",
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// Bytes of a group element (and of `N`).
pub(super) const LEN: usize = 384;

/// A group element (or any number below `N`), big-endian, zero-padded.
pub(super) type Elem = [u8; LEN];

/// AWS-LC reported a failure (in practice: memory allocation failed).
#[derive(Debug)]
pub(super) struct ArithmeticFailed;

/// A fixed-base comb for `g`.
struct Comb {
    /// Number of teeth `t`: the table has `2ᵗ` entries.
    teeth: usize,
    /// Bits between two teeth `d`: exponents up to `t·d` bits.
    spacing: usize,
    /// `2ᵗ` entries of [`LEN`] bytes: `g^(Σ vⱼ·2^(j·d))·R mod N`, `R = 2³⁰⁷²`.
    table: &'static [u8],
}

impl Comb {
    /// Largest exponent this comb takes, in bits.
    const fn capacity(&self) -> usize {
        self.teeth * self.spacing
    }
}

/// For `a` (128 bytes from the RNG): 6 teeth × 171 bits = 1026 bits.
const WIDE: Comb = Comb {
    teeth: 6,
    spacing: 171,
    table: include_bytes!("g_comb_6x171.bin"),
};

/// For `x` (a SHA-256 digest): 6 teeth × 43 bits = 258 bits.
const NARROW: Comb = Comb {
    teeth: 6,
    spacing: 43,
    table: include_bytes!("g_comb_6x43.bin"),
};

/// Modulus and Montgomery context, made once per sign-in step (~10 µs).
pub(super) struct Group {
    ctx: ffi::Ctx,
    n: ffi::Bn,
    mont: ffi::Mont,
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Group")
    }
}

impl Group {
    pub(super) fn new() -> Result<Self, ArithmeticFailed> {
        let mut n_bytes = [0u8; LEN];
        data_encoding::HEXUPPER
            .decode_mut(N_HEX.as_bytes(), &mut n_bytes)
            .unwrap_or_else(|_| unreachable!("N_HEX is 768 upper-case hex digits"));
        let mut ctx = ffi::Ctx::new()?;
        let n = ffi::Bn::from_be(&n_bytes)?;
        let mont = ffi::Mont::new(&n, &mut ctx)?;
        Ok(Self { ctx, n, mont })
    }

    /// `gᵉ mod N` for a big-endian exponent of any length. Which method is
    /// used depends only on `exp.len()`, never on the exponent's value.
    pub(super) fn pow_g(&mut self, exp: &[u8]) -> Result<Elem, ArithmeticFailed> {
        let bits = exp.len() * 8;
        if bits <= NARROW.capacity() {
            self.comb(&NARROW, exp)
        } else if bits <= WIDE.capacity() {
            self.comb(&WIDE, exp)
        } else {
            self.pow(&[2], exp)
        }
    }

    /// `baseᵉ mod N`; `base` must be below `N` (big-endian, any length).
    pub(super) fn pow(&mut self, base: &[u8], exp: &[u8]) -> Result<Elem, ArithmeticFailed> {
        let base = ffi::Bn::from_be(base)?;
        let exp = ffi::Bn::from_be(exp)?;
        let mut out = ffi::Bn::new()?;
        ffi::mod_exp_consttime(&mut out, &base, &exp, &self.n, &self.mont, &mut self.ctx)?;
        out.to_be()
    }

    fn comb(&mut self, comb: &Comb, exp: &[u8]) -> Result<Elem, ArithmeticFailed> {
        debug_assert!(exp.len() * 8 <= comb.capacity());
        // Bit `k` of the exponent (0 = least significant).
        let bit = |k: usize| -> usize {
            let byte = k / 8;
            if byte < exp.len() {
                usize::from((exp[exp.len() - 1 - byte] >> (k % 8)) & 1)
            } else {
                0
            }
        };
        let mut entry = [0u8; LEN];
        select(comb.table, 0, &mut entry);
        let mut acc = ffi::Bn::from_be(&entry)?; // 1 in Montgomery form
        let mut operand = ffi::Bn::new()?;
        for column in (0..comb.spacing).rev() {
            let index = (0..comb.teeth).fold(0, |v, j| v | bit(j * comb.spacing + column) << j);
            ffi::mont_square(&mut acc, &self.mont, &mut self.ctx)?;
            select(comb.table, index, &mut entry);
            operand.set_be(&entry)?;
            ffi::mont_mul_assign(&mut acc, &operand, &self.mont, &mut self.ctx)?;
        }
        entry.fill(0);
        ffi::from_mont(&mut acc, &self.mont, &mut self.ctx)?;
        acc.to_be()
    }
}

/// Copies `table[index]` into `out` reading every entry, so that the access
/// pattern does not depend on `index`.
fn select(table: &[u8], index: usize, out: &mut Elem) {
    use subtle::ConstantTimeEq as _;
    out.fill(0);
    for (i, candidate) in table.chunks_exact(LEN).enumerate() {
        let mask = 0u8.wrapping_sub((i as u64).ct_eq(&(index as u64)).unwrap_u8());
        for (o, c) in out.iter_mut().zip(candidate) {
            *o |= c & mask;
        }
    }
}

/// The only `unsafe` code of the workspace: a minimal owning wrapper over
/// AWS-LC's `BIGNUM`, `BN_CTX` and `BN_MONT_CTX` (from `aws-lc-sys`, the
/// same build `aws-lc-rs` links).
///
/// Invariants: every pointer held is non-null and owned (freed exactly once
/// in `Drop`); every AWS-LC call gets live pointers; AWS-LC's functions used
/// here accept the result aliasing an input (`r == a == b`). Return codes are
/// checked and turned into [`ArithmeticFailed`].
#[allow(unsafe_code)]
mod ffi {
    use std::ptr::NonNull;

    use aws_lc_sys as sys;

    use super::{ArithmeticFailed, Elem, LEN};

    fn check(ok: std::os::raw::c_int) -> Result<(), ArithmeticFailed> {
        if ok == 1 {
            Ok(())
        } else {
            Err(ArithmeticFailed)
        }
    }

    /// An owned `BIGNUM`, cleared when dropped (it may hold a secret).
    pub(super) struct Bn(NonNull<sys::BIGNUM>);

    impl Bn {
        pub(super) fn new() -> Result<Self, ArithmeticFailed> {
            // SAFETY: no preconditions; null (allocation failure) is checked.
            NonNull::new(unsafe { sys::BN_new() })
                .map(Self)
                .ok_or(ArithmeticFailed)
        }

        pub(super) fn from_be(bytes: &[u8]) -> Result<Self, ArithmeticFailed> {
            let mut bn = Self::new()?;
            bn.set_be(bytes)?;
            Ok(bn)
        }

        pub(super) fn set_be(&mut self, bytes: &[u8]) -> Result<(), ArithmeticFailed> {
            // SAFETY: `bytes` is valid for `bytes.len()` reads; `self.0` is a
            // live BIGNUM that BN_bin2bn overwrites (returns it, or null).
            let r = unsafe { sys::BN_bin2bn(bytes.as_ptr(), bytes.len(), self.0.as_ptr()) };
            if r.is_null() {
                Err(ArithmeticFailed)
            } else {
                Ok(())
            }
        }

        pub(super) fn to_be(&self) -> Result<Elem, ArithmeticFailed> {
            let mut out = [0u8; LEN];
            // SAFETY: `out` is valid for LEN writes; fails (0) if the value
            // needs more than LEN bytes, which a value mod N never does.
            check(unsafe { sys::BN_bn2bin_padded(out.as_mut_ptr(), LEN, self.0.as_ptr()) })?;
            Ok(out)
        }
    }

    impl Drop for Bn {
        fn drop(&mut self) {
            // SAFETY: owned, non-null, freed only here.
            unsafe { sys::BN_clear_free(self.0.as_ptr()) }
        }
    }

    /// An owned `BN_CTX` (scratch space for AWS-LC).
    pub(super) struct Ctx(NonNull<sys::BN_CTX>);

    impl Ctx {
        pub(super) fn new() -> Result<Self, ArithmeticFailed> {
            // SAFETY: no preconditions; null is checked.
            NonNull::new(unsafe { sys::BN_CTX_new() })
                .map(Self)
                .ok_or(ArithmeticFailed)
        }
    }

    impl Drop for Ctx {
        fn drop(&mut self) {
            // SAFETY: owned, non-null, freed only here.
            unsafe { sys::BN_CTX_free(self.0.as_ptr()) }
        }
    }

    /// An owned `BN_MONT_CTX` for an odd modulus.
    pub(super) struct Mont(NonNull<sys::BN_MONT_CTX>);

    impl Mont {
        pub(super) fn new(n: &Bn, ctx: &mut Ctx) -> Result<Self, ArithmeticFailed> {
            // SAFETY: live pointers; AWS-LC copies the modulus; null (even
            // modulus or allocation failure) is checked.
            let m = unsafe { sys::BN_MONT_CTX_new_for_modulus(n.0.as_ptr(), ctx.0.as_ptr()) };
            NonNull::new(m).map(Self).ok_or(ArithmeticFailed)
        }
    }

    impl Drop for Mont {
        fn drop(&mut self) {
            // SAFETY: owned, non-null, freed only here.
            unsafe { sys::BN_MONT_CTX_free(self.0.as_ptr()) }
        }
    }

    /// `acc = acc² · R⁻¹ mod N` (`acc` below `N`).
    pub(super) fn mont_square(
        acc: &mut Bn,
        mont: &Mont,
        ctx: &mut Ctx,
    ) -> Result<(), ArithmeticFailed> {
        let p = acc.0.as_ptr();
        // SAFETY: live pointers; result may alias both inputs.
        check(unsafe { sys::BN_mod_mul_montgomery(p, p, p, mont.0.as_ptr(), ctx.0.as_ptr()) })
    }

    /// `acc = acc · b · R⁻¹ mod N` (both below `N`).
    pub(super) fn mont_mul_assign(
        acc: &mut Bn,
        b: &Bn,
        mont: &Mont,
        ctx: &mut Ctx,
    ) -> Result<(), ArithmeticFailed> {
        let p = acc.0.as_ptr();
        // SAFETY: live pointers; `b` is a different BIGNUM (it is borrowed
        // shared while `acc` is borrowed mutably); result may alias `a`.
        check(unsafe {
            sys::BN_mod_mul_montgomery(p, p, b.0.as_ptr(), mont.0.as_ptr(), ctx.0.as_ptr())
        })
    }

    /// `acc = acc · R⁻¹ mod N`: out of Montgomery form.
    pub(super) fn from_mont(
        acc: &mut Bn,
        mont: &Mont,
        ctx: &mut Ctx,
    ) -> Result<(), ArithmeticFailed> {
        let p = acc.0.as_ptr();
        // SAFETY: live pointers; result may alias the input.
        check(unsafe { sys::BN_from_montgomery(p, p, mont.0.as_ptr(), ctx.0.as_ptr()) })
    }

    /// `out = baseᵉ mod n`, constant time in `e`; `base` must be below `n`
    /// (AWS-LC refuses it otherwise).
    pub(super) fn mod_exp_consttime(
        out: &mut Bn,
        base: &Bn,
        exp: &Bn,
        n: &Bn,
        mont: &Mont,
        ctx: &mut Ctx,
    ) -> Result<(), ArithmeticFailed> {
        // SAFETY: live pointers; `out` is distinct from the inputs (borrow
        // rules); `mont` was made for `n`.
        check(unsafe {
            sys::BN_mod_exp_mont_consttime(
                out.0.as_ptr(),
                base.0.as_ptr(),
                exp.0.as_ptr(),
                n.0.as_ptr(),
                ctx.0.as_ptr(),
                mont.0.as_ptr(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;
    use proptest::prelude::*;

    use super::*;

    fn n() -> BigUint {
        BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("N")
    }

    fn padded(v: &BigUint) -> Elem {
        let b = v.to_bytes_be();
        let mut out = [0u8; LEN];
        out[LEN - b.len()..].copy_from_slice(&b);
        out
    }

    /// The table a comb should have, computed independently with num-bigint.
    fn expected_table(teeth: usize, spacing: usize) -> Vec<u8> {
        let n = n();
        let r = (BigUint::from(1u8) << (LEN * 8)) % &n;
        let mut out = Vec::with_capacity((1 << teeth) * LEN);
        for v in 0..(1usize << teeth) {
            let mut e = BigUint::ZERO;
            for j in 0..teeth {
                if (v >> j) & 1 == 1 {
                    e.set_bit((j * spacing) as u64, true);
                }
            }
            let value: BigUint = BigUint::from(2u8).modpow(&e, &n) * &r % &n;
            out.extend_from_slice(&padded(&value));
        }
        out
    }

    #[test]
    fn comb_tables_are_current() {
        for (comb, file) in [(&WIDE, "g_comb_6x171.bin"), (&NARROW, "g_comb_6x43.bin")] {
            assert!(file.contains(&format!("{}x{}", comb.teeth, comb.spacing)));
            let want = expected_table(comb.teeth, comb.spacing);
            if comb.table != want.as_slice() {
                let path = format!("{}/src/srp/{file}", env!("CARGO_MANIFEST_DIR"));
                if std::env::var_os("UPDATE_COMB_TABLES").is_some() {
                    std::fs::write(&path, &want).expect("write table");
                } else {
                    panic!(
                        "{path} is stale: run UPDATE_COMB_TABLES=1 cargo test -p cognito-token-core comb_tables"
                    );
                }
            }
        }
        // The capacities cover the exponents SRP uses.
        assert!(NARROW.capacity() >= 256 && WIDE.capacity() >= 1024);
    }

    #[test]
    fn r_is_two_to_the_3072() {
        // Table entry 0 is 1 in Montgomery form, i.e. R mod N: this pins the
        // assumption that AWS-LC's R is 2^3072 for this N on every word size.
        let mut g = Group::new().unwrap();
        let one = g.pow_g(&[]).unwrap();
        assert_eq!(BigUint::from_bytes_be(&one), BigUint::from(1u8));
        assert_eq!(
            BigUint::from_bytes_be(&WIDE.table[..LEN]),
            (BigUint::from(1u8) << 3072) % n()
        );
    }

    #[test]
    fn edge_exponents_match_num_bigint() {
        let n = n();
        let two = BigUint::from(2u8);
        let mut g = Group::new().unwrap();
        let cases: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![1],
            vec![2],
            vec![0xff; 32], // largest NARROW input
            vec![0; 32],
            [vec![0x80], vec![0; 31]].concat(), // top bit only
            vec![0x01; 33],                     // first WIDE length
            vec![0xff; 128],                    // largest 128-byte a
            [vec![0x80], vec![0; 127]].concat(),
            vec![0xff; 129], // beyond WIDE: generic path
            n.to_bytes_be(), // g^N
        ];
        for e in cases {
            let want = padded(&two.modpow(&BigUint::from_bytes_be(&e), &n));
            assert_eq!(g.pow_g(&e).unwrap(), want, "exponent of {} bytes", e.len());
        }
    }

    #[test]
    fn edge_bases_match_num_bigint() {
        let n = n();
        let mut g = Group::new().unwrap();
        let nm1 = &n - 1u8;
        let e = vec![0xa5; 129];
        for base in [
            BigUint::ZERO,
            BigUint::from(1u8),
            BigUint::from(2u8),
            nm1.clone(),
        ] {
            let want = padded(&base.modpow(&BigUint::from_bytes_be(&e), &n));
            assert_eq!(g.pow(&base.to_bytes_be(), &e).unwrap(), want);
        }
        // Exponent zero.
        assert_eq!(
            BigUint::from_bytes_be(&g.pow(&nm1.to_bytes_be(), &[]).unwrap()),
            BigUint::from(1u8)
        );
    }

    #[test]
    fn base_not_below_n_is_an_error_not_a_panic() {
        let mut g = Group::new().unwrap();
        assert!(g.pow(&n().to_bytes_be(), &[3]).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn pow_g_matches_num_bigint(e in proptest::collection::vec(any::<u8>(), 0..=140)) {
            let n = n();
            let want = padded(&BigUint::from(2u8).modpow(&BigUint::from_bytes_be(&e), &n));
            prop_assert_eq!(Group::new().unwrap().pow_g(&e).unwrap(), want);
        }

        #[test]
        fn pow_matches_num_bigint(
            b in proptest::collection::vec(any::<u8>(), 1..=LEN),
            e in proptest::collection::vec(any::<u8>(), 0..=130),
        ) {
            let n = n();
            let base = BigUint::from_bytes_be(&b) % &n;
            let want = padded(&base.modpow(&BigUint::from_bytes_be(&e), &n));
            prop_assert_eq!(Group::new().unwrap().pow(&base.to_bytes_be(), &e).unwrap(), want);
        }
    }
}
