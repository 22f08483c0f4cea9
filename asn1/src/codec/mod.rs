//! The canonical OER (X.696 COER) runtime: a bounded, zero-copy [`Decoder`], an
//! [`Encoder`], and the [`Decode`] / [`Encode`] traits that `#[derive(Asn1)]` implements.
//!
//! Strictness is the point: every length is checked against the bytes that remain
//! before anything is read or allocated, every non-canonical form is an error, and
//! nesting is bounded by [`MAX_DEPTH`], so untrusted bytes can neither panic, hang
//! nor exhaust memory.

mod error;
mod prim;
pub mod testing;
mod value;

pub use error::{DecodeError, EncodeError, ErrorKind};
pub use prim::*;
pub use value::Value;

/// Nesting limit for constructed values (SEQUENCE, CHOICE, SEQUENCE OF, open types).
pub const MAX_DEPTH: u16 = 48;

/// Reads COER from a borrowed buffer. Decoded values borrow from it.
pub struct Decoder<'a> {
    input: &'a [u8],
    pos: usize,
    depth: u16,
}

impl<'a> Decoder<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            pos: 0,
            depth: 0,
        }
    }

    /// Bytes not yet consumed.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    /// Offset of the next byte from the start of the input.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The input between `start` and the current position (the span of a value just decoded).
    #[inline]
    pub fn span_from(&self, start: usize) -> &'a [u8] {
        &self.input[start..self.pos]
    }

    #[cold]
    pub fn error(&self, kind: ErrorKind) -> DecodeError {
        DecodeError::new(kind, self.pos)
    }

    #[cold]
    pub fn error_at(&self, kind: ErrorKind, offset: usize) -> DecodeError {
        DecodeError::new(kind, offset)
    }

    #[inline]
    pub fn read_bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(self.error(ErrorKind::Truncated {
                needed: n,
                remaining: self.remaining(),
            }));
        }
        let out = &self.input[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    #[inline]
    pub fn read_array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let b = self.read_bytes(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    #[inline]
    pub fn read_u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.read_bytes(1)?[0])
    }

    #[inline]
    pub fn peek_u8(&self) -> Result<u8, DecodeError> {
        self.input.get(self.pos).copied().ok_or_else(|| {
            self.error(ErrorKind::Truncated {
                needed: 1,
                remaining: 0,
            })
        })
    }

    /// A length determinant (X.696 8.6), canonical, and no larger than the input that remains.
    pub fn read_length(&mut self) -> Result<usize, DecodeError> {
        let start = self.pos;
        let first = self.read_u8()?;
        let len = if first & 0x80 == 0 {
            u64::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 8 {
                return Err(self.error_at(ErrorKind::NonCanonicalLength, start));
            }
            let bytes = self.read_bytes(n)?;
            if bytes[0] == 0 {
                return Err(self.error_at(ErrorKind::NonCanonicalLength, start));
            }
            let v = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
            if v < 128 {
                return Err(self.error_at(ErrorKind::NonCanonicalLength, start));
            }
            v
        };
        if len > self.remaining() as u64 {
            return Err(self.error_at(
                ErrorKind::LengthExceedsInput {
                    length: len,
                    remaining: self.remaining(),
                },
                start,
            ));
        }
        Ok(len as usize)
    }

    /// The quantity field of a SEQUENCE OF (X.696 20.6): a length-prefixed unsigned
    /// integer, bounded by the bytes that remain so a count cannot drive allocation.
    pub fn read_count(&mut self) -> Result<usize, DecodeError> {
        let start = self.pos;
        let len = self.read_length()?;
        if len == 0 {
            return Err(self.error_at(ErrorKind::NonCanonicalLength, start));
        }
        let bytes = self.read_bytes(len)?;
        if len > 1 && bytes[0] == 0 {
            return Err(self.error_at(ErrorKind::NonMinimalInteger, start));
        }
        if len > 8 {
            return Err(self.error_at(
                ErrorKind::LengthExceedsInput {
                    length: u64::MAX,
                    remaining: self.remaining(),
                },
                start,
            ));
        }
        let count = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        if count > self.remaining() as u64 {
            return Err(self.error_at(
                ErrorKind::LengthExceedsInput {
                    length: count,
                    remaining: self.remaining(),
                },
                start,
            ));
        }
        Ok(count as usize)
    }

    /// Enters a constructed value; fails past [`MAX_DEPTH`].
    #[inline]
    pub fn enter(&mut self) -> Result<(), DecodeError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(ErrorKind::TooDeep));
        }
        self.depth += 1;
        Ok(())
    }

    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Decodes an open type (X.696 30): a length, then exactly that many bytes of `T`.
    pub fn read_open<T: Decode<'a>>(&mut self) -> Result<T, DecodeError> {
        self.read_open_with(T::decode)
    }

    /// Decodes an open type with `f`, which must use exactly the bytes of its length.
    pub fn read_open_with<T>(
        &mut self,
        f: impl FnOnce(&mut Decoder<'a>) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        let len = self.read_length()?;
        let end = self.pos + len;
        let mut sub = Decoder {
            input: &self.input[..end],
            pos: self.pos,
            depth: self.depth,
        };
        sub.enter()?;
        let v = f(&mut sub)?;
        if sub.pos != end {
            return Err(self.error_at(ErrorKind::OpenTypeLength, sub.pos));
        }
        self.pos = end;
        Ok(v)
    }

    /// Reads the raw bytes of an open type without decoding them.
    pub fn read_open_raw(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.read_length()?;
        self.read_bytes(len)
    }

    /// Reads a tag (X.696 8.7); returns (class, number). Canonical: short form below 63.
    pub fn read_tag(&mut self) -> Result<(u8, u64), DecodeError> {
        let start = self.pos;
        let first = self.read_u8()?;
        let class = first >> 6;
        let low = first & 0x3f;
        if low < 0x3f {
            return Ok((class, u64::from(low)));
        }
        let mut num: u64 = 0;
        let mut first_sub = true;
        loop {
            let b = self.read_u8()?;
            if first_sub && b == 0x80 {
                return Err(self.error_at(ErrorKind::NonCanonicalTag, start));
            }
            first_sub = false;
            if num > (u64::MAX >> 7) {
                return Err(self.error_at(ErrorKind::NonCanonicalTag, start));
            }
            num = (num << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        if num < 63 {
            return Err(self.error_at(ErrorKind::NonCanonicalTag, start));
        }
        Ok((class, num))
    }

    /// Reads a context-specific CHOICE tag number.
    pub fn read_choice_tag(&mut self) -> Result<u64, DecodeError> {
        let start = self.pos;
        let (class, num) = self.read_tag()?;
        if class != 2 {
            return Err(self.error_at(ErrorKind::UnexpectedTagClass, start));
        }
        Ok(num)
    }

    /// Reads a SEQUENCE preamble of `nbits` bits (extension bit first if any) and
    /// checks that the padding bits are zero.
    pub fn read_preamble(&mut self, nbits: usize) -> Result<Preamble, DecodeError> {
        let nbytes = nbits.div_ceil(8);
        let bytes = self.read_bytes(nbytes)?;
        let mut bits: u64 = 0;
        // nbits is fixed by the type definition and small.
        for (i, b) in bytes.iter().enumerate() {
            if i < 8 {
                bits |= u64::from(*b) << (56 - 8 * i);
            }
        }
        let pad = nbytes * 8 - nbits;
        if pad > 0 && bytes[nbytes - 1] & ((1u8 << pad) - 1) != 0 {
            return Err(self.error_at(ErrorKind::NonZeroPadding, self.pos - 1));
        }
        Ok(Preamble { bits, next: 0 })
    }

    /// Reads the extension addition presence bitmap (X.696 16.4).
    pub fn read_extension_bitmap(&mut self) -> Result<ExtensionBitmap<'a>, DecodeError> {
        let start = self.pos;
        let len = self.read_length()?;
        if len < 2 {
            return Err(self.error_at(ErrorKind::EmptyExtensions, start));
        }
        let bytes = self.read_bytes(len)?;
        let unused = bytes[0];
        if unused > 7 {
            return Err(self.error_at(ErrorKind::NonZeroPadding, start));
        }
        let data = &bytes[1..];
        let last = data[data.len() - 1];
        if unused > 0 && last & ((1u8 << unused) - 1) != 0 {
            return Err(self.error_at(ErrorKind::NonZeroPadding, start));
        }
        let nbits = data.len() * 8 - usize::from(unused);
        if !data.iter().any(|b| *b != 0) {
            return Err(self.error_at(ErrorKind::EmptyExtensions, start));
        }
        Ok(ExtensionBitmap { data, nbits })
    }

    /// Fails unless every byte was consumed (top-level values).
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.remaining() != 0 {
            return Err(self.error(ErrorKind::TrailingBytes {
                count: self.remaining(),
            }));
        }
        Ok(())
    }
}

