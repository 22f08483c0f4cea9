//! A minimal ZIP archive (stored entries, no compression, no ZIP64): the
//! container 1609.2.1 uses for a certificate batch download. Reading is
//! bounded by the input: every length and offset is checked.

/// Why an archive does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipError(pub &'static str);

impl core::fmt::Display for ZipError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "zip: {}", self.0)
    }
}

impl std::error::Error for ZipError {}

/// CRC-32 (IEEE 802.3, reflected, as ZIP uses).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

fn u16le(v: usize) -> Result<[u8; 2], ZipError> {
    u16::try_from(v)
        .map(u16::to_le_bytes)
        .map_err(|_| ZipError("too large"))
}

fn u32le(v: usize) -> Result<[u8; 4], ZipError> {
    u32::try_from(v)
        .map(u32::to_le_bytes)
        .map_err(|_| ZipError("too large"))
}

/// Writes `files` (name, content) as a stored ZIP archive.
pub fn write(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ZipError> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len();
        let crc = crc32(data).to_le_bytes();
        let common = |v: &mut Vec<u8>| -> Result<(), ZipError> {
            v.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]); // version, flags, stored, time, date 1980-01-01
            v.extend_from_slice(&crc);
            v.extend_from_slice(&u32le(data.len())?);
            v.extend_from_slice(&u32le(data.len())?);
            v.extend_from_slice(&u16le(name.len())?);
            v.extend_from_slice(&[0, 0]); // extra length
            Ok(())
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out)?;
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0]); // version made by
        common(&mut central)?;
        central.extend_from_slice(&[0; 8]); // comment, disk, internal, (2 of 4 external)
        central.extend_from_slice(&[0; 2]); // external attributes (rest)
        central.extend_from_slice(&u32le(offset)?);
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len();
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&u16le(files.len())?);
    out.extend_from_slice(&u16le(files.len())?);
    out.extend_from_slice(&u32le(central.len())?);
    out.extend_from_slice(&u32le(cd_offset)?);
    out.extend_from_slice(&[0, 0]);
    Ok(out)
}

fn rd16(b: &[u8], at: usize) -> Result<usize, ZipError> {
    b.get(at..at + 2)
        .map(|s| usize::from(u16::from_le_bytes([s[0], s[1]])))
        .ok_or(ZipError("truncated"))
}

fn rd32(b: &[u8], at: usize) -> Result<usize, ZipError> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
        .ok_or(ZipError("truncated"))
}

/// Reads a stored ZIP archive (no archive comment) into (name, content) pairs,
/// checking every CRC.
pub fn read(b: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ZipError> {
    let eocd = b.len().checked_sub(22).ok_or(ZipError("truncated"))?;
    if rd32(b, eocd)? != 0x0605_4b50 {
        return Err(ZipError("no end of central directory"));
    }
    let n = rd16(b, eocd + 10)?;
    let mut at = rd32(b, eocd + 16)?;
    let mut files = Vec::with_capacity(n.min(4096));
    for _ in 0..n {
        if rd32(b, at)? != 0x0201_4b50 {
            return Err(ZipError("bad central directory entry"));
        }
        if rd16(b, at + 10)? != 0 {
            return Err(ZipError("compressed entry"));
        }
        let crc = rd32(b, at + 16)?;
        let size = rd32(b, at + 20)?;
        let name_len = rd16(b, at + 28)?;
        let skip = rd16(b, at + 30)? + rd16(b, at + 32)?;
        let local = rd32(b, at + 42)?;
        let name = b
            .get(at + 46..at + 46 + name_len)
            .ok_or(ZipError("truncated"))?;
        let name = String::from_utf8(name.to_vec()).map_err(|_| ZipError("name not UTF-8"))?;
        at += 46 + name_len + skip;
        if rd32(b, local)? != 0x0403_4b50 {
            return Err(ZipError("bad local header"));
        }
        let start = local + 30 + rd16(b, local + 26)? + rd16(b, local + 28)?;
        let data = b
            .get(start..start.checked_add(size).ok_or(ZipError("size"))?)
            .ok_or(ZipError("truncated"))?;
        if crc32(data) as usize != crc {
            return Err(ZipError("CRC mismatch"));
        }
        files.push((name, data.to_vec()));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_crc() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        let files = vec![
            ("a_0".to_string(), b"hello".to_vec()),
            ("info".to_string(), vec![]),
        ];
        let z = write(&files).unwrap();
        assert_eq!(read(&z).unwrap(), files);
        for cut in 0..z.len() {
            assert!(read(&z[..cut]).is_err());
        }
        let mut bad = z.clone();
        bad[30 + 3] ^= 1; // first entry's data
        assert!(read(&bad).is_err());
    }
}
