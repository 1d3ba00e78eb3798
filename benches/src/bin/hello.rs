//! The floor: the least a warp 0.4 server on tokio can do per request, a fixed JSON body for
//! `GET /`. `hello PORT` (0 picks a free one) prints `listening on http://ADDR` like the server.

use warp::Filter;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = match std::env::args().nth(1).map(|p| p.parse()) {
        None => 0,
        Some(Ok(port)) => port,
        Some(Err(e)) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, e)),
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let hello = warp::path::end()
        .and(warp::get())
        .map(|| warp::reply::json(&serde_json::json!({"message": "hello"})));
    warp::serve(hello).incoming(listener).run().await;
    Ok(())
}
