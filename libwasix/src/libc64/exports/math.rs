//! The C math library (`pow`, `exp`, `sin`, `lgamma_r`, ...) that wasi-libc's libm is on
//! wasm32: the functions compiler-builtins leaves to the system libm on a wasm target with an
//! OS. std's float methods and the `libm`-less crates call them (tokio's `pow` among the
//! first). The implementations are the `libm` crate's, compiled from the copy inside rust-src's
//! compiler-builtins (the same files compiler-builtins itself compiles its own math from), so
//! nothing is downloaded and the sources match the user's toolchain.

use core::ffi::c_int;

// libwasix sits at `library/libwasix/` in the sysroot build's copied tree; this file is
// `library/libwasix/src/libc64/exports/math.rs`.
#[rustfmt::skip]
#[allow(dead_code, unused_imports, unexpected_cfgs, clippy::all)]
#[path = "../../../../compiler-builtins/libm/src/math/mod.rs"]
pub(crate) mod libm_math;

/// One `extern "C"` export per libm function of the same name.
macro_rules! libm_exports {
    ($(fn $name:ident($($arg:ident: $ty:ty),+) -> $ret:ty;)+) => {
        $(
            #[unsafe(no_mangle)]
            pub extern "C" fn $name($($arg: $ty),+) -> $ret {
                libm_math::$name($($arg),+)
            }
        )+
    };
}

// compiler-builtins' `partial_availability` list: what it defines only where no system libm
// exists (its `full_availability` functions, `floor`/`fmod`/`round`/..., it defines here too).
libm_exports! {
    fn acos(x: f64) -> f64;
    fn acosf(x: f32) -> f32;
    fn asin(x: f64) -> f64;
    fn asinf(x: f32) -> f32;
    fn atan(x: f64) -> f64;
    fn atan2(y: f64, x: f64) -> f64;
    fn atan2f(y: f32, x: f32) -> f32;
    fn atanf(x: f32) -> f32;
    fn cos(x: f64) -> f64;
    fn cosf(x: f32) -> f32;
    fn cosh(x: f64) -> f64;
    fn coshf(x: f32) -> f32;
    fn erf(x: f64) -> f64;
    fn erfc(x: f64) -> f64;
    fn erfcf(x: f32) -> f32;
    fn erff(x: f32) -> f32;
    fn exp(x: f64) -> f64;
    fn exp2(x: f64) -> f64;
    fn exp2f(x: f32) -> f32;
    fn expf(x: f32) -> f32;
    fn expm1(x: f64) -> f64;
    fn expm1f(x: f32) -> f32;
    fn hypot(x: f64, y: f64) -> f64;
    fn hypotf(x: f32, y: f32) -> f32;
    fn ldexp(x: f64, n: i32) -> f64;
    fn ldexpf(x: f32, n: i32) -> f32;
    fn log(x: f64) -> f64;
    fn log10(x: f64) -> f64;
    fn log10f(x: f32) -> f32;
    fn log1p(x: f64) -> f64;
    fn log1pf(x: f32) -> f32;
    fn log2(x: f64) -> f64;
    fn log2f(x: f32) -> f32;
    fn logf(x: f32) -> f32;
    fn pow(x: f64, y: f64) -> f64;
    fn powf(x: f32, y: f32) -> f32;
    fn sin(x: f64) -> f64;
    fn sinf(x: f32) -> f32;
    fn sinh(x: f64) -> f64;
    fn sinhf(x: f32) -> f32;
    fn tan(x: f64) -> f64;
    fn tanf(x: f32) -> f32;
    fn tanh(x: f64) -> f64;
    fn tanhf(x: f32) -> f32;
    fn tgamma(x: f64) -> f64;
    fn tgammaf(x: f32) -> f32;
}

/// `lgamma_r`: the log-gamma and the sign of gamma.
///
/// # Safety
/// `sign` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lgamma_r(x: f64, sign: *mut c_int) -> f64 {
    let (value, s) = libm_math::lgamma_r(x);
    // SAFETY: the caller's contract.
    unsafe { *sign = s };
    value
}

/// `lgammaf_r`, as [`lgamma_r`].
///
/// # Safety
/// `sign` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lgammaf_r(x: f32, sign: *mut c_int) -> f32 {
    let (value, s) = libm_math::lgammaf_r(x);
    // SAFETY: the caller's contract.
    unsafe { *sign = s };
    value
}
