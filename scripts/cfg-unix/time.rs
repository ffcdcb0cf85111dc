//! dep: time = { version = "0.3", features = ["local-offset"] }
//! env: TZ=UTC
fn main() {
    let now = time::OffsetDateTime::now_local().expect("now_local");
    assert_eq!(now.offset(), time::UtcOffset::UTC);
    println!("ok");
}
