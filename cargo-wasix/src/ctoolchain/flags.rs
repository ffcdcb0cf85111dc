//! The pure core of the C toolchain set-up: the compile flags that make C objects link into a
//! WASIX module, and the environment the `cc`/`cmake`/`pkg-config` crates read, with the
//! user's own values taking precedence.

use std::path::Path;

/// The clang target triple C code is compiled for: the one rustup's wasi-libc (our base
/// libc) is built for, so the ABI, TLS model and `__wasi__`/`_REENTRANT` macros match.
pub const CLANG_TARGET: &str = "wasm32-wasip1-threads";

/// Target features C objects must have to link into a shared-memory module (wasm-ld refuses
/// `--shared-memory` with objects built without atomics), plus those the prebuilt wasi-libc
/// uses. Exception handling is left out on purpose: C has none, and clang before 20 can only
/// emit the legacy EH encoding our runtime does not load; newer ones get it through
/// [`sjlj_flags`] (docs/c-dependencies.md).
const FIXED_FEATURES: &[&str] = &[
    "atomics",
    "bulk-memory",
    "mutable-globals",
    "sign-ext",
    "nontrapping-fptoint",
];

/// Optional Rust-side target features and the first clang major that knows each flag. C may
/// use a subset of the Rust side's features (the runtime accepts all of them), never more.
const OPTIONAL_FEATURES: &[(&str, u32)] = &[
    ("simd128", 12),
    ("extended-const", 16),
    ("relaxed-simd", 16),
    ("wide-arithmetic", 20),
];

/// The first clang major that can lower setjmp/longjmp to wasm exceptions in the exnref
/// encoding our runtime loads (`-mllvm -wasm-use-legacy-eh=false`). Measured: clang 19 does
/// not know that option; clang 22 emits `try_table` with it (and still the legacy `try` by
/// default). LLVM added the option in release 20; 20 and 21 are not installed here to measure.
pub const EXNREF_SJLJ_SINCE: u32 = 20;

/// Flags that turn on setjmp/longjmp through wasm exceptions: exception handling, clang's
/// SjLj lowering, and exnref instead of the legacy encoding (the runtime, like the Rust side,
/// uses exnref). Calls become `__wasm_setjmp`/`__wasm_setjmp_test`/`__wasm_longjmp`, which
/// the C sysroot's `libwasix-setjmp.a` defines. Nothing for clangs that cannot do it: their
/// `setjmp.h` (ours) marks the functions unavailable instead.
pub fn sjlj_flags(clang_major: u32) -> &'static [&'static str] {
    if clang_major >= EXNREF_SJLJ_SINCE {
        &[
            "-mexception-handling",
            "-mllvm",
            "-wasm-enable-sjlj",
            "-mllvm",
            "-wasm-use-legacy-eh=false",
        ]
    } else {
        &[]
    }
}

/// What the flags depend on.
#[derive(Debug, Clone)]
pub struct FlagInputs<'a> {
    /// The prepared C sysroot (`--sysroot`).
    pub sysroot: &'a Path,
    /// Our WASIX headers, searched before wasi-libc's (`-isystem`).
    pub wasix_include: &'a Path,
    /// clang's major version.
    pub clang_major: u32,
    /// The optional target features the Rust side is built with.
    pub enabled: &'a [&'a str],
}

/// Flags for C (`CFLAGS`).
pub fn c_flags(inputs: &FlagInputs<'_>) -> Vec<String> {
    let mut flags = vec![
        format!("--target={CLANG_TARGET}"),
        format!("--sysroot={}", inputs.sysroot.display()),
        "-isystem".to_owned(),
        inputs.wasix_include.display().to_string(),
        // Fallbacks for older wasi-libc header sets (pthread.h), searched after wasi-libc's.
        "-idirafter".to_owned(),
        inputs.wasix_include.join("compat").display().to_string(),
        "-pthread".to_owned(),
    ];
    flags.extend(FIXED_FEATURES.iter().map(|f| format!("-m{f}")));
    for (feature, since) in OPTIONAL_FEATURES {
        if inputs.clang_major >= *since && inputs.enabled.contains(feature) {
            flags.push(format!("-m{feature}"));
        }
    }
    flags.extend(
        sjlj_flags(inputs.clang_major)
            .iter()
            .map(|f| (*f).to_owned()),
    );
    flags
}

/// Flags for C++ (`CXXFLAGS`): the C flags, without exceptions (see [`FIXED_FEATURES`]).
pub fn cxx_flags(inputs: &FlagInputs<'_>) -> Vec<String> {
    let mut flags = c_flags(inputs);
    flags.push("-fno-exceptions".to_owned());
    flags
}

