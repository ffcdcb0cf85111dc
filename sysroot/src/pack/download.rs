//! Getting a pack and its checksum: sha256 of a file, the `.sha256` sidecar (local or next to a
//! URL), and a download that hashes while it streams into a file.

use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{PackError, Result};

/// Receives download progress: bytes so far and the total when the server sent one.
pub type DownloadProgress<'a> = &'a mut dyn FnMut(u64, Option<u64>);

/// The sha256 of a file (lowercase hex).
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| PackError::io("open", path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| PackError::io("read", path, e))?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// The checksum in a `.sha256` sidecar: the first word of its first line (the `sha256sum`
/// format, `<hex>  <name>`), when it is 64 hex digits.
pub fn parse_sidecar(text: &str) -> Option<String> {
    let word = text.split_whitespace().next()?;
    is_sha256(word).then(|| word.to_ascii_lowercase())
}

/// Whether `text` is a sha256 in hex.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The `<url>.sha256` sidecar's checksum; `Ok(None)` when the server has none (404).
pub fn fetch_sidecar(url: &str) -> Result<Option<String>> {
    let sidecar = format!("{url}.sha256");
    let response = client(&sidecar)?
        .get(&sidecar)
        .send()
        .map_err(|e| download_error(&sidecar, &e))?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    let text = response
        .error_for_status()
        .and_then(reqwest::blocking::Response::text)
        .map_err(|e| download_error(&sidecar, &e))?;
    parse_sidecar(&text)
        .map(Some)
        .ok_or_else(|| PackError::Download {
            url: sidecar,
            reason: "it does not start with a sha256 (64 hex digits)".to_owned(),
        })
}

/// Streams `url` into `dest` and returns the sha256 of what arrived.
pub fn download(url: &str, dest: &Path, progress: DownloadProgress) -> Result<String> {
    let mut response = client(url)?
        .get(url)
        .send()
        .and_then(reqwest::blocking::Response::error_for_status)
        .map_err(|e| download_error(url, &e))?;
    let total = response.content_length();
    let mut file = std::fs::File::create(dest).map_err(|e| PackError::io("create", dest, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut done: u64 = 0;
    progress(0, total);
    loop {
        let n = response
            .read(&mut buf)
            .map_err(|e| download_error(url, &e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])
            .map_err(|e| PackError::io("write", dest, e))?;
        done += n as u64;
        progress(done, total);
    }
    file.sync_all()
        .map_err(|e| PackError::io("write", dest, e))?;
    if let Some(total) = total.filter(|t| *t != done) {
        return Err(PackError::Download {
            url: url.to_owned(),
            reason: format!("the connection ended after {done} of {total} bytes"),
        });
    }
    Ok(format!("{:x}", hasher.finalize()))
}

fn client(url: &str) -> Result<reqwest::blocking::Client> {
    reqwest::blocking::Client::builder()
        .user_agent(concat!("cargo-wasix/", env!("CARGO_PKG_VERSION")))
        // No overall timeout: packs are tens of MiB on slow links; a stalled connection fails.
        .timeout(None)
        .connect_timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| download_error(url, &e))
}

fn download_error(url: &str, error: &dyn std::error::Error) -> PackError {
    PackError::Download {
        url: url.to_owned(),
        reason: crate::wasi_libc::chain(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecars() {
        let hex = "ab".repeat(32);
        let cases: &[(String, Option<String>)] = &[
            (format!("{hex}  pack.tar.gz\n"), Some(hex.clone())),
            (format!("{hex}\n"), Some(hex.clone())),
            (format!("{}  x", hex.to_uppercase()), Some(hex.clone())),
            ("abc  pack.tar.gz\n".to_owned(), None),
            ("".to_owned(), None),
            (format!("{}zz  x", &hex[..62]), None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_sidecar(text), *want, "{text:?}");
        }
    }

    #[test]
    fn file_hash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").expect("write");
        assert_eq!(
            sha256_file(&path).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// Serves `files` over HTTP/1.0 on a local port (404 for anything else) until dropped.
    fn serve(files: Vec<(&'static str, Vec<u8>)>) -> String {
        use std::io::{BufRead, BufReader};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                // Skip the headers.
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request.split_whitespace().nth(1).unwrap_or("");
                let mut stream = stream;
                let _ = match files.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => stream
                        .write_all(
                            format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", body.len())
                                .as_bytes(),
                        )
                        .and_then(|()| stream.write_all(body)),
                    None => {
                        stream.write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    }
                };
            }
        });
        format!("http://{addr}")
    }

    #[test]
    fn download_and_sidecars_over_http() {
        let body = vec![42u8; 300_000];
        let hex = format!("{:x}", Sha256::digest(&body));
        let base = serve(vec![
            ("/p.tar.gz", body.clone()),
            (
                "/p.tar.gz.sha256",
                format!("{hex}  p.tar.gz\n").into_bytes(),
            ),
            ("/q.tar.gz", body.clone()),
            ("/bad.tar.gz.sha256", b"not a checksum".to_vec()),
        ]);
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("p");
        let mut seen = Vec::new();
        let got = download(&format!("{base}/p.tar.gz"), &dest, &mut |done, total| {
            seen.push((done, total))
        })
        .expect("download");
        assert_eq!(got, hex);
        assert_eq!(std::fs::read(&dest).expect("read"), body);
        assert_eq!(seen.first(), Some(&(0, Some(300_000))));
        assert_eq!(seen.last(), Some(&(300_000, Some(300_000))));

        assert_eq!(
            fetch_sidecar(&format!("{base}/p.tar.gz")).expect("sidecar"),
            Some(hex)
        );
        assert_eq!(
            fetch_sidecar(&format!("{base}/q.tar.gz")).expect("no sidecar"),
            None
        );
        let err = fetch_sidecar(&format!("{base}/bad.tar.gz")).expect_err("bad sidecar");
        assert!(
            err.to_string().contains("does not start with a sha256"),
            "{err}"
        );
        let err =
            download(&format!("{base}/missing.tar.gz"), &dest, &mut |_, _| {}).expect_err("404");
        assert!(err.to_string().contains("404"), "{err}");
    }

    #[test]
    fn unreachable_server_is_a_download_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = download(
            "http://127.0.0.1:9/pack.tar.gz",
            &dir.path().join("p"),
            &mut |_, _| {},
        )
        .expect_err("nothing listens on port 9");
        let text = err.to_string();
        assert!(
            text.contains("failed to download `http://127.0.0.1:9/pack.tar.gz`"),
            "{text}"
        );
        assert!(text.contains("help:"), "{text}");
    }
}
