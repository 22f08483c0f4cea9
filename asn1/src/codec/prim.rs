//! Primitive COER types and the building blocks the derive macro calls.

use super::{Decode, Decoder, Describe, Encode, EncodeError, Encoder, ErrorKind, Value};
use crate::codec::DecodeError;
use arbitrary::{Result as ArbResult, Unstructured};
use core::fmt;
use core::ops::Deref;
use std::borrow::Cow;

// ---------------------------------------------------------------------------
// Generation of valid values (property tests and structure-aware fuzzing)
// ---------------------------------------------------------------------------

/// Generates values that satisfy the type's constraints, so they must round-trip.
pub trait Generate<'a>: Sized {
    fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self>;
}

/// A type with a SIZE constraint supplied by the field or newtype that uses it.
pub trait SizeConstrained<'a>: Sized {
    fn decode_sized(d: &mut Decoder<'a>, min: u64, max: Option<u64>) -> Result<Self, DecodeError>;
    fn encode_sized(&self, e: &mut Encoder, min: u64, max: Option<u64>) -> Result<(), EncodeError>;
    fn generate_sized(u: &mut Unstructured<'a>, min: u64, max: Option<u64>) -> ArbResult<Self>;
}

/// A length within `min..=max` for generated values, kept small.
fn gen_len(u: &mut Unstructured<'_>, min: u64, max: Option<u64>, cap: u64) -> ArbResult<usize> {
    let hi = max.unwrap_or(min + cap).min(min + cap);
    Ok(u.int_in_range(min..=hi)? as usize)
}

fn check_size(size: usize, min: u64, max: Option<u64>) -> Result<(), ErrorKind> {
    let s = size as u64;
    if s < min || max.is_some_and(|m| s > m) {
        return Err(ErrorKind::SizeOutOfRange { size: s });
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// INTEGER
// ---------------------------------------------------------------------------

/// How an INTEGER with the given (effective, non-extensible) bounds is encoded (X.696 10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntForm {
    Unsigned(usize),
    Signed(usize),
    VarUnsigned,
    VarSigned,
}

pub const fn int_form(lo: Option<i128>, hi: Option<i128>) -> IntForm {
    match (lo, hi) {
        (Some(l), Some(h)) if l >= 0 => {
            if h <= 0xff {
                IntForm::Unsigned(1)
            } else if h <= 0xffff {
                IntForm::Unsigned(2)
            } else if h <= 0xffff_ffff {
                IntForm::Unsigned(4)
            } else if h <= 0xffff_ffff_ffff_ffff {
                IntForm::Unsigned(8)
            } else {
                IntForm::VarUnsigned
            }
        }
        (Some(l), Some(h)) => {
            if l >= -128 && h <= 127 {
                IntForm::Signed(1)
            } else if l >= -32768 && h <= 32767 {
                IntForm::Signed(2)
            } else if l >= -(1 << 31) && h < (1 << 31) {
                IntForm::Signed(4)
            } else if l >= -(1 << 63) && h < (1 << 63) {
                IntForm::Signed(8)
            } else {
                IntForm::VarSigned
            }
        }
        (Some(l), None) if l >= 0 => IntForm::VarUnsigned,
        _ => IntForm::VarSigned,
    }
}

/// A Rust integer that can hold an ASN.1 INTEGER.
pub trait AsnInt: Copy {
    const MIN: i128;
    const MAX: i128;
    fn to_i128(self) -> i128;
    fn from_i128(v: i128) -> Option<Self>;
}

macro_rules! asn_int {
    ($($t:ty),*) => {$(
        impl AsnInt for $t {
            const MIN: i128 = <$t>::MIN as i128;
            const MAX: i128 = <$t>::MAX as i128;
            #[inline]
            fn to_i128(self) -> i128 { self as i128 }
            #[inline]
            fn from_i128(v: i128) -> Option<Self> { <$t>::try_from(v).ok() }
        }
        impl<'a> Decode<'a> for $t {
            #[inline]
            fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
                decode_int(d, Some(<$t>::MIN as i128), Some(<$t>::MAX as i128))
            }
        }
        impl Encode for $t {
            #[inline]
            fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
                encode_int(e, *self, Some(<$t>::MIN as i128), Some(<$t>::MAX as i128))
            }
        }
        impl Describe for $t {
            fn describe(&self) -> Value { Value::Int(*self as i128) }
        }
        impl<'a> Generate<'a> for $t {
            fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> { u.arbitrary() }
        }
    )*};
}
asn_int!(u8, u16, u32, u64, i8, i16, i32, i64);