/// The tools and flags to hand to build scripts.
#[derive(Debug, Clone)]
pub struct Tools<'a> {
    pub cc: &'a Path,
    pub cxx: &'a Path,
    pub ar: &'a Path,
    pub c_flags: &'a [String],
    pub cxx_flags: &'a [String],
    pub cmake_toolchain: &'a Path,
    /// The C sysroot when it holds a C++ runtime (`lib/<target>/libc++.a`, `libc++abi.a`).
    pub cxx_runtime_sysroot: Option<&'a Path>,
}

/// One variable to set on cargo, or a user value we leave alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvChange {
    Set(String, String),
    /// The user set this (under the named variable); we keep theirs.
    Kept(String, String),
}

/// The variable names the `cc` crate reads for `name` on `target`, most specific first
/// (cc's `target_envs`: `NAME_<target>`, `NAME_<target with _>`, `TARGET_NAME`, `NAME`).
/// We only ever write the two target-specific forms, so host compiles stay untouched.
pub fn target_var_names(name: &str, target: &str) -> [String; 2] {
    [
        format!("{name}_{target}"),
        format!("{name}_{}", target.replace(['-', '.'], "_")),
    ]
}

/// The environment for build scripts of `target`. `user` answers the current value of a
/// variable. Tools and the cmake toolchain file: a user value under either target-specific
/// name wins. Flags: ours go in the `_`-form variable, followed by what the user had there
/// (cc reads both forms and the later flags win, so a user's flags always have the last say).
/// pkg-config is turned off for the target (its host `.pc` files describe host libraries). C++
/// links the C sysroot's libc++/libc++abi when it has them (through `WASI_SYSROOT`), else none.
pub fn env_plan(
    target: &str,
    tools: &Tools<'_>,
    user: &dyn Fn(&str) -> Option<String>,
) -> Vec<EnvChange> {
    let mut plan = Vec::new();
    let mut tool = |name: &str, value: String| {
        let names = target_var_names(name, target);
        match names.iter().find_map(|n| user(n).map(|v| (n.clone(), v))) {
            Some((n, v)) => plan.push(EnvChange::Kept(n, v)),
            None => plan.push(EnvChange::Set(names[1].clone(), value)),
        }
    };
    tool("CC", tools.cc.display().to_string());
    tool("CXX", tools.cxx.display().to_string());
    tool("AR", tools.ar.display().to_string());
    tool(
        "CMAKE_TOOLCHAIN_FILE",
        tools.cmake_toolchain.display().to_string(),
    );
    tool("PKG_CONFIG_ALLOW_CROSS", "0".to_owned());
    match tools.cxx_runtime_sysroot {
        // cc links `libc++.a` and `libc++abi.a` from `$WASI_SYSROOT/lib/<target>` for C++ on
        // wasi targets (and passes it as `--sysroot`, which our flags repeat). Not
        // target-specific in cc, so only a user's own value stops us.
        Some(sysroot) => match user("WASI_SYSROOT") {
            Some(v) => plan.push(EnvChange::Kept("WASI_SYSROOT".to_owned(), v)),
            None => plan.push(EnvChange::Set(
                "WASI_SYSROOT".to_owned(),
                sysroot.display().to_string(),
            )),
        },
        // No C++ runtime here: link none (cc would ask for `c++`, which is not there);
        // C++ then links when it needs no library parts.
        None => tool("CXXSTDLIB", String::new()),
    }
    for (name, ours) in [("CFLAGS", tools.c_flags), ("CXXFLAGS", tools.cxx_flags)] {
        let var = target_var_names(name, target)[1].clone();
        // cc splits these at whitespace (shell-style only under CC_SHELL_ESCAPED_FLAGS, a
        // switch that would change how the user's own flags are read), so no quoting.
        let mut value = ours.join(" ");
        if let Some(theirs) = user(&var).filter(|v| !v.trim().is_empty()) {
            value.push(' ');
            value.push_str(&theirs);
        }
        plan.push(EnvChange::Set(var, value));
    }
    plan
}

