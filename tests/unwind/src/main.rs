//! Panics that unwind: `catch_unwind` catches, a panicking thread's `join()` is `Err`, and a
//! panicking `main` exits 101. `unwind [catch | thread | main]`; its tests include one failure.
use std::panic;

/// The `&str`/`String` payload of a caught panic.
fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<non-string payload>".to_owned())
}

/// A value whose drop runs during unwinding (cleanup pads must execute).
struct Noisy;

impl Drop for Noisy {
    fn drop(&mut self) {
        println!("dropped during unwind");
    }
}

fn catch() {
    let caught = panic::catch_unwind(|| {
        let _guard = Noisy;
        panic!("caught me");
    });
    match caught {
        Ok(()) => println!("catch_unwind: Ok"),
        Err(p) => println!("catch_unwind: Err({})", message(p.as_ref())),
    }
}

fn thread() {
    let handle = std::thread::spawn(|| -> u32 { panic!("thread boom") });
    match handle.join() {
        Ok(v) => println!("join: Ok({v})"),
        Err(p) => println!("join: Err({})", message(p.as_ref())),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("catch") => catch(),
        Some("thread") => thread(),
        Some("main") => panic!("main boom"),
        _ => {
            catch();
            thread();
        }
    }
    println!("still running");
}

#[cfg(test)]
mod tests {
    #[test]
    fn passes() {
        assert_eq!(2 + 2, 4);
    }

    #[test]
    fn also_passes() {
        assert!("unwind".starts_with("un"));
    }

    #[test]
    #[should_panic(expected = "expected panic")]
    fn should_panic_is_honoured() {
        panic!("expected panic");
    }

    #[test]
    fn fails() {
        assert_eq!(1 + 1, 3, "deliberate failure");
    }
}