/// Decodes an INTEGER constrained to `lo..=hi` (None = unbounded on that side).
pub fn decode_int<T: AsnInt>(
    d: &mut Decoder<'_>,
    lo: Option<i128>,
    hi: Option<i128>,
) -> Result<T, DecodeError> {
    let start = d.position();
    let v: i128 = match int_form(lo, hi) {
        IntForm::Unsigned(n) => d
            .read_bytes(n)?
            .iter()
            .fold(0i128, |a, b| (a << 8) | i128::from(*b)),
        IntForm::Signed(n) => {
            let b = d.read_bytes(n)?;
            let mut v = i128::from(b[0] as i8);
            for x in &b[1..] {
                v = (v << 8) | i128::from(*x);
            }
            v
        }
        IntForm::VarUnsigned => {
            let len = d.read_length()?;
            if len == 0 || len > 16 {
                return Err(d.error_at(ErrorKind::IntegerOutOfRange, start));
            }
            let b = d.read_bytes(len)?;
            if len > 1 && b[0] == 0 {
                return Err(d.error_at(ErrorKind::NonMinimalInteger, start));
            }
            if len == 16 && b[0] & 0x80 != 0 {
                return Err(d.error_at(ErrorKind::IntegerOutOfRange, start));
            }
            b.iter().fold(0i128, |a, x| (a << 8) | i128::from(*x))
        }
        IntForm::VarSigned => {
            let len = d.read_length()?;
            if len == 0 || len > 16 {
                return Err(d.error_at(ErrorKind::IntegerOutOfRange, start));
            }
            let b = d.read_bytes(len)?;
            if len > 1 && ((b[0] == 0 && b[1] & 0x80 == 0) || (b[0] == 0xff && b[1] & 0x80 != 0)) {
                return Err(d.error_at(ErrorKind::NonMinimalInteger, start));
            }
            let mut v = i128::from(b[0] as i8);
            for x in &b[1..] {
                v = (v << 8) | i128::from(*x);
            }
            v
        }
    };
    if lo.is_some_and(|l| v < l) || hi.is_some_and(|h| v > h) {
        return Err(d.error_at(ErrorKind::IntegerOutOfRange, start));
    }
    T::from_i128(v).ok_or_else(|| d.error_at(ErrorKind::IntegerOutOfRange, start))
}

/// Encodes an INTEGER constrained to `lo..=hi`.
pub fn encode_int<T: AsnInt>(
    e: &mut Encoder,
    v: T,
    lo: Option<i128>,
    hi: Option<i128>,
) -> Result<(), EncodeError> {
    let v = v.to_i128();
    if lo.is_some_and(|l| v < l) || hi.is_some_and(|h| v > h) {
        return Err(EncodeError::new(ErrorKind::IntegerOutOfRange));
    }
    let bytes = v.to_be_bytes();
    match int_form(lo, hi) {
        IntForm::Unsigned(n) | IntForm::Signed(n) => e.write_bytes(&bytes[16 - n..]),
        IntForm::VarUnsigned => {
            let skip = bytes.iter().take_while(|b| **b == 0).count().min(15);
            e.write_length(16 - skip);
            e.write_bytes(&bytes[skip..]);
        }
        IntForm::VarSigned => {
            let mut skip = 0;
            while skip < 15 {
                let (b, next) = (bytes[skip], bytes[skip + 1]);
                if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
                    skip += 1;
                } else {
                    break;
                }
            }
            e.write_length(16 - skip);
            e.write_bytes(&bytes[skip..]);
        }
    }
    Ok(())
}

/// Generates an integer within `lo..=hi` intersected with the Rust type's range.
pub fn generate_int<T: AsnInt>(
    u: &mut Unstructured<'_>,
    lo: Option<i128>,
    hi: Option<i128>,
) -> ArbResult<T> {
    let l = lo.unwrap_or(T::MIN).max(T::MIN);
    let h = hi.unwrap_or(T::MAX).min(T::MAX);
    let span = (h - l) as u128;
    let r: u128 = u.arbitrary()?;
    let v = l + if span == u128::MAX {
        r as i128
    } else {
        (r % (span + 1)) as i128
    };
    T::from_i128(v).ok_or(arbitrary::Error::IncorrectFormat)
}

// ---------------------------------------------------------------------------
// ENUMERATED
// ---------------------------------------------------------------------------

