//! Test helpers shared by every type module: random valid values must round-trip,
//! and mutated real samples must never panic.

/// A small deterministic generator (SplitMix64) so failures reproduce from the seed.
pub struct TestRng(u64);

impl TestRng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// Calls `f` with `n` mutations of `sample`: bit flips, byte changes, insertions,
/// deletions and truncations, one to four edits each.
pub fn mutations(sample: &[u8], n: usize, seed: u64, mut f: impl FnMut(&[u8])) {
    let mut rng = TestRng::new(seed);
    for _ in 0..n {
        let mut m = sample.to_vec();
        for _ in 0..=rng.below(4) {
            let len = m.len();
            match rng.below(5) {
                0 if len > 0 => {
                    let i = rng.below(len);
                    m[i] ^= 1 << rng.below(8);
                }
                1 if len > 0 => {
                    let i = rng.below(len);
                    m[i] = rng.next_u64() as u8;
                }
                2 => {
                    let i = rng.below(len + 1);
                    m.insert(i, rng.next_u64() as u8);
                }
                3 if len > 0 => {
                    let i = rng.below(len);
                    m.remove(i);
                }
                _ => {
                    let i = rng.below(len + 1);
                    m.truncate(i);
                }
            }
        }
        f(&m);
    }
}

/// Generates `$n` random valid values of `$ty`, and checks that each encodes,
/// decodes to an equal value and re-encodes to the same bytes. Returns how many
/// values were generated (the caller asserts it is not zero).
#[macro_export]
macro_rules! roundtrip_random {
    ($ty:ty, $n:expr, $seed:expr) => {{
        use $crate::codec::Generate as _;
        let mut rng = $crate::codec::testing::TestRng::new($seed);
        let mut generated = 0usize;
        for _ in 0..$n {
            let mut buf = vec![0u8; 64 + rng.below(2048)];
            rng.fill(&mut buf);
            let mut u = ::arbitrary::Unstructured::new(&buf);
            let Ok(value) = <$ty>::generate(&mut u) else {
                continue;
            };
            generated += 1;
            let bytes = match $crate::encode(&value) {
                Ok(b) => b,
                Err(e) => panic!(
                    "{}: generated value does not encode: {e}\n{value:?}",
                    stringify!($ty)
                ),
            };
            let back: $ty = match $crate::decode(&bytes) {
                Ok(v) => v,
                Err(e) => panic!(
                    "{}: {e}\nbytes {:02x?}\nvalue {value:?}",
                    stringify!($ty),
                    bytes
                ),
            };
            assert_eq!(
                back,
                value,
                "{} value changed in a round trip",
                stringify!($ty)
            );
            assert_eq!(
                $crate::encode(&back).unwrap(),
                bytes,
                "{} re-encoding differs",
                stringify!($ty)
            );
        }
        generated
    }};
}