/// The presence bits of a SEQUENCE preamble, consumed in order.
pub struct Preamble {
    bits: u64,
    next: u32,
}

impl Preamble {
    #[inline]
    pub fn next_bit(&mut self) -> bool {
        let b = self.next < 64 && (self.bits >> (63 - self.next)) & 1 == 1;
        self.next += 1;
        b
    }
}

/// A received extension addition presence bitmap.
pub struct ExtensionBitmap<'a> {
    data: &'a [u8],
    nbits: usize,
}

impl ExtensionBitmap<'_> {
    pub fn len(&self) -> usize {
        self.nbits
    }

    pub fn is_empty(&self) -> bool {
        self.nbits == 0
    }

    pub fn get(&self, i: usize) -> bool {
        i < self.nbits && (self.data[i / 8] >> (7 - i % 8)) & 1 == 1
    }
}

/// Writes COER.
#[derive(Default)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    pub fn new() -> Self {
        Self {
            buf: Vec::with_capacity(256),
        }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    #[inline]
    pub fn write_u8(&mut self, b: u8) {
        self.buf.push(b);
    }

    #[inline]
    pub fn write_bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    pub fn write_length(&mut self, len: usize) {
        if len < 128 {
            self.buf.push(len as u8);
        } else {
            let bytes = (len as u64).to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            self.buf.push(0x80 | (8 - skip) as u8);
            self.buf.extend_from_slice(&bytes[skip..]);
        }
    }

    pub fn write_count(&mut self, count: usize) {
        let bytes = (count as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
        self.write_length(8 - skip);
        self.buf.extend_from_slice(&bytes[skip..]);
    }

    pub fn write_tag(&mut self, class: u8, num: u64) {
        if num < 63 {
            self.buf.push((class << 6) | num as u8);
        } else {
            self.buf.push((class << 6) | 0x3f);
            let mut groups = [0u8; 10];
            let mut n = 0;
            let mut v = num;
            loop {
                groups[n] = (v & 0x7f) as u8;
                n += 1;
                v >>= 7;
                if v == 0 {
                    break;
                }
            }
            for i in (0..n).rev() {
                let cont = if i > 0 { 0x80 } else { 0 };
                self.buf.push(groups[i] | cont);
            }
        }
    }

    pub fn write_choice_tag(&mut self, num: u64) {
        self.write_tag(2, num);
    }

    /// Writes a value as an open type: its encoding prefixed by its length.
    pub fn write_open<T: Encode + ?Sized>(&mut self, v: &T) -> Result<(), EncodeError> {
        self.write_open_with(|e| v.encode(e))
    }

    /// Writes what `f` encodes as an open type.
    pub fn write_open_with(
        &mut self,
        f: impl FnOnce(&mut Encoder) -> Result<(), EncodeError>,
    ) -> Result<(), EncodeError> {
        let start = self.buf.len();
        f(self)?;
        let len = self.buf.len() - start;
        let mut prefix = Encoder {
            buf: Vec::with_capacity(9),
        };
        prefix.write_length(len);
        self.buf.splice(start..start, prefix.buf);
        Ok(())
    }

    pub fn write_open_raw(&mut self, raw: &[u8]) {
        self.write_length(raw.len());
        self.buf.extend_from_slice(raw);
    }

    /// Writes a preamble of `nbits` presence bits (MSB first), zero-padded.
    pub fn write_preamble(&mut self, bits: &[bool]) {
        let nbytes = bits.len().div_ceil(8);
        let start = self.buf.len();
        self.buf.resize(start + nbytes, 0);
        for (i, b) in bits.iter().enumerate() {
            if *b {
                self.buf[start + i / 8] |= 0x80 >> (i % 8);
            }
        }
    }

    /// Writes an extension addition presence bitmap of `bits.len()` bits.
    pub fn write_extension_bitmap(&mut self, bits: &[bool]) {
        let nbytes = bits.len().div_ceil(8);
        let unused = nbytes * 8 - bits.len();
        self.write_length(nbytes + 1);
        self.buf.push(unused as u8);
        self.write_preamble(bits);
    }
}