/// Reads an ENUMERATED value (X.696 11): one byte for 0..=127, else a long form.
pub fn decode_enumerated(d: &mut Decoder<'_>) -> Result<i64, DecodeError> {
    let start = d.position();
    let first = d.read_u8()?;
    if first & 0x80 == 0 {
        return Ok(i64::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 8 {
        return Err(d.error_at(ErrorKind::NonCanonicalEnumerated, start));
    }
    let b = d.read_bytes(n)?;
    if n > 1 && ((b[0] == 0 && b[1] & 0x80 == 0) || (b[0] == 0xff && b[1] & 0x80 != 0)) {
        return Err(d.error_at(ErrorKind::NonCanonicalEnumerated, start));
    }
    let mut v = i64::from(b[0] as i8);
    for x in &b[1..] {
        v = (v << 8) | i64::from(*x);
    }
    if (0..=127).contains(&v) {
        return Err(d.error_at(ErrorKind::NonCanonicalEnumerated, start));
    }
    Ok(v)
}

pub fn encode_enumerated(e: &mut Encoder, v: i64) {
    if (0..=127).contains(&v) {
        e.write_u8(v as u8);
        return;
    }
    let bytes = v.to_be_bytes();
    let mut skip = 0;
    while skip < 7 {
        let (b, next) = (bytes[skip], bytes[skip + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            skip += 1;
        } else {
            break;
        }
    }
    e.write_u8(0x80 | (8 - skip) as u8);
    e.write_bytes(&bytes[skip..]);
}

// ---------------------------------------------------------------------------
// BOOLEAN, NULL
// ---------------------------------------------------------------------------

impl<'a> Decode<'a> for bool {
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        match d.read_u8()? {
            0 => Ok(false),
            0xff => Ok(true),
            b => Err(d.error_at(ErrorKind::InvalidBoolean(b), d.position() - 1)),
        }
    }
}

impl Encode for bool {
    fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
        e.write_u8(if *self { 0xff } else { 0 });
        Ok(())
    }
}

impl Describe for bool {
    fn describe(&self) -> Value {
        Value::Bool(*self)
    }
}

impl<'a> Generate<'a> for bool {
    fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> {
        u.arbitrary()
    }
}

/// ASN.1 NULL: encodes to nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Null;

impl<'a> Decode<'a> for Null {
    fn decode(_: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        Ok(Null)
    }
}

impl Encode for Null {
    fn encode(&self, _: &mut Encoder) -> Result<(), EncodeError> {
        Ok(())
    }
}

impl Describe for Null {
    fn describe(&self) -> Value {
        Value::Null
    }
}

impl<'a> Generate<'a> for Null {
    fn generate(_: &mut Unstructured<'a>) -> ArbResult<Self> {
        Ok(Null)
    }
}

// ---------------------------------------------------------------------------
// OCTET STRING
// ---------------------------------------------------------------------------

/// A fixed-size OCTET STRING (`OCTET STRING (SIZE(N))`): N bytes, no length.
impl<'a, const N: usize> Decode<'a> for [u8; N] {
    #[inline]
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        d.read_array()
    }
}

impl<const N: usize> Encode for [u8; N] {
    #[inline]
    fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
        e.write_bytes(self);
        Ok(())
    }
}

impl<const N: usize> Describe for [u8; N] {
    fn describe(&self) -> Value {
        Value::Bytes(self.to_vec())
    }
}

impl<'a, const N: usize> Generate<'a> for [u8; N] {
    fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> {
        u.arbitrary()
    }
}

/// A variable-size OCTET STRING, borrowed from the input when decoded.
#[derive(Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Octets<'a>(pub Cow<'a, [u8]>);

impl<'a> Octets<'a> {
    pub fn borrowed(b: &'a [u8]) -> Self {
        Self(Cow::Borrowed(b))
    }

    pub fn into_owned(self) -> Octets<'static> {
        Octets(Cow::Owned(self.0.into_owned()))
    }
}

impl Deref for Octets<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Octets<'_> {
    fn from(v: Vec<u8>) -> Self {
        Self(Cow::Owned(v))
    }
}

impl<'a> From<&'a [u8]> for Octets<'a> {
    fn from(v: &'a [u8]) -> Self {
        Self(Cow::Borrowed(v))
    }
}

