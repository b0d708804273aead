//! Static front-end files, embedded in the binary (the intranets we run on have no internet, so
//! nothing may come from a CDN): `assets/app.css`, `assets/app.js` and the vendored htmx 2.0,
//! ECharts 6 and Pico CSS 2.1 with their licences (`assets/vendor/README.md` says where each came
//! from). Served under `/assets/{*path}` with a one-day cache and an ETag from the file's SHA-256,
//! so a revalidation costs a 304.
//!
//! `debug-embed` (workspace Cargo.toml) embeds in debug builds too: tests and `cargo run` do not
//! depend on the working directory, and no request ever reads the file system.

use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fmt::Write as _;

#[derive(rust_embed::Embed)]
#[folder = "assets/"]
struct Assets;

const CACHE_CONTROL: &str = "public, max-age=86400";

/// `GET /assets/{*path}`: the embedded file with its type, cache headers and ETag; 304 when the
/// browser's `If-None-Match` names the current version; 404 "未找到" for anything else.
pub async fn serve_asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = Assets::get(&path) else {
        return not_found();
    };
    let etag = etag(&file.metadata.sha256_hash());
    let etag_value = HeaderValue::from_str(&etag).expect("hex ETag is a valid header value");
    let cache = HeaderValue::from_static(CACHE_CONTROL);

    if if_none_match_hits(&headers, &etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_value), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&path)),
            ),
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, cache),
        ],
        Body::from(file.data),
    )
        .into_response()
}

