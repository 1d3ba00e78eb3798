//! `seed DATA_DIR N`: fills a data dir with N users (ids 1..=N) through the store's own API, far
//! faster than N sign-ups over HTTP, then closes the store so that all of it is on disk. The
//! server started on that dir afterwards creates its admin as usual.

use std::path::PathBuf;
use std::time::Instant;

use reference_server::store::Store;
use reference_server::violations::Violations;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(users)) = (args.next(), args.next()) else {
        return Err("usage: seed DATA_DIR USERS".into());
    };
    let (dir, users): (PathBuf, u64) = (dir.into(), users.parse()?);
    let started = Instant::now();
    let store = Store::open(&dir, Violations::default())?;
    benches::fill(&store, users).await;
    let count = store.count();
    store.close().await?;
    println!(
        "seeded {count} users into {} in {:.1} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