impl fmt::Debug for Octets<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        for b in self.0.iter() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl<'a> SizeConstrained<'a> for Octets<'a> {
    fn decode_sized(d: &mut Decoder<'a>, min: u64, max: Option<u64>) -> Result<Self, DecodeError> {
        let start = d.position();
        let len = if max == Some(min) {
            min as usize
        } else {
            d.read_length()?
        };
        check_size(len, min, max).map_err(|k| d.error_at(k, start))?;
        Ok(Octets(Cow::Borrowed(d.read_bytes(len)?)))
    }

    fn encode_sized(&self, e: &mut Encoder, min: u64, max: Option<u64>) -> Result<(), EncodeError> {
        check_size(self.0.len(), min, max).map_err(EncodeError::new)?;
        if max != Some(min) {
            e.write_length(self.0.len());
        }
        e.write_bytes(&self.0);
        Ok(())
    }

    fn generate_sized(u: &mut Unstructured<'a>, min: u64, max: Option<u64>) -> ArbResult<Self> {
        let n = gen_len(u, min, max, 40)?;
        Ok(Octets(Cow::Owned(
            u.bytes(n)
                .map(|b| b.to_vec())
                .unwrap_or_else(|_| vec![0; n]),
        )))
    }
}

impl<'a> Decode<'a> for Octets<'a> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        Self::decode_sized(d, 0, None)
    }
}

impl Encode for Octets<'_> {
    fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
        self.encode_sized(e, 0, None)
    }
}

impl Describe for Octets<'_> {
    fn describe(&self) -> Value {
        Value::Bytes(self.0.to_vec())
    }
}

impl<'a> Generate<'a> for Octets<'a> {
    fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> {
        Self::generate_sized(u, 0, None)
    }
}

/// The content of an open type (an information-object-class field such as an
/// extension's content): kept as its bytes; decode it with [`Open::decode_as`].
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Open<'a>(pub Cow<'a, [u8]>);

impl<'a> Open<'a> {
    /// Decodes the content as `T`; all of it must be used.
    pub fn decode_as<T: Decode<'a>>(&self) -> Result<T, DecodeError>
    where
        Self: 'a,
    {
        match &self.0 {
            Cow::Borrowed(b) => super::decode(b),
            Cow::Owned(_) => Err(DecodeError::new(
                ErrorKind::Constraint("owned open type"),
                0,
            )),
        }
    }

    /// Wraps the encoding of `v`.
    pub fn from_value<T: Encode>(v: &T) -> Result<Open<'static>, EncodeError> {
        Ok(Open(Cow::Owned(super::encode(v)?)))
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Open<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Open({:?})", Octets(Cow::Borrowed(&self.0)))
    }
}

impl<'a> Decode<'a> for Open<'a> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        Ok(Open(Cow::Borrowed(d.read_open_raw()?)))
    }
}

impl Encode for Open<'_> {
    fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
        e.write_open_raw(&self.0);
        Ok(())
    }
}

impl Describe for Open<'_> {
    fn describe(&self) -> Value {
        Value::Bytes(self.0.to_vec())
    }
}

impl<'a> Generate<'a> for Open<'a> {
    fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> {
        let n = gen_len(u, 0, None, 24)?;
        Ok(Open(Cow::Owned(
            u.bytes(n)
                .map(|b| b.to_vec())
                .unwrap_or_else(|_| vec![0; n]),
        )))
    }
}

// ---------------------------------------------------------------------------
// BIT STRING
// ---------------------------------------------------------------------------

/// A BIT STRING; bit 0 is the most significant bit of the first byte.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct BitString<'a> {
    pub bytes: Cow<'a, [u8]>,
    pub nbits: usize,
}

impl BitString<'_> {
    /// A bit string of `nbits` bits with the named bits set.
    pub fn with_bits(nbits: usize, set: &[usize]) -> BitString<'static> {
        let mut bytes = vec![0u8; nbits.div_ceil(8)];
        for &i in set {
            if i < nbits {
                bytes[i / 8] |= 0x80 >> (i % 8);
            }
        }
        BitString {
            bytes: Cow::Owned(bytes),
            nbits,
        }
    }

    pub fn get(&self, i: usize) -> bool {
        i < self.nbits && (self.bytes[i / 8] >> (7 - i % 8)) & 1 == 1
    }
}

impl fmt::Debug for BitString<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("'")?;
        for i in 0..self.nbits {
            f.write_str(if self.get(i) { "1" } else { "0" })?;
        }
        f.write_str("'B")
    }
}

fn unused_bits_zero(bytes: &[u8], nbits: usize) -> bool {
    let unused = bytes.len() * 8 - nbits;
    unused == 0 || bytes.last().is_none_or(|b| b & ((1u8 << unused) - 1) == 0)
}