/// A cmake toolchain file for cmake-rs (`CMAKE_TOOLCHAIN_FILE_<target>`): the same compilers
/// and flags, static-library try-compiles (there is no C-only link for this target), and
/// find_* confined to the sysroot.
pub fn cmake_toolchain(tools: &Tools<'_>, sysroot: &Path) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "/").replace('"', "\\\""));
    let path = |p: &Path| quote(&p.display().to_string());
    format!(
        "# Written by cargo-wasix (issue 10): C/C++ for wasm32-wasmer-wasi.\n\
         set(CMAKE_SYSTEM_NAME Generic)\n\
         set(CMAKE_SYSTEM_PROCESSOR wasm32)\n\
         set(CMAKE_C_COMPILER {cc})\n\
         set(CMAKE_CXX_COMPILER {cxx})\n\
         set(CMAKE_AR {ar} CACHE FILEPATH \"archiver\")\n\
         set(CMAKE_C_COMPILER_TARGET {target})\n\
         set(CMAKE_CXX_COMPILER_TARGET {target})\n\
         set(CMAKE_SYSROOT {sysroot})\n\
         set(CMAKE_C_FLAGS_INIT {cflags})\n\
         set(CMAKE_CXX_FLAGS_INIT {cxxflags})\n\
         set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)\n\
         set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)\n\
         set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)\n\
         set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)\n\
         set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)\n",
        cc = path(tools.cc),
        cxx = path(tools.cxx),
        ar = path(tools.ar),
        target = CLANG_TARGET,
        sysroot = path(sysroot),
        cflags = quote(&without_target_and_sysroot(tools.c_flags)),
        cxxflags = quote(&without_target_and_sysroot(tools.cxx_flags)),
    )
}

