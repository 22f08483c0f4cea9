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
#[allow(dead_code)]
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

#[test]
fn utf8_size_counts_characters() {
    // "é" is two bytes, one character: SIZE(0..1) accepts it, with a length prefix.
    let mut e = Encoder::new();
    Utf8String("é".into())
        .encode_sized(&mut e, 0, Some(1))
        .unwrap();
    assert_eq!(e.into_bytes(), vec![2, 0xc3, 0xa9]);
    let mut d = Decoder::new(&[2, 0xc3, 0xa9]);
    assert_eq!(Utf8String::decode_sized(&mut d, 0, Some(1)).unwrap().0, "é");
    let mut d = Decoder::new(&[4, 0xc3, 0xa9, 0xc3, 0xa9]);
    assert!(Utf8String::decode_sized(&mut d, 0, Some(1)).is_err());
    // Invalid UTF-8 is refused.
    let mut d = Decoder::new(&[1, 0xff]);
    assert!(Utf8String::decode(&mut d).is_err());
}

#[test]
fn canonical_forms_are_enforced() {
    // Long-form length for a short value.
    assert!(matches!(
        decode::<Octets>(&[0x81, 0x01, 0xaa]).unwrap_err().kind,
        ErrorKind::NonCanonicalLength
    ));
    // Length larger than the input.
    assert!(matches!(
        decode::<Octets>(&[0x05, 1, 2]).unwrap_err().kind,
        ErrorKind::LengthExceedsInput { .. }
    ));
    // BOOLEAN other than 00/FF.
    assert!(matches!(
        decode::<bool>(&[0x01]).unwrap_err().kind,
        ErrorKind::InvalidBoolean(1)
    ));
    // SEQUENCE OF count with a leading zero.
    assert!(matches!(
        decode::<Vec<u8>>(&[0x02, 0x00, 0x01, 0x07])
            .unwrap_err()
            .kind,
        ErrorKind::NonMinimalInteger
    ));
    // SEQUENCE OF count beyond the input.
    assert!(matches!(
        decode::<Vec<u8>>(&[0x05, 0x01, 0x00, 0x00, 0x00, 0x00])
            .unwrap_err()
            .kind,
        ErrorKind::LengthExceedsInput { .. }
    ));
    // Trailing bytes.
    assert!(matches!(
        decode::<u8>(&[1, 2]).unwrap_err().kind,
        ErrorKind::TrailingBytes { count: 1 }
    ));
    // ENUMERATED in long form for a small value.
    assert!(matches!(
        decode::<Hash>(&[0x81, 0x01]).unwrap_err().kind,
        ErrorKind::NonCanonicalEnumerated
    ));
    // DEFAULT encoded explicitly: preamble bit for `dflt` set with value 3.
    let explicit = [0x20, 0x01, 0x00, 0x03, 0x00, 0x80, 0x01];
    assert!(matches!(
        decode::<Demo>(&explicit).unwrap_err().kind,
        ErrorKind::ExplicitDefault
    ));
    // Non-zero preamble padding.
    let padded = [0x01, 0x01, 0x00, 0x80, 0x01];
    assert!(matches!(
        decode::<Demo>(&padded).unwrap_err().kind,
        ErrorKind::NonZeroPadding
    ));
    // Unknown alternative of a non-extensible CHOICE would be an error; of an
    // extensible one it is kept and re-encoded.
    let unknown = [0x00, 0x01, 0x00, 0x87, 0x02, 0xab, 0xcd];
    let v: Demo = decode(&unknown).unwrap();
    assert!(matches!(
        v.ch,
        DemoChoice::Unknown(UnknownAlternative { tag: 7, .. })
    ));
    assert_eq!(encode(&v).unwrap(), unknown);
}

#[test]
fn errors_name_field_and_offset() {
    // A Demo whose `ch` is B(Octets) with a length beyond the input.
    let bad = [0x00, 0x01, 0x00, 0x81, 0x09, 0x01];
    let err = decode::<Demo>(&bad).unwrap_err();
    assert_eq!(err.path(), "ch.b");
    assert_eq!(err.offset, 4);
    assert!(err.to_string().contains("at byte 4 in ch.b"), "{err}");
}

/// Two extension additions; a peer that knows only the first sends a 1-bit bitmap.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct TwoAdditions {
    pub id: u8,
    #[asn1(ext)]
    pub first: Option<u8>,
    #[asn1(ext)]
    pub second: Option<u8>,
    #[asn1(unknown_ext)]
    pub ext: UnknownExtensions,
}

#[test]
fn a_shorter_bitmap_from_an_older_peer_re_encodes_unchanged() {
    // Found by the eca_ee_pdu fuzz target: re-encoding a value whose received
    // bitmap was shorter than the known additions indexed past the bitmap.
    // preamble: ext bit; id = 7; bitmap: length 2, 7 unused bits, '1'; first = open(05).
    let older = [0x80, 0x07, 0x02, 0x07, 0x80, 0x01, 0x05];
    let v: TwoAdditions = decode(&older).unwrap();
    assert_eq!((v.first, v.second), (Some(5), None));
    assert_eq!(encode(&v).unwrap(), older);
}

/// The smallest recursive type: the generator picks `End` or `Link` per level.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum Chain {
    End,
    Link(Box<Chain>),
}

fn links(c: &Chain) -> u32 {
    match c {
        Chain::End => 0,
        Chain::Link(next) => 1 + links(next),
    }
}

#[test]
fn generated_nesting_is_bounded() {
    // Find the octet that makes the generator choose each alternative.
    let choice = |b: u8| Chain::generate(&mut arbitrary::Unstructured::new(&[b, 0, 0, 0]));
    let end = (0..=255u8).find(|&b| choice(b) == Ok(Chain::End)).unwrap();
    let link = (0..=255u8)
        .find(|&b| matches!(choice(b), Ok(Chain::Link(_))))
        .unwrap();
    // n links then an end, up to the bound: generated as asked and round-trips.
    for n in 0..=MAX_GENERATED_BOX_DEPTH {
        let mut input = vec![link; n as usize];
        input.extend([end; 8]);
        let v = Chain::generate(&mut arbitrary::Unstructured::new(&input)).unwrap();
        assert_eq!(links(&v), n);
        assert_eq!(decode::<Chain>(&encode(&v).unwrap()).unwrap(), v);
    }
    // One more, or input that always recurses (this used to overflow the stack):
    // a clean error, and the next generation starts again from depth zero.
    let mut input = vec![link; MAX_GENERATED_BOX_DEPTH as usize + 1];
    input.extend([end; 8]);
    assert!(Chain::generate(&mut arbitrary::Unstructured::new(&input)).is_err());
    assert!(Chain::generate(&mut arbitrary::Unstructured::new(&[link; 1 << 20])).is_err());
    let v = Chain::generate(&mut arbitrary::Unstructured::new(&[link, end, end])).unwrap();
    assert_eq!(links(&v), 1);
}