impl<'a> SizeConstrained<'a> for BitString<'a> {
    fn decode_sized(d: &mut Decoder<'a>, min: u64, max: Option<u64>) -> Result<Self, DecodeError> {
        let start = d.position();
        let (bytes, nbits) = if max == Some(min) {
            let nbits = min as usize;
            (d.read_bytes(nbits.div_ceil(8))?, nbits)
        } else {
            let len = d.read_length()?;
            if len == 0 {
                return Err(d.error_at(ErrorKind::NonCanonicalLength, start));
            }
            let b = d.read_bytes(len)?;
            let unused = b[0];
            if unused > 7 || (len == 1 && unused != 0) {
                return Err(d.error_at(ErrorKind::NonZeroPadding, start));
            }
            (&b[1..], (len - 1) * 8 - usize::from(unused))
        };
        if !unused_bits_zero(bytes, nbits) {
            return Err(d.error_at(ErrorKind::NonZeroPadding, start));
        }
        check_size(nbits, min, max).map_err(|k| d.error_at(k, start))?;
        Ok(BitString {
            bytes: Cow::Borrowed(bytes),
            nbits,
        })
    }

    fn encode_sized(&self, e: &mut Encoder, min: u64, max: Option<u64>) -> Result<(), EncodeError> {
        check_size(self.nbits, min, max).map_err(EncodeError::new)?;
        if self.bytes.len() != self.nbits.div_ceil(8) || !unused_bits_zero(&self.bytes, self.nbits)
        {
            return Err(EncodeError::new(ErrorKind::NonZeroPadding));
        }
        if max != Some(min) {
            e.write_length(self.bytes.len() + 1);
            e.write_u8((self.bytes.len() * 8 - self.nbits) as u8);
        }
        e.write_bytes(&self.bytes);
        Ok(())
    }

    fn generate_sized(u: &mut Unstructured<'a>, min: u64, max: Option<u64>) -> ArbResult<Self> {
        let nbits = gen_len(u, min, max, 24)?;
        let mut bytes = vec![0u8; nbits.div_ceil(8)];
        for b in bytes.iter_mut() {
            *b = u.arbitrary()?;
        }
        let unused = bytes.len() * 8 - nbits;
        if let Some(last) = bytes.last_mut() {
            *last &= !((1u16 << unused) - 1) as u8;
        }
        Ok(BitString {
            bytes: Cow::Owned(bytes),
            nbits,
        })
    }
}

impl<'a> Decode<'a> for BitString<'a> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        Self::decode_sized(d, 0, None)
    }
}

impl Encode for BitString<'_> {
    fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
        self.encode_sized(e, 0, None)
    }
}

impl Describe for BitString<'_> {
    fn describe(&self) -> Value {
        Value::Bits(format!("{self:?}"))
    }
}

impl<'a> Generate<'a> for BitString<'a> {
    fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> {
        Self::generate_sized(u, 0, None)
    }
}

// ---------------------------------------------------------------------------
// Character strings
// ---------------------------------------------------------------------------

macro_rules! char_string {
    ($name:ident, $doc:literal, $valid:expr, $known_multiplier:expr) => {
        #[doc = $doc]
        #[derive(Clone, PartialEq, Eq, Hash, Default, Debug)]
        pub struct $name<'a>(pub Cow<'a, str>);

        impl<'a> SizeConstrained<'a> for $name<'a> {
            fn decode_sized(
                d: &mut Decoder<'a>,
                min: u64,
                max: Option<u64>,
            ) -> Result<Self, DecodeError> {
                let start = d.position();
                // X.696 27: a fixed size means no length only for known-multiplier
                // strings; a UTF8String always has a length, and its SIZE counts characters.
                let len = if $known_multiplier && max == Some(min) {
                    min as usize
                } else {
                    d.read_length()?
                };
                let bytes = d.read_bytes(len)?;
                let valid: fn(&[u8]) -> bool = $valid;
                if !valid(bytes) {
                    return Err(d.error_at(ErrorKind::InvalidString, start));
                }
                let s = core::str::from_utf8(bytes)
                    .map_err(|_| d.error_at(ErrorKind::InvalidString, start))?;
                check_size(s.chars().count(), min, max).map_err(|k| d.error_at(k, start))?;
                Ok($name(Cow::Borrowed(s)))
            }

            fn encode_sized(
                &self,
                e: &mut Encoder,
                min: u64,
                max: Option<u64>,
            ) -> Result<(), EncodeError> {
                let valid: fn(&[u8]) -> bool = $valid;
                if !valid(self.0.as_bytes()) {
                    return Err(EncodeError::new(ErrorKind::InvalidString));
                }
                check_size(self.0.chars().count(), min, max).map_err(EncodeError::new)?;
                if !($known_multiplier && max == Some(min)) {
                    e.write_length(self.0.len());
                }
                e.write_bytes(self.0.as_bytes());
                Ok(())
            }

            fn generate_sized(
                u: &mut Unstructured<'a>,
                min: u64,
                max: Option<u64>,
            ) -> ArbResult<Self> {
                let n = gen_len(u, min, max, 20)?;
                let mut s = String::with_capacity(n);
                for _ in 0..n {
                    s.push(char::from(b'a' + u.int_in_range(0..=25u8)?));
                }
                Ok($name(Cow::Owned(s)))
            }
        }

        impl<'a> Decode<'a> for $name<'a> {
            fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
                Self::decode_sized(d, 0, None)
            }
        }

        impl Encode for $name<'_> {
            fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
                self.encode_sized(e, 0, None)
            }
        }

        impl Describe for $name<'_> {
            fn describe(&self) -> Value {
                Value::Str(self.0.to_string())
            }
        }

        impl<'a> Generate<'a> for $name<'a> {
            fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> {
                Self::generate_sized(u, 0, None)
            }
        }
    };
}

