//! Runtime core: args, env, exit codes, stdio, traps, malformed modules, the cache.

use crate::harness::*;

#[test]
fn hello_with_args() {
    let o = run_guest("core_hello", &["a b", "c"]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "hello from wasix\narg0=core_hello.wasm\narg1=a b\narg2=c\n");
}
