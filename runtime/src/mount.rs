//! Host directories mounted into the guest's virtual filesystem, and the `--dir`, `--mapdir`
//! and `--volume` option syntaxes that describe them.

use std::path::PathBuf;

/// One host directory made visible at an absolute guest path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Absolute guest path (`/project`).
    pub guest: String,
    /// Host directory.
    pub host: PathBuf,
    /// Refuse writes through this mount.
    pub read_only: bool,
}

impl Mount {
    /// `--dir HOST`: the host directory at the same path in the guest.
    pub fn parse_dir(host: &str) -> Result<Mount, crate::Error> {
        let host_path = std::path::absolute(host)
            .map_err(|e| crate::Error::Config(format!("invalid --dir `{host}`: {e}")))?;
        let guest = host_path.to_str().ok_or_else(|| {
            crate::Error::Config(format!(
                "invalid --dir `{host}`: the path is not UTF-8\nhelp: use --mapdir GUEST:HOST"
            ))
        })?;
        Ok(Mount {
            guest: normalize_guest(guest, host)?,
            host: host_path,
            read_only: false,
        })
    }

    /// `--mapdir GUEST:HOST`.
    pub fn parse_mapdir(spec: &str) -> Result<Mount, crate::Error> {
        let (guest, host) = split_pair(spec, "--mapdir", "GUEST:HOST")?;
        Ok(Mount {
            guest: normalize_guest(guest, spec)?,
            host: PathBuf::from(host),
            read_only: false,
        })
    }

    /// `--volume HOST:GUEST` (wasmer's form; a trailing `:ro` makes it read-only).
    pub fn parse_volume(spec: &str) -> Result<Mount, crate::Error> {
        let (body, read_only) = match spec.strip_suffix(":ro") {
            Some(body) => (body, true),
            None => (spec, false),
        };
        let (host, guest) = split_pair(body, "--volume", "HOST:GUEST")?;
        Ok(Mount {
            guest: normalize_guest(guest, spec)?,
            host: PathBuf::from(host),
            read_only,
        })
    }
}

/// Splits at the last `:` whose right side is an absolute guest path or a host path.
fn split_pair<'a>(
    spec: &'a str,
    flag: &str,
    shape: &str,
) -> Result<(&'a str, &'a str), crate::Error> {
    match spec.split_once(':') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a, b)),
        _ => Err(crate::Error::Config(format!(
            "invalid {flag} `{spec}`: expected {shape}\nhelp: for example {flag} {}",
            if shape == "GUEST:HOST" {
                "/data:./data"
            } else {
                "./data:/data"
            }
        ))),
    }
}

/// Makes `/a/./b/` into `/a/b`; the guest side must be absolute and must not use `..`.
fn normalize_guest(guest: &str, spec: &str) -> Result<String, crate::Error> {
    if !guest.starts_with('/') {
        return Err(crate::Error::Config(format!(
            "invalid mount `{spec}`: the guest path `{guest}` is not absolute\nhelp: guest paths start with `/`"
        )));
    }
    let mut parts = Vec::new();
    for part in guest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                return Err(crate::Error::Config(format!(
                    "invalid mount `{spec}`: the guest path `{guest}` contains `..`"
                )));
            }
            p => parts.push(p),
        }
    }
    Ok(format!("/{}", parts.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mapdir_and_volume() {
        type Case<'a> = (&'a str, bool, Option<(&'a str, &'a str, bool)>);
        let cases: &[Case<'_>] = &[
            ("/data:./d", true, Some(("/data", "./d", false))),
            ("/a/./b/:/h", true, Some(("/a/b", "/h", false))),
            ("relative:/h", true, None),
            ("/x/../y:/h", true, None),
            ("nocolon", true, None),
            ("./d:/data", false, Some(("/data", "./d", false))),
            ("./d:/data:ro", false, Some(("/data", "./d", true))),
            ("./d:", false, None),
        ];
        for &(spec, mapdir, want) in cases {
            let got = if mapdir {
                Mount::parse_mapdir(spec)
            } else {
                Mount::parse_volume(spec)
            };
            match want {
                Some((guest, host, ro)) => {
                    let m = got.unwrap_or_else(|e| panic!("{spec}: {e}"));
                    assert_eq!(
                        (m.guest.as_str(), m.host.to_str().unwrap(), m.read_only),
                        (guest, host, ro),
                        "{spec}"
                    );
                }
                None => assert!(got.is_err(), "{spec} should fail"),
            }
        }
    }

    #[test]
    fn dir_maps_to_same_absolute_path() {
        let m = Mount::parse_dir("/tmp").unwrap();
        assert_eq!(m.guest, "/tmp");
        assert_eq!(m.host, PathBuf::from("/tmp"));
    }
}
