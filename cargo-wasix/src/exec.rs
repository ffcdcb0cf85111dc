//! Running child programs: replace our process when we are merely wrapping (unix `exec`), or
//! spawn and pass the exit status through.

use std::process::Command;

use anyhow::{Context, Result};

/// Hands the process over to `cmd` (unix), or runs it and returns its exit code.
pub fn exec(mut cmd: Command) -> Result<i32> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        Err(err).with_context(|| format!("failed to execute {}", describe(&cmd)))
    }
    #[cfg(not(unix))]
    {
        run(&mut cmd)
    }
}

/// Runs `cmd` to completion and returns its exit code (128+signal when killed, as shells do).
pub fn run(cmd: &mut Command) -> Result<i32> {
    let status = cmd
        .status()
        .with_context(|| format!("failed to execute {}", describe(cmd)))?;
    Ok(exit_code(status))
}

/// A process's exit status as a shell would report it.
pub fn exit_code(status: std::process::ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    1
}

/// `` `program arg arg` `` with environment changes first, for `-v` output and errors.
pub fn describe(cmd: &Command) -> String {
    let mut parts = Vec::new();
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => parts.push(format!(
                "{}={}",
                key.to_string_lossy(),
                shell_quote(&value.to_string_lossy())
            )),
            None => parts.push(format!("-u {}", key.to_string_lossy())),
        }
    }
    parts.push(shell_quote(&cmd.get_program().to_string_lossy()));
    parts.extend(cmd.get_args().map(|a| shell_quote(&a.to_string_lossy())));
    format!("`{}`", parts.join(" "))
}

fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:+,@%".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let cases = [
            ("plain", "plain"),
            ("a b", "'a b'"),
            ("", "''"),
            ("it's", r"'it'\''s'"),
            ("k=v", "k=v"),
        ];
        for (input, expected) in cases {
            assert_eq!(shell_quote(input), expected);
        }
    }

    #[test]
    fn describe_shows_env_and_args() {
        let mut cmd = Command::new("cargo");
        cmd.arg("build").arg("a b").env("X", "1");
        assert_eq!(describe(&cmd), "`X=1 cargo build 'a b'`");
    }
}
