//! What `serve` answers, before tiny_http sends it: the site path a
//! request names (checked so nothing outside the site can be reached), the
//! Content-Type of a file, and an answer as plain data.

/// An answer to send.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![
                ("Content-Type", "text/plain; charset=utf-8".into()),
                ("Cache-Control", "no-store".into()),
            ],
            body: body.as_bytes().to_vec(),
        }
    }

    #[cfg(test)]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The site path a request URL names: percent-decoded, without the query,
/// fragment and leading `/`. Anything that could reach outside the site
/// (`..`, a backslash, a NUL, another absolute path) is refused.
pub fn site_path(url: &str) -> Result<String, &'static str> {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let Some(rest) = url.strip_prefix('/') else {
        return Err("The path must start with /.\n");
    };
    let bytes = percent_decode(rest).ok_or("The path is not valid percent-encoding.\n")?;
    let path = String::from_utf8(bytes).map_err(|_| "The path is not UTF-8.\n")?;
    if path.contains(['\\', '\0']) {
        return Err("The path has a backslash or NUL.\n");
    }
    if path.starts_with('/') || path.split('/').next().is_some_and(|s| s.contains(':')) {
        return Err("The path is absolute.\n");
    }
    if path
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return Err("The path has `.` or `..` in it.\n");
    }
    Ok(path)
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// One path segment for a URL: everything but letters, digits and `-._~`
/// percent-encoded, so it is plain ASCII and cannot read as a scheme.
pub fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The Content-Type for a site path, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_are_decoded_and_checked() {
        assert_eq!(site_path("/").unwrap(), "");
        assert_eq!(
            site_path("/policy/a.html?x=1#top").unwrap(),
            "policy/a.html"
        );
        assert_eq!(site_path("/a%20b.html").unwrap(), "a b.html");
        for bad in [
            "/../etc/passwd",
            "/policy/../../x",
            "/%2e%2e/etc/passwd",
            "/policy/%2E%2E/%2E%2E/x",
            "/a%5c..%5cb",
            "/a\\b",
            "/a%00.html",
            "//etc/passwd",
            "/%2fetc/passwd",
            "/C:/Windows/win.ini",
            "/./index.html",
            "/a%zz",
            "/%ff.html",
            "relative",
        ] {
            assert!(site_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_segment_encodes_to_ascii_that_decodes_back() {
        assert_eq!(percent_encode("help-2_b.~x"), "help-2_b.~x");
        assert_eq!(percent_encode("a b:c"), "a%20b%3Ac");
        assert_eq!(percent_encode("café"), "caf%C3%A9");
        assert_eq!(
            site_path(&format!("/x/{}", percent_encode("café a:b"))).unwrap(),
            "x/café a:b"
        );
    }

    #[test]
    fn content_types_by_extension() {
        for (path, kind) in [
            ("a.html", "text/html; charset=utf-8"),
            ("static/a.css", "text/css; charset=utf-8"),
            ("static/a.js", "text/javascript; charset=utf-8"),
            ("search.json", "application/json"),
            ("p/d.svg", "image/svg+xml"),
            ("i.PNG", "image/png"),
            ("i.jpg", "image/jpeg"),
            ("i.jpeg", "image/jpeg"),
            ("i.webp", "image/webp"),
            ("f.pdf", "application/pdf"),
            ("f.woff2", "font/woff2"),
            ("sitemap.xml", "application/xml"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("noextension", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), kind, "{path}");
        }
    }
}