char_string!(
    Utf8String,
    "A UTF8String (SIZE counts characters).",
    |b| core::str::from_utf8(b).is_ok(),
    false
);
char_string!(
    Ia5String,
    "An IA5String (7-bit characters).",
    |b| b.iter().all(|c| *c < 0x80),
    true
);
char_string!(
    PrintableString,
    "A PrintableString.",
    |b| b
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(c)),
    true
);
char_string!(
    VisibleString,
    "A VisibleString.",
    |b| b.iter().all(|c| (0x20..0x7f).contains(c)),
    true
);

// ---------------------------------------------------------------------------
// OBJECT IDENTIFIER
// ---------------------------------------------------------------------------

/// An OBJECT IDENTIFIER, kept as its X.690 content octets (X.696 24).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct ObjectIdentifier<'a>(pub Cow<'a, [u8]>);

impl ObjectIdentifier<'_> {
    fn valid(b: &[u8]) -> bool {
        if b.is_empty() || b[b.len() - 1] & 0x80 != 0 {
            return false;
        }
        // No arc may start with 0x80 (non-minimal), and arcs must fit in u64.
        let mut at_start = true;
        let mut arc_len = 0;
        for x in b {
            if at_start && *x == 0x80 {
                return false;
            }
            arc_len += 1;
            if arc_len > 9 {
                return false;
            }
            at_start = x & 0x80 == 0;
            if at_start {
                arc_len = 0;
            }
        }
        true
    }

    /// The arcs as a dotted string.
    pub fn dotted(&self) -> String {
        let mut arcs: Vec<u64> = Vec::new();
        let mut v: u64 = 0;
        for x in self.0.iter() {
            v = (v << 7) | u64::from(x & 0x7f);
            if x & 0x80 == 0 {
                if arcs.is_empty() {
                    let first = (v / 40).min(2);
                    arcs.push(first);
                    arcs.push(v - first * 40);
                } else {
                    arcs.push(v);
                }
                v = 0;
            }
        }
        arcs.iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Builds an identifier from its arcs (at least two).
    pub fn from_arcs(arcs: &[u64]) -> Option<ObjectIdentifier<'static>> {
        if arcs.len() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) {
            return None;
        }
        let mut out = Vec::new();
        let mut push = |mut v: u64| {
            let mut tmp = [0u8; 10];
            let mut n = 0;
            loop {
                tmp[n] = (v & 0x7f) as u8;
                n += 1;
                v >>= 7;
                if v == 0 {
                    break;
                }
            }
            for i in (0..n).rev() {
                out.push(tmp[i] | if i > 0 { 0x80 } else { 0 });
            }
        };
        push(arcs[0].checked_mul(40)?.checked_add(arcs[1])?);
        for a in &arcs[2..] {
            push(*a);
        }
        Some(ObjectIdentifier(Cow::Owned(out)))
    }
}

impl fmt::Debug for ObjectIdentifier<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OID({})", self.dotted())
    }
}

impl<'a> Decode<'a> for ObjectIdentifier<'a> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        let start = d.position();
        let len = d.read_length()?;
        let b = d.read_bytes(len)?;
        if !Self::valid(b) {
            return Err(d.error_at(ErrorKind::InvalidObjectIdentifier, start));
        }
        Ok(ObjectIdentifier(Cow::Borrowed(b)))
    }
}

impl Encode for ObjectIdentifier<'_> {
    fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
        if !Self::valid(&self.0) {
            return Err(EncodeError::new(ErrorKind::InvalidObjectIdentifier));
        }
        e.write_length(self.0.len());
        e.write_bytes(&self.0);
        Ok(())
    }
}

impl Describe for ObjectIdentifier<'_> {
    fn describe(&self) -> Value {
        Value::Str(self.dotted())
    }
}