/// cmake passes target and sysroot itself (from the variables above).
fn without_target_and_sysroot(flags: &[String]) -> String {
    let kept: Vec<&str> = flags
        .iter()
        .map(String::as_str)
        .filter(|f| !f.starts_with("--target=") && !f.starts_with("--sysroot="))
        .collect();
    kept.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::PathBuf;

    fn inputs<'a>(major: u32, enabled: &'a [&'a str]) -> FlagInputs<'a> {
        FlagInputs {
            sysroot: Path::new("/c/sys"),
            wasix_include: Path::new("/c/sys/include/wasix"),
            clang_major: major,
            enabled,
        }
    }

    const SJLJ: &str =
        " -mexception-handling -mllvm -wasm-enable-sjlj -mllvm -wasm-use-legacy-eh=false";

    #[test]
    fn sjlj_only_where_clang_emits_exnref() {
        for (major, on) in [(18, false), (19, false), (20, true), (22, true), (30, true)] {
            assert_eq!(!sjlj_flags(major).is_empty(), on, "clang {major}");
        }
        // The C++ flags carry them too (C++ code may call setjmp), still without exceptions.
        let cxx = cxx_flags(&inputs(22, &[])).join(" ");
        assert!(cxx.ends_with(&format!("{SJLJ} -fno-exceptions")), "{cxx}");
    }

    #[test]
    fn c_flags_follow_rust_features_and_clang_version() {
        let base = "--target=wasm32-wasip1-threads --sysroot=/c/sys -isystem /c/sys/include/wasix \
                    -idirafter /c/sys/include/wasix/compat -pthread -matomics -mbulk-memory -mmutable-globals -msign-ext -mnontrapping-fptoint";
        let cases: &[(u32, &[&str], &str)] = &[
            (19, &[], ""),
            (
                19,
                &["simd128", "extended-const"],
                " -msimd128 -mextended-const",
            ),
            // clang 19 has no -mwide-arithmetic: C simply does not use it.
            (19, &["simd128", "wide-arithmetic"], " -msimd128"),
            (
                20,
                &["simd128", "wide-arithmetic"],
                &format!(" -msimd128 -mwide-arithmetic{SJLJ}"),
            ),
            (15, &["extended-const", "relaxed-simd"], ""),
            // 20+: setjmp/longjmp through exnref exceptions, after the features.
            (20, &[], SJLJ),
            (
                22,
                &["simd128", "wide-arithmetic"],
                &format!(" -msimd128 -mwide-arithmetic{SJLJ}"),
            ),
        ];
        for (major, enabled, extra) in cases {
            assert_eq!(
                c_flags(&inputs(*major, enabled)).join(" "),
                format!("{base}{extra}"),
                "clang {major}, {enabled:?}"
            );
        }
        let cxx = cxx_flags(&inputs(19, &[]));
        assert_eq!(cxx.last().map(String::as_str), Some("-fno-exceptions"));
    }

    #[test]
    fn var_names_match_cc() {
        assert_eq!(
            target_var_names("CC", "wasm32-wasmer-wasi"),
            ["CC_wasm32-wasmer-wasi", "CC_wasm32_wasmer_wasi"]
        );
        assert_eq!(
            target_var_names("CFLAGS", "a.b-c"),
            ["CFLAGS_a.b-c", "CFLAGS_a_b_c"]
        );
    }

    fn plan_with(user: &[(&str, &str)], cxx_runtime: bool) -> Vec<EnvChange> {
        let user: HashMap<String, String> = user
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let c = vec!["-a".to_owned(), "--b=x".to_owned()];
        let cxx = vec!["-c".to_owned()];
        let (cc, cxxp, ar, tc) = (
            PathBuf::from("/u/clang"),
            PathBuf::from("/u/clang++"),
            PathBuf::from("/u/llvm-ar"),
            PathBuf::from("/c/wasix.cmake"),
        );
        let tools = Tools {
            cc: &cc,
            cxx: &cxxp,
            ar: &ar,
            c_flags: &c,
            cxx_flags: &cxx,
            cmake_toolchain: &tc,
            cxx_runtime_sysroot: cxx_runtime.then_some(Path::new("/c")),
        };
        env_plan("wasm32-wasmer-wasi", &tools, &|k| user.get(k).cloned())
    }

    fn set(k: &str, v: &str) -> EnvChange {
        EnvChange::Set(k.to_owned(), v.to_owned())
    }
    fn kept(k: &str, v: &str) -> EnvChange {
        EnvChange::Kept(k.to_owned(), v.to_owned())
    }

    #[test]
    fn env_plan_respects_user_values() {
        // (user environment, C++ runtime in the sysroot, expected plan)
        type Case<'a> = (&'a [(&'a str, &'a str)], bool, &'a [EnvChange]);
        let cases: &[Case] = &[
            (
                &[],
                false,
                &[
                    set("CC_wasm32_wasmer_wasi", "/u/clang"),
                    set("CXX_wasm32_wasmer_wasi", "/u/clang++"),
                    set("AR_wasm32_wasmer_wasi", "/u/llvm-ar"),
                    set("CMAKE_TOOLCHAIN_FILE_wasm32_wasmer_wasi", "/c/wasix.cmake"),
                    set("PKG_CONFIG_ALLOW_CROSS_wasm32_wasmer_wasi", "0"),
                    set("CXXSTDLIB_wasm32_wasmer_wasi", ""),
                    set("CFLAGS_wasm32_wasmer_wasi", "-a --b=x"),
                    set("CXXFLAGS_wasm32_wasmer_wasi", "-c"),
                ],
            ),
            (
                // The hyphen form (cc's first choice) and the underscore form both count;
                // a generic CC does not (it is the host's).
                &[
                    ("CC_wasm32-wasmer-wasi", "/opt/wasi-sdk/bin/clang"),
                    ("AR_wasm32_wasmer_wasi", "ar9"),
                    ("CC", "gcc"),
                    ("CFLAGS_wasm32_wasmer_wasi", "-O3 -DX"),
                    ("PKG_CONFIG_ALLOW_CROSS_wasm32-wasmer-wasi", "1"),
                ],
                true,
                &[
                    kept("CC_wasm32-wasmer-wasi", "/opt/wasi-sdk/bin/clang"),
                    set("CXX_wasm32_wasmer_wasi", "/u/clang++"),
                    kept("AR_wasm32_wasmer_wasi", "ar9"),
                    set("CMAKE_TOOLCHAIN_FILE_wasm32_wasmer_wasi", "/c/wasix.cmake"),
                    kept("PKG_CONFIG_ALLOW_CROSS_wasm32-wasmer-wasi", "1"),
                    set("WASI_SYSROOT", "/c"),
                    set("CFLAGS_wasm32_wasmer_wasi", "-a --b=x -O3 -DX"),
                    set("CXXFLAGS_wasm32_wasmer_wasi", "-c"),
                ],
            ),
        ];
        for (user, cxx_runtime, expected) in cases {
            assert_eq!(
                plan_with(user, *cxx_runtime),
                *expected,
                "user env {user:?}"
            );
        }
        // A user's WASI_SYSROOT stays.
        assert!(
            plan_with(&[("WASI_SYSROOT", "/mine")], true).contains(&kept("WASI_SYSROOT", "/mine"))
        );
    }

    #[test]
    fn cmake_file_names_tools_and_drops_target_flags() {
        let c = vec![
            "--target=wasm32-wasip1-threads".to_owned(),
            "--sysroot=/c".to_owned(),
            "-pthread".to_owned(),
        ];
        let (cc, ar, tc) = (
            PathBuf::from("/u/clang"),
            PathBuf::from("/u/llvm-ar"),
            PathBuf::from("/c/t.cmake"),
        );
        let tools = Tools {
            cc: &cc,
            cxx: &cc,
            ar: &ar,
            c_flags: &c,
            cxx_flags: &c,
            cmake_toolchain: &tc,
            cxx_runtime_sysroot: None,
        };
        let text = cmake_toolchain(&tools, Path::new("/c"));
        for line in [
            "set(CMAKE_C_COMPILER \"/u/clang\")",
            "set(CMAKE_C_COMPILER_TARGET wasm32-wasip1-threads)",
            "set(CMAKE_SYSROOT \"/c\")",
            "set(CMAKE_C_FLAGS_INIT \"-pthread\")",
            "set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
    }
}
