use crate::codec::*;
use crate::Asn1;

#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct Demo<'a> {
    pub id: u8,
    #[asn1(optional, size(1..=4))]
    pub name: Option<Octets<'a>>,
    #[asn1(default = "3")]
    pub dflt: u16,
    #[asn1(range(-5..=5))]
    pub small: i8,
    pub ch: DemoChoice<'a>,
    #[asn1(ext, size(1))]
    pub flags: Option<BitString<'a>>,
    #[asn1(unknown_ext)]
    pub ext: UnknownExtensions,
}

#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum DemoChoice<'a> {
    A(u8),
    B(Octets<'a>),
    Nul,
    #[asn1(ext)]
    C(Box<Demo<'a>>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated, extensible)]
pub enum Hash {
    Sha256 = 0,
    Sha384 = 1,
    Sm3 = 2,
}

#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, size(1..))]
pub struct Many<'a>(pub Vec<Demo<'a>>);

#[test]
fn roundtrip() {
    let mut seed = 1u64;
    for _ in 0..2000 {
        let mut buf = vec![0u8; 300];
        for b in buf.iter_mut() {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (seed >> 33) as u8;
        }
        let mut u = arbitrary::Unstructured::new(&buf);
        let Ok(v) = Many::generate(&mut u) else {
            continue;
        };
        let bytes = encode(&v).unwrap();
        let back: Many = decode(&bytes).unwrap();
        assert_eq!(back, v);
        assert_eq!(encode(&back).unwrap(), bytes);
    }
}

#[test]
fn roundtrip_macro_generates() {
    let n = crate::roundtrip_random!(Many, 500, 7);
    assert!(n > 400, "only {n} values generated");
}

#[test]
fn mutations_never_panic() {
    let v = Many(vec![]);
    let _ = v;
    let sample = encode(&Many(vec![Demo {
        id: 1,
        name: Some(Octets::from(vec![1, 2])),
        dflt: 5,
        small: -3,
        ch: DemoChoice::C(Box::new(Demo {
            id: 2,
            name: None,
            dflt: 3,
            small: 0,
            ch: DemoChoice::Nul,
            flags: Some(BitString::with_bits(1, &[0])),
            ext: UnknownExtensions::default(),
        })),
        flags: None,
        ext: UnknownExtensions::default(),
    }]))
    .unwrap();
    let mut ok = 0;
    testing::mutations(&sample, 5000, 1, |m| {
        if let Ok(v) = decode::<Many>(m) {
            ok += 1;
            assert_eq!(encode(&v).unwrap(), m, "accepted a non-canonical encoding");
        }
    });
    assert!(ok < 5000);
}