impl<'a> Generate<'a> for ObjectIdentifier<'a> {
    fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> {
        let n = u.int_in_range(2..=6usize)?;
        let mut arcs = vec![u.int_in_range(0..=1u64)?, u.int_in_range(0..=39u64)?];
        for _ in 2..n {
            arcs.push(u.int_in_range(0..=100_000u64)?);
        }
        ObjectIdentifier::from_arcs(&arcs).ok_or(arbitrary::Error::IncorrectFormat)
    }
}

// ---------------------------------------------------------------------------
// SEQUENCE OF
// ---------------------------------------------------------------------------

/// Reads a SEQUENCE OF within `min..=max` elements.
fn decode_sequence_of<'a, T: Decode<'a>>(
    d: &mut Decoder<'a>,
    min: u64,
    max: Option<u64>,
) -> Result<Vec<T>, DecodeError> {
    let start = d.position();
    let count = d.read_count()?;
    check_size(count, min, max).map_err(|k| d.error_at(k, start))?;
    d.enter()?;
    // The count is bounded by the input, but not the memory per element: grow as
    // elements really decode instead of trusting the count.
    let mut out = Vec::with_capacity(count.min(16));
    for _ in 0..count {
        out.push(T::decode(d)?);
    }
    d.leave();
    Ok(out)
}

impl<'a, T: Decode<'a> + Encode + Generate<'a>> SizeConstrained<'a> for Vec<T> {
    fn decode_sized(d: &mut Decoder<'a>, min: u64, max: Option<u64>) -> Result<Self, DecodeError> {
        decode_sequence_of(d, min, max)
    }

    fn encode_sized(&self, e: &mut Encoder, min: u64, max: Option<u64>) -> Result<(), EncodeError> {
        check_size(self.len(), min, max).map_err(EncodeError::new)?;
        e.write_count(self.len());
        for x in self {
            x.encode(e)?;
        }
        Ok(())
    }

    fn generate_sized(u: &mut Unstructured<'a>, min: u64, max: Option<u64>) -> ArbResult<Self> {
        let n = gen_len(u, min, max, 3)?;
        (0..n).map(|_| T::generate(u)).collect()
    }
}

impl<'a, T: Decode<'a>> Decode<'a> for Vec<T> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        decode_sequence_of(d, 0, None)
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
        e.write_count(self.len());
        for x in self {
            x.encode(e)?;
        }
        Ok(())
    }
}

impl<T: Describe> Describe for Vec<T> {
    fn describe(&self) -> Value {
        Value::List(self.iter().map(Describe::describe).collect())
    }
}

impl<'a, T: Generate<'a>> Generate<'a> for Vec<T> {
    fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> {
        let n = gen_len(u, 0, None, 3)?;
        (0..n).map(|_| T::generate(u)).collect()
    }
}

// ---------------------------------------------------------------------------
// Box (recursive types)
// ---------------------------------------------------------------------------

impl<'a, T: Decode<'a>> Decode<'a> for Box<T> {
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        T::decode(d).map(Box::new)
    }
}

impl<T: Encode> Encode for Box<T> {
    fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
        (**self).encode(e)
    }
}

impl<T: Describe> Describe for Box<T> {
    fn describe(&self) -> Value {
        (**self).describe()
    }
}

/// How deeply generated values may nest through `Box` (recursive types such as
/// `Ieee1609Dot2Data` inside `SignedDataPayload`). Fuzz input chooses the
/// branches, so without a bound a long input recursed until the stack overflowed
/// (about 1800 frames seen). Eight levels (a signed message takes two, its
/// `SignedData` and its payload's `data`: four nested signed messages) is beyond
/// any real message and well inside the decoders' `MAX_DEPTH`. Past it the whole
/// value fails, and the fuzzer moves on to other input.
pub const MAX_GENERATED_BOX_DEPTH: u32 = 8;

std::thread_local! {
    static GENERATED_BOX_DEPTH: core::cell::Cell<u32> = const { core::cell::Cell::new(0) };
}

/// Holds one level of `Box` nesting while a value is generated; the level is
/// released on drop, so an error on the way out leaves the count right.
struct BoxDepthGuard;

impl BoxDepthGuard {
    fn enter() -> ArbResult<Self> {
        GENERATED_BOX_DEPTH.with(|d| {
            if d.get() >= MAX_GENERATED_BOX_DEPTH {
                return Err(arbitrary::Error::IncorrectFormat);
            }
            d.set(d.get() + 1);
            Ok(BoxDepthGuard)
        })
    }
}