/// A type that decodes from COER.
pub trait Decode<'a>: Sized {
    fn decode(d: &mut Decoder<'a>) -> Result<Self, DecodeError>;
}

/// A type that encodes to COER.
pub trait Encode {
    fn encode(&self, e: &mut Encoder) -> Result<(), EncodeError>;
}

/// A readable, type-directed view of a value, for `scms inspect` text and JSON.
pub trait Describe {
    fn describe(&self) -> Value;
}

/// Decodes a complete top-level value: trailing bytes are an error.
pub fn decode<'a, T: Decode<'a>>(bytes: &'a [u8]) -> Result<T, DecodeError> {
    let mut d = Decoder::new(bytes);
    let v = T::decode(&mut d)?;
    d.finish()?;
    Ok(v)
}

/// Decodes a value from the front of `bytes` and returns it with the bytes after it.
pub fn decode_prefix<'a, T: Decode<'a>>(bytes: &'a [u8]) -> Result<(T, &'a [u8]), DecodeError> {
    let mut d = Decoder::new(bytes);
    let v = T::decode(&mut d)?;
    let pos = d.position();
    Ok((v, &bytes[pos..]))
}

/// Encodes a value to COER bytes.
pub fn encode<T: Encode + ?Sized>(v: &T) -> Result<Vec<u8>, EncodeError> {
    let mut e = Encoder::new();
    v.encode(&mut e)?;
    Ok(e.into_bytes())
}

#[cfg(test)]
mod tests;
