//! setjmp/longjmp in C on WASIX: jumps in our own C, then Lua errors (longjmps inside Lua)
//! caught by Rust and by Lua's pcall, and a Rust callback called from Lua.

use mlua::{Lua, Result};

extern "C" {
    fn sjlj_from_depth(code: i32) -> i32;
    fn sjlj_through_setjmp_frame() -> i32;
    fn sjlj_nested() -> i32;
}

fn main() -> Result<()> {
    // SAFETY: plain C functions without arguments to check.
    unsafe {
        println!("depth: {} {}", sjlj_from_depth(3), sjlj_from_depth(0));
        println!("through a setjmp frame: {}", sjlj_through_setjmp_frame());
        println!("nested: {}", sjlj_nested());
        let many: i32 = (0..1000).map(|_| sjlj_from_depth(1) - 105).sum();
        println!("1000 jumps: {many}");
    }
    let in_thread = std::thread::spawn(|| unsafe { sjlj_from_depth(2) })
        .join()
        .expect("thread");
    println!("in a thread: {in_thread}");

    let lua = Lua::new();
    let err = lua
        .load(r#"error("boom from lua")"#)
        .set_name("script")
        .exec()
        .expect_err("the script raises");
    println!(
        "rust caught: {}",
        err.to_string().lines().next().unwrap_or_default()
    );

    let add = lua.create_function(|_, (a, b): (i64, i64)| Ok(a + b))?;
    lua.globals().set("rust_add", add)?;
    let sum: i64 = lua.load("return rust_add(40, 2)").eval()?;
    println!("rust callback: {sum}");

    let refuse = lua.create_function(|_, ()| -> Result<()> {
        Err(mlua::Error::RuntimeError("rust says no".into()))
    })?;
    lua.globals().set("rust_refuse", refuse)?;
    let (ok, code, from_rust): (bool, i64, String) = lua
        .load(
            r#"
            local ok, e = pcall(function() error({ code = 7 }) end)
            local _, r = pcall(rust_refuse)
            return ok, e.code, tostring(r):match("[^\n]*")
            "#,
        )
        .eval()?;
    println!("pcall: ok={ok} code={code} rust error={from_rust}");

    let total: i64 = lua
        .load(
            r#"
            local caught = 0
            for i = 1, 1000 do
                if not pcall(error, i) then caught = caught + 1 end
            end
            return caught
            "#,
        )
        .eval()?;
    println!("lua pcalls: {total}");
    Ok(())
}