impl Drop for BoxDepthGuard {
    fn drop(&mut self) {
        GENERATED_BOX_DEPTH.with(|d| d.set(d.get() - 1));
    }
}

impl<'a, T: Generate<'a>> Generate<'a> for Box<T> {
    fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> {
        let _level = BoxDepthGuard::enter()?;
        T::generate(u).map(Box::new)
    }
}

// ---------------------------------------------------------------------------
// Spans
// ---------------------------------------------------------------------------

/// A value together with the exact bytes it was decoded from, so that signatures
/// and HashedIds are computed over the received bytes without re-encoding.
/// A value built in code has no span and is encoded on demand.
#[derive(Clone, Debug)]
pub struct Spanned<'a, T> {
    value: T,
    raw: Option<&'a [u8]>,
}

impl<'a, T> Spanned<'a, T> {
    pub fn new(value: T) -> Self {
        Self { value, raw: None }
    }

    /// The bytes this value was decoded from, if it was decoded.
    pub fn raw(&self) -> Option<&'a [u8]> {
        self.raw
    }

    pub fn into_inner(self) -> T {
        self.value
    }

    pub fn value(&self) -> &T {
        &self.value
    }
}

impl<T: Encode> Spanned<'_, T> {
    /// The COER bytes: the received ones, or a fresh encoding.
    pub fn to_bytes(&self) -> Result<Cow<'_, [u8]>, EncodeError> {
        match self.raw {
            Some(r) => Ok(Cow::Borrowed(r)),
            None => super::encode(&self.value).map(Cow::Owned),
        }
    }
}

impl<T> Deref for Spanned<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Spanned<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<'_, T> {}

impl<'a, T: Decode<'a>> Decode<'a> for Spanned<'a, T> {
    #[inline]
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError> {
        let start = d.position();
        let value = T::decode(d)?;
        Ok(Spanned {
            value,
            raw: Some(d.span_from(start)),
        })
    }
}

impl<T: Encode> Encode for Spanned<'_, T> {
    fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError> {
        match self.raw {
            // Strict canonical decoding means the received bytes are the encoding.
            Some(r) => {
                e.write_bytes(r);
                Ok(())
            }
            None => self.value.encode(e),
        }
    }
}

impl<T: Describe> Describe for Spanned<'_, T> {
    fn describe(&self) -> Value {
        self.value.describe()
    }
}

impl<'a, T: Generate<'a>> Generate<'a> for Spanned<'a, T> {
    fn generate(u: &mut Unstructured<'a>) -> ArbResult<Self> {
        T::generate(u).map(Spanned::new)
    }
}

// ---------------------------------------------------------------------------
// Unknown extensions
// ---------------------------------------------------------------------------

/// Extension additions of a SEQUENCE that this version of the type does not know,
/// kept as their open-type bytes so the value re-encodes unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UnknownExtensions {
    /// Length of the received presence bitmap when it differs from the known count.
    pub bitmap_bits: Option<u32>,
    /// (index among the extension additions, encoding).
    pub items: Vec<(u32, Vec<u8>)>,
}

impl UnknownExtensions {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Bits of the presence bitmap: one per known addition, or the received length
    /// (so a value from an older or newer peer re-encodes unchanged), and never fewer
    /// than the highest present addition needs.
    pub fn bitmap_len(&self, known: usize, highest_present: usize) -> usize {
        let by_items = self
            .items
            .iter()
            .map(|(i, _)| *i as usize + 1)
            .max()
            .unwrap_or(0);
        let base = self.bitmap_bits.map(|b| b as usize).unwrap_or(known);
        base.max(by_items).max(highest_present)
    }

    pub fn is_present(&self, i: usize) -> bool {
        self.items.iter().any(|(j, _)| *j as usize == i)
    }

    pub fn write(&self, i: usize, e: &mut Encoder) {
        if let Some((_, raw)) = self.items.iter().find(|(j, _)| *j as usize == i) {
            e.write_open_raw(raw);
        }
    }
}

impl Describe for UnknownExtensions {
    fn describe(&self) -> Value {
        Value::List(
            self.items
                .iter()
                .map(|(i, raw)| Value::Unknown {
                    tag: u64::from(*i),
                    bytes: raw.clone(),
                })
                .collect(),
        )
    }
}

/// A CHOICE alternative this version of the type does not know, kept as its
/// tag and open-type bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UnknownAlternative {
    pub tag: u64,
    pub bytes: Vec<u8>,
}

impl Describe for UnknownAlternative {
    fn describe(&self) -> Value {
        Value::Unknown {
            tag: self.tag,
            bytes: self.bytes.clone(),
        }
    }
}
