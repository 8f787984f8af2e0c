//! How the targets cut one fuzz input into parts.
//!
//! The framings are line-based text rather than `arbitrary`'s length-prefixed encoding, so the
//! seeds (real sample bodies, signature vectors, signed requests) stay readable and meaningful
//! and a mutation of one part leaves the others intact.

/// Splits at the first `\n` into the line before it and the rest after it; without a newline
/// the whole input is the line and the rest is empty.
pub fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[]),
    }
}

/// The first `N` lines and the rest, or `None` when the input has fewer than `N` newlines.
pub fn lines<const N: usize>(mut data: &[u8]) -> Option<([&[u8]; N], &[u8])> {
    let mut out: [&[u8]; N] = [&[]; N];
    for slot in &mut out {
        let at = data.iter().position(|&b| b == b'\n')?;
        *slot = &data[..at];
        data = &data[at + 1..];
    }
    Some((out, data))
}

/// An HTTP/1-like request: `METHOD path`, `Name: value` header lines, an empty line, the body.
#[derive(Debug)]
pub struct RawRequest<'a> {
    /// The method token as sent.
    pub method: &'a [u8],
    /// The request target (may be empty).
    pub path: &'a [u8],
    /// Header lines split at the first `:`, with one leading space of the value dropped.
    pub headers: Vec<(&'a [u8], &'a [u8])>,
    /// Everything after the first empty line (empty when there is none).
    pub body: &'a [u8],
}

/// Parses [`RawRequest`]; every input gives one, however odd.
pub fn request(data: &[u8]) -> RawRequest<'_> {
    let (start, mut rest) = split_line(data);
    let (method, path) = match start.iter().position(|&b| b == b' ') {
        Some(at) => (&start[..at], &start[at + 1..]),
        None => (start, &b""[..]),
    };
    let mut headers = Vec::new();
    let mut body: &[u8] = &[];
    while !rest.is_empty() {
        let (line, after) = split_line(rest);
        rest = after;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            body = rest;
            break;
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(at) => (&line[..at], &line[at + 1..]),
            None => (line, &b""[..]),
        };
        headers.push((name, value.strip_prefix(b" ").unwrap_or(value)));
    }
    RawRequest {
        method,
        path,
        headers,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_framing() {
        let r = request(b"POST /x\nA: 1\nB:2\n\n{}\n");
        assert_eq!(r.method, b"POST");
        assert_eq!(r.path, b"/x");
        assert_eq!(
            r.headers,
            vec![(&b"A"[..], &b"1"[..]), (&b"B"[..], &b"2"[..])]
        );
        assert_eq!(r.body, b"{}\n");
        assert_eq!(
            lines::<2>(b"a\nb\nrest"),
            Some(([&b"a"[..], &b"b"[..]], &b"rest"[..]))
        );
        assert_eq!(lines::<2>(b"a\nb"), None);
    }
}
