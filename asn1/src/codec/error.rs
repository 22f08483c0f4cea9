//! Typed decode and encode errors naming the field path and byte offset.

use core::fmt;

/// What was wrong with the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input ended before the value did.
    Truncated { needed: usize, remaining: usize },
    /// A length or count larger than the bytes that remain.
    LengthExceedsInput { length: u64, remaining: usize },
    /// A length determinant in long form where the short form fits, or with leading zeros.
    NonCanonicalLength,
    /// An integer with redundant leading bytes.
    NonMinimalInteger,
    /// An integer outside its constraint.
    IntegerOutOfRange,
    /// A BOOLEAN other than 0x00 or 0xFF.
    InvalidBoolean(u8),
    /// A string, SEQUENCE OF or BIT STRING outside its SIZE constraint.
    SizeOutOfRange { size: u64 },
    /// Padding or unused bits that are not zero.
    NonZeroPadding,
    /// A DEFAULT component encoded with its default value.
    ExplicitDefault,
    /// An extension bit set with no extension addition present, or an empty bitmap.
    EmptyExtensions,
    /// A CHOICE tag that names no alternative of a non-extensible CHOICE.
    UnknownChoice { tag: u64 },
    /// A tag of a class other than context-specific.
    UnexpectedTagClass,
    /// A tag number in long form where the short form fits.
    NonCanonicalTag,
    /// An ENUMERATED value that names no item.
    UnknownEnumerated(i64),
    /// An ENUMERATED value in long form where the short form fits.
    NonCanonicalEnumerated,
    /// Bytes that are not valid for the string type.
    InvalidString,
    /// A malformed OBJECT IDENTIFIER.
    InvalidObjectIdentifier,
    /// An open type whose content did not use exactly its length.
    OpenTypeLength,
    /// Bytes left over after the top-level value.
    TrailingBytes { count: usize },
    /// Nesting deeper than [`MAX_DEPTH`](super::MAX_DEPTH).
    TooDeep,
    /// A named constraint of the type (WITH COMPONENTS, value set) is violated.
    Constraint(&'static str),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { needed, remaining } => {
                write!(f, "truncated: needs {needed} bytes, {remaining} remain")
            }
            Self::LengthExceedsInput { length, remaining } => {
                write!(
                    f,
                    "length {length} exceeds the {remaining} bytes that remain"
                )
            }
            Self::NonCanonicalLength => f.write_str("non-canonical length determinant"),
            Self::NonMinimalInteger => f.write_str("integer not in minimal form"),
            Self::IntegerOutOfRange => f.write_str("integer outside its constraint"),
            Self::InvalidBoolean(b) => write!(f, "invalid BOOLEAN byte {b:#04x}"),
            Self::SizeOutOfRange { size } => write!(f, "size {size} outside its SIZE constraint"),
            Self::NonZeroPadding => f.write_str("non-zero padding or unused bits"),
            Self::ExplicitDefault => f.write_str("DEFAULT value encoded explicitly"),
            Self::EmptyExtensions => f.write_str("extension bit set without any extension"),
            Self::UnknownChoice { tag } => write!(f, "unknown CHOICE alternative [{tag}]"),
            Self::UnexpectedTagClass => f.write_str("unexpected tag class"),
            Self::NonCanonicalTag => f.write_str("non-canonical tag"),
            Self::UnknownEnumerated(v) => write!(f, "unknown ENUMERATED value {v}"),
            Self::NonCanonicalEnumerated => f.write_str("non-canonical ENUMERATED"),
            Self::InvalidString => f.write_str("invalid characters for the string type"),
            Self::InvalidObjectIdentifier => f.write_str("invalid OBJECT IDENTIFIER"),
            Self::OpenTypeLength => f.write_str("open type content does not fill its length"),
            Self::TrailingBytes { count } => write!(f, "{count} trailing bytes"),
            Self::TooDeep => f.write_str("nesting too deep"),
            Self::Constraint(what) => write!(f, "constraint violated: {what}"),
        }
    }
}

/// A decoding failure: what, where in the bytes, and in which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub kind: ErrorKind,
    /// Byte offset from the start of the top-level input.
    pub offset: usize,
    /// Field names from the innermost outwards (built while the error unwinds).
    path_rev: Vec<&'static str>,
}

impl DecodeError {
    pub fn new(kind: ErrorKind, offset: usize) -> Self {
        Self {
            kind,
            offset,
            path_rev: Vec::new(),
        }
    }

    /// Adds the name of the enclosing field or type; called as the error unwinds.
    #[cold]
    pub fn in_field(mut self, name: &'static str) -> Self {
        self.path_rev.push(name);
        self
    }

    /// The field path, outermost first, e.g. `Ieee1609Dot2Data.content.signedData.tbsData`.
    pub fn path(&self) -> String {
        let mut parts: Vec<&str> = self.path_rev.iter().rev().copied().collect();
        parts.dedup();
        parts.join(".")
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        if path.is_empty() {
            write!(f, "{} at byte {}", self.kind, self.offset)
        } else {
            write!(f, "{} at byte {} in {}", self.kind, self.offset, path)
        }
    }
}

impl std::error::Error for DecodeError {}

/// An encoding failure: the value breaks a constraint of its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    pub kind: ErrorKind,
    path_rev: Vec<&'static str>,
}

impl EncodeError {
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            path_rev: Vec::new(),
        }
    }

    #[cold]
    pub fn in_field(mut self, name: &'static str) -> Self {
        self.path_rev.push(name);
        self
    }

    pub fn path(&self) -> String {
        let mut parts: Vec<&str> = self.path_rev.iter().rev().copied().collect();
        parts.dedup();
        parts.join(".")
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot encode {}: {}", self.path(), self.kind)
    }
}

impl std::error::Error for EncodeError {}