/// The URL of an embedded asset with a version suffix from its hash (`/assets/app.css?v=…`):
/// templates that use it get the new file right after an upgrade instead of the cached one for up
/// to a day. The handler ignores the query. An unknown path gets no suffix (and a 404 later).
pub fn url(path: &str) -> String {
    match Assets::get(path) {
        Some(file) => {
            let hash = file.metadata.sha256_hash();
            format!("/assets/{path}?v={}", &hex(&hash)[..12])
        }
        None => format!("/assets/{path}"),
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        "未找到",
    )
        .into_response()
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A strong ETag: the quoted hex SHA-256 of the file.
fn etag(sha256: &[u8; 32]) -> String {
    format!("\"{}\"", hex(sha256))
}

/// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored, `*` matches.
fn if_none_match_hits(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// The Content-Type by extension; text types carry their charset. Licence files are `.txt`/`.md`
/// and shown as plain text rather than offered as downloads.
fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::to_bytes;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new().route("/assets/{*path}", get(serve_asset))
    }

    async fn fetch(uri: &str, if_none_match: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut req = Request::builder().uri(uri);
        if let Some(tag) = if_none_match {
            req = req.header(header::IF_NONE_MATCH, tag);
        }
        let res = app()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = to_bytes(res.into_body(), 4 << 20).await.unwrap().to_vec();
        (status, headers, body)
    }

    /// Every file the pages load, with its licence texts beside it (assets/vendor/README.md).
    const EXPECTED: &[(&str, &str, &[&str])] = &[
        ("app.css", "text/css; charset=utf-8", &[]),
        ("app.js", "text/javascript; charset=utf-8", &[]),
        (
            "vendor/htmx.min.js",
            "text/javascript; charset=utf-8",
            &["vendor/htmx.LICENSE.txt"],
        ),
        (
            "vendor/echarts.common.min.js",
            "text/javascript; charset=utf-8",
            &[
                "vendor/echarts.LICENSE.txt",
                "vendor/echarts.NOTICE.txt",
                "vendor/echarts.LICENSE-d3.txt",
                "vendor/zrender.LICENSE.txt",
                "vendor/tslib.LICENSE.txt",
            ],
        ),
        (
            "vendor/pico.min.css",
            "text/css; charset=utf-8",
            &["vendor/pico.LICENSE.md"],
        ),
    ];

    #[tokio::test]
    async fn assets_are_embedded_and_served_with_their_type_and_cache_headers() {
        for (path, ctype, licences) in EXPECTED {
            let (status, headers, body) = fetch(&format!("/assets/{path}"), None).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(headers[header::CONTENT_TYPE], *ctype, "{path}");
            assert_eq!(headers[header::CACHE_CONTROL], CACHE_CONTROL, "{path}");
            assert!(
                body.len() > 1000,
                "{path} is suspiciously small: {} bytes",
                body.len()
            );
            let file = Assets::get(path).unwrap();
            assert_eq!(body, file.data.as_ref(), "{path}");
            assert_eq!(
                headers[header::ETAG].to_str().unwrap(),
                etag(&file.metadata.sha256_hash())
            );
            for licence in *licences {
                let (status, headers, body) = fetch(&format!("/assets/{licence}"), None).await;
                assert_eq!(status, StatusCode::OK, "{licence}");
                assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
                assert!(!body.is_empty(), "{licence}");
            }
        }
    }

    /// STACK.md pins htmx to 2.0.x (htmx 4 changes inheritance and error swapping) and asks for
    /// ECharts 6.
    #[test]
    fn vendored_versions_are_the_pinned_ones() {
        let htmx = Assets::get("vendor/htmx.min.js").unwrap();
        let htmx = std::str::from_utf8(&htmx.data).unwrap();
        assert!(htmx.contains("version:\"2.0."), "htmx is not 2.0.x");
        let echarts = Assets::get("vendor/echarts.common.min.js").unwrap();
        let echarts = std::str::from_utf8(&echarts.data).unwrap();
        assert!(echarts.contains("version=\"6."), "echarts is not 6.x");
        let pico = Assets::get("vendor/pico.min.css").unwrap();
        let pico = std::str::from_utf8(&pico.data).unwrap();
        assert!(pico.contains("Pico CSS ✨ v2.1."), "pico is not 2.1.x");
    }

    #[tokio::test]
    async fn if_none_match_with_the_current_etag_gives_304() {
        let (_, headers, _) = fetch("/assets/app.js", None).await;
        let tag = headers[header::ETAG].to_str().unwrap().to_string();
        assert!(
            tag.starts_with('"') && tag.ends_with('"') && tag.len() == 66,
            "{tag}"
        );

        for sent in [
            tag.clone(),
            format!("W/{tag}"),
            format!("\"0000\", {tag}"),
            "*".to_string(),
        ] {
            let (status, headers, body) = fetch("/assets/app.js", Some(&sent)).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "If-None-Match: {sent}");
            assert!(body.is_empty());
            assert_eq!(headers[header::ETAG], tag.as_str());
            assert_eq!(headers[header::CACHE_CONTROL], CACHE_CONTROL);
        }

        let (status, _, body) = fetch("/assets/app.js", Some("\"stale\"")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.is_empty());
        // Another file's ETag does not match this one.
        let (status, _, _) = fetch("/assets/app.css", Some(&tag)).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn unknown_paths_are_404_in_chinese() {
        for uri in [
            "/assets/nope.js",
            "/assets/vendor/",
            "/assets/vendor/jquery.min.js",
            "/assets/../Cargo.toml",
            "/assets/%2e%2e/Cargo.toml",
            "/assets/..%2fsrc%2flib.rs",
            "/assets/APP.CSS",
        ] {
            let (status, headers, body) = fetch(uri, None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
            assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
            assert_eq!(String::from_utf8(body).unwrap(), "未找到", "{uri}");
        }
    }

    #[test]
    fn content_types_by_extension() {
        for (path, ctype) in [
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("img/logo.png", "image/png"),
            ("img/logo.svg", "image/svg+xml"),
            ("fonts/x.woff2", "font/woff2"),
            ("fonts/x.WOFF", "font/woff"),
            ("a.json", "application/json"),
            ("vendor/htmx.LICENSE.txt", "text/plain; charset=utf-8"),
            ("vendor/README.md", "text/plain; charset=utf-8"),
            ("favicon.ico", "image/x-icon"),
            ("LICENSE", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), ctype, "{path}");
        }
    }

    #[test]
    fn versioned_urls_change_with_the_content() {
        let u = url("app.css");
        assert!(u.starts_with("/assets/app.css?v="), "{u}");
        assert_eq!(u.len(), "/assets/app.css?v=".len() + 12);
        let version = |u: &str| u.split_once("?v=").map(|(_, v)| v.to_string());
        assert_ne!(version(&url("app.js")), version(&u));
        assert_eq!(url("missing.css"), "/assets/missing.css");
    }

    /// URLs that may appear in embedded files: licence texts and licence banners that must stay
    /// as published, and XML namespace names (identifiers the SVG code compares against, never
    /// fetched). Anything else, and any URL at all in our own files, fails the test.
    const ALLOWED_URLS: &[(&str, &str)] = &[
        // ECharts: Apache licence banner and ZRender's licence banner.
        (
            "vendor/echarts.common.min.js",
            "http://www.apache.org/licenses/LICENSE-2.0",
        ),
        (
            "vendor/echarts.common.min.js",
            "https://github.com/ecomfe/zrender/blob/master/LICENSE",
        ),
        // ECharts' SVG renderer: namespace names for createElementNS / setAttributeNS.
        ("vendor/echarts.common.min.js", "http://www.w3.org/2000/svg"),
        (
            "vendor/echarts.common.min.js",
            "http://www.w3.org/1999/xlink",
        ),
        (
            "vendor/echarts.common.min.js",
            "http://www.w3.org/2000/xmlns/",
        ),
        (
            "vendor/echarts.common.min.js",
            "http://www.w3.org/XML/1998/namespace",
        ),
        // Pico: licence banner, and xmlns of its inline `data:` SVG icons.
        ("vendor/pico.min.css", "https://picocss.com"),
        ("vendor/pico.min.css", "http://www.w3.org/2000/svg"),
        // Licence texts, unaltered.
        (
            "vendor/echarts.LICENSE.txt",
            "http://www.apache.org/licenses/",
        ),
        (
            "vendor/echarts.LICENSE.txt",
            "http://www.apache.org/licenses/LICENSE-2.0",
        ),
        ("vendor/echarts.LICENSE.txt", "https://github.com/d3/d3"),
        ("vendor/echarts.NOTICE.txt", "https://www.apache.org/"),
    ];

    /// Hosts that serve front-end libraries to the internet; none may be named anywhere.
    const CDN_MARKERS: &[&str] = &[
        "//cdn",
        ".cdn.",
        "jsdelivr",
        "unpkg",
        "cdnjs",
        "googleapis",
        "gstatic",
        "bootcdn",
        "bootcss",
        "staticfile",
        "bytecdn",
        "cloudflare",
        "fonts.google",
        "esm.sh",
        "skypack",
    ];

    fn urls_in(text: &str) -> Vec<String> {
        let lower = text.to_ascii_lowercase();
        let mut found = Vec::new();
        for scheme in ["http://", "https://"] {
            let mut from = 0;
            while let Some(i) = lower[from..].find(scheme) {
                let start = from + i;
                let end = text[start..]
                    .find(|c: char| {
                        c.is_whitespace() || "\"'`()<>[]{},;\\".contains(c) || !c.is_ascii()
                    })
                    .map_or(text.len(), |n| start + n);
                found.push(text[start..end].to_string());
                from = start + scheme.len();
            }
        }
        found
    }

    #[test]
    fn no_cdn_or_other_urls_in_embedded_text_files() {
        let mut text_files = 0;
        for path in Assets::iter() {
            let file = Assets::get(&path).unwrap();
            let Ok(text) = std::str::from_utf8(&file.data) else {
                continue; // images and fonts
            };
            text_files += 1;
            let lower = text.to_ascii_lowercase();
            for marker in CDN_MARKERS {
                assert!(!lower.contains(marker), "{path} names a CDN ({marker})");
            }
            // Swagger UI's minified bundle names schema dialects, RFCs and error-decoder pages
            // as strings; it fetches none of them (validatorUrl is null, and the CSP would block
            // it), so only the CDN markers above are checked there. See vendor/README.md.
            if path.starts_with("vendor/swagger/") {
                continue;
            }
            for u in urls_in(text) {
                assert!(
                    ALLOWED_URLS.contains(&(path.as_ref(), u.as_str())),
                    "{path} contains the URL {u}: vendor the resource instead, or, for a \
                     licence banner or XML namespace, add it to ALLOWED_URLS with a reason"
                );
            }
        }
        assert!(text_files >= 12, "only {text_files} text files embedded");

        for own in ["app.css", "app.js"] {
            let file = Assets::get(own).unwrap();
            let text = std::str::from_utf8(&file.data).unwrap();
            assert_eq!(
                urls_in(text),
                Vec::<String>::new(),
                "{own} must contain no URL"
            );
            assert!(!text.contains("//cdn"), "{own}");
        }
    }

    #[test]
    fn url_scanner_finds_what_it_should() {
        let found = urls_in(
            "a <script src=\"https://cdn.example/x.js\"></script> b (http://e.org/p) HTTP://X.ORG",
        );
        assert_eq!(
            found,
            vec!["http://e.org/p", "HTTP://X.ORG", "https://cdn.example/x.js"]
        );
    }
}
