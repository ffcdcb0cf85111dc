//! dep: chrono = "0.4"
//! env: TZ=UTC
fn main() {
    use chrono::Offset;
    let now = chrono::Local::now();
    assert_eq!(now.offset().fix().local_minus_utc(), 0);
    println!("ok");
}
