//! CONTRACT §14, Avatars: an image per user, its type told by its content, its size bounded
//! without the server reading past the bound.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use reqwest::Url;

use super::{Check, Needs, Outcome};
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::property::for_all;

pub const CHECKS: &[Check] = &[
    Check {
        id: "AVT-01",
        section: "avatars",
        title: "an avatar is stored and served as sent, with its type",
        hint: "keep the exact bytes and their type under the user, and answer GET with them",
        needs: Needs::Nothing,
        run: avt_01,
    },
    Check {
        id: "AVT-02",
        section: "avatars",
        title: "a body that is not an image of its declared type is 415",
        hint: "read the first bytes (the magic number) and compare the type they show with the \
               declared one; SVG is not an allowed image",
        needs: Needs::Nothing,
        run: avt_02,
    },
    Check {
        id: "AVT-03",
        section: "avatars",
        title: "an avatar over 5 MiB is 413, answered before the rest is read",
        hint: "refuse a Content-Length over the limit at once, and stop reading a chunked body as \
               it passes the limit",
        needs: Needs::Nothing,
        run: avt_03,
    },
    Check {
        id: "AVT-04",
        section: "avatars",
        title: "only the user and admins change an avatar",
        hint: "after finding the user, refuse a PUT or DELETE by anyone else but an admin with 403",
        needs: Needs::Nothing,
        run: avt_04,
    },
    Check {
        id: "AVT-05",
        section: "avatars",
        title: "a deleted avatar, or a deleted user's, is not found",
        hint: "remove the avatar on DELETE, and with its user",
        needs: Needs::Nothing,
        run: avt_05,
    },
];

/// The largest avatar.
const MOST: usize = 5 * 1024 * 1024;

/// An allowed image type: its media type and the first bytes that show it.
#[derive(Clone, Copy, Debug)]
struct Kind {
    media: &'static str,
    magic: &'static [u8],
}

const KINDS: [Kind; 4] = [
    Kind {
        media: "image/png",
        magic: &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
    },
    Kind {
        media: "image/jpeg",
        magic: &[0xFF, 0xD8, 0xFF],
    },
    Kind {
        media: "image/gif",
        magic: b"GIF89a",
    },
    Kind {
        media: "image/webp",
        magic: b"RIFF\x24\0\0\0WEBP",
    },
];

/// An image of `kind`: its magic number, then `tail`.
fn image(kind: Kind, tail: &[u8]) -> Vec<u8> {
    let mut bytes = kind.magic.to_vec();
    bytes.extend_from_slice(tail);
    bytes
}

fn avatar_of(user: u64) -> String {
    format!("/users/{user}/avatar")
}

fn put(
    ctx: &Ctx,
    token: &str,
    user: u64,
    media: &str,
    bytes: Vec<u8>,
) -> Result<Exchange, Failure> {
    ctx.send(
        Request::put(avatar_of(user))
            .bearer(token)
            .raw(media, bytes),
    )
}

/// Stores an avatar for `user` (a check's setup: a refusal blocks the check); its bytes.
fn stored(ctx: &Ctx, token: &str, user: u64) -> Result<Vec<u8>, Failure> {
    let bytes = image(KINDS[0], b"setup");
    let exchange = put(ctx, token, user, KINDS[0].media, bytes.clone())?;
    expect::status(&exchange, &[204], "storing an avatar")
        .map_err(|f| f.blocked("storing a test avatar"))?;
    Ok(bytes)
}

/// The avatar is `bytes` of type `media`, as `reader` gets it.
fn serves(
    ctx: &Ctx,
    reader: &Session,
    user: u64,
    media: &str,
    bytes: &[u8],
    what: &str,
) -> Outcome {
    let exchange = ctx.send(Request::get(avatar_of(user)).bearer(&reader.token))?;
    expect::status(&exchange, &[200], &format!("GET of the avatar {what}"))?;
    ensure(
        exchange.media_type() == media && exchange.body == bytes,
        || {
            exchange.fail(
                format!("the avatar {what} is not the image sent, with its type"),
                format!("Content-Type: {media} and the {} bytes sent", bytes.len()),
                format!(
                    "Content-Type: {}, {} bytes{}",
                    exchange.header("content-type").unwrap_or("(none)"),
                    exchange.body.len(),
                    if exchange.body.len() == bytes.len() {
                        ", other ones"
                    } else {
                        ""
                    }
                ),
            )
        },
    )
}

fn avt_01(ctx: &Ctx) -> Outcome {
    let owner = ctx.user("user")?;
    let reader = ctx.user("user")?;
    let admin = ctx.admin()?;
    let edges = (0..KINDS.len()).map(|k| (k, Vec::new(), false));
    let strategy = (0..KINDS.len(), vec(any::<u8>(), 0..=4096), any::<bool>());
    for_all(ctx.budget, edges, strategy, |(kind, tail, by_admin)| {
        let kind = KINDS[*kind];
        let bytes = image(kind, tail);
        let token = if *by_admin {
            &admin.token
        } else {
            &owner.token
        };
        let exchange = put(ctx, token, owner.id, kind.media, bytes.clone())?;
        expect::status(
            &exchange,
            &[204],
            &format!("PUT of a {} avatar", kind.media),
        )?;
        serves(
            ctx,
            &reader,
            owner.id,
            kind.media,
            &bytes,
            "read by another user",
        )?;
        let head = ctx.send(Request::new("HEAD", avatar_of(owner.id)).bearer(&reader.token))?;
        ensure(
            head.status == 200 && head.body.is_empty() && head.media_type() == kind.media,
            || {
                head.fail(
                    "HEAD of the avatar is not GET's status and type without the bytes",
                    format!("200, Content-Type: {}, no body", kind.media),
                    head.summary(),
                )
            },
        )
    })
}

/// A body that must be refused, and the type it is sent as.
fn refused_body() -> impl Strategy<Value = (Vec<u8>, &'static str)> {
    let declared = select(KINDS.map(|k| k.media).to_vec());
    let content = prop_oneof![
        Just(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec()),
        Just(b"%PDF-1.7\n".to_vec()),
        Just(b"<!doctype html><p>hi".to_vec()),
        Just(b"GIF8".to_vec()),
        Just(b"RIFF\0\0\0\0WEBX".to_vec()),
        Just(Vec::new()),
        vec(any::<u8>(), 1..64).prop_filter("an allowed image", |b| {
            !KINDS.iter().any(|k| b.starts_with(k.magic))
        }),
    ];
    let mismatched = (0..KINDS.len(), 1..KINDS.len()).prop_map(|(k, shift)| {
        (
            image(KINDS[k], b"x"),
            KINDS[(k + shift) % KINDS.len()].media,
        )
    });
    let undeclared = (
        0..KINDS.len(),
        select(vec![
            "image/svg+xml",
            "application/octet-stream",
            "text/plain",
        ]),
    )
        .prop_map(|(k, media)| (image(KINDS[k], b"x"), media));
    prop_oneof![(content, declared), mismatched, undeclared]
}

fn avt_02(ctx: &Ctx) -> Outcome {
    let owner = ctx.user("user")?;
    let kept = stored(ctx, &owner.token, owner.id)?;
    let edges = [
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
            "image/png",
        ),
        (image(KINDS[0], b"x"), "image/jpeg"),
        (image(KINDS[1], b"x"), "image/svg+xml"),
    ];
    for_all(ctx.budget, edges, refused_body(), |(bytes, media)| {
        let exchange = put(ctx, &owner.token, owner.id, media, bytes.clone())?;
        expect::problem(
            &exchange,
            415,
            &format!("an avatar sent as {media} that is not one"),
        )?;
        serves(
            ctx,
            &owner,
            owner.id,
            KINDS[0].media,
            &kept,
            "after a refused PUT",
        )
    })
}

/// The status of a `PUT` of an avatar whose body is `declared` long (chunked when `None`) and
/// stops after `sent` bytes, the client then waiting up to `wait`; `None` when nothing came.
/// Over a plain TCP connection, since an HTTP client would not stop halfway.
fn early_answer(
    ctx: &Ctx,
    url: &Url,
    token: &str,
    declared: Option<usize>,
    sent: usize,
    wait: Duration,
) -> Result<Option<u16>, Failure> {
    let unreachable = |e: std::io::Error| {
        Failure::new(
            "the target could not be reached over TCP",
            "a connection",
            e.to_string(),
        )
    };
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(80);
    let stream = TcpStream::connect((host, port)).map_err(unreachable)?;
    stream.set_read_timeout(Some(wait)).map_err(unreachable)?;
    let mut head = format!(
        "PUT {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: image/png\r\n",
        url.path(),
        url.authority()
    );
    for (name, value) in &ctx.target.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&match declared {
        Some(n) => format!("Content-Length: {n}\r\n\r\n"),
        None => "Transfer-Encoding: chunked\r\n\r\n".to_owned(),
    });
    let mut writer = stream.try_clone().map_err(unreachable)?;
    let (done, finished) = std::sync::mpsc::channel::<()>();
    // Written beside the reading: a server that stops reading fills the socket's buffers, and
    // the answer must be read while the write is stuck.
    let sending = std::thread::spawn(move || {
        let body = image(KINDS[0], &vec![0; sent - KINDS[0].magic.len()]);
        let _ = writer.write_all(head.as_bytes());
        for chunk in body.chunks(64 * 1024) {
            let written = match declared {
                Some(_) => writer.write_all(chunk),
                None => writer
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .and_then(|()| writer.write_all(chunk))
                    .and_then(|()| writer.write_all(b"\r\n")),
            };
            if written.is_err() {
                return;
            }
        }
        // Then nothing more, the connection held open, until the reader is done with it.
        let _ = finished.recv_timeout(Duration::from_secs(120));
    });
    let mut status = String::new();
    let answered = BufReader::new(&stream).read_line(&mut status);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    drop(done);
    let _ = sending.join();
    match answered {
        Ok(n) if n > 0 => Ok(status
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())),
        _ => Ok(None),
    }
}

fn avt_03(ctx: &Ctx) -> Outcome {
    let owner = ctx.user("user")?;
    let most = image(KINDS[0], &vec![7; MOST - KINDS[0].magic.len()]);
    let exchange = put(ctx, &owner.token, owner.id, KINDS[0].media, most.clone())?;
    expect::status(&exchange, &[204], "an avatar of exactly 5 MiB")?;
    serves(
        ctx,
        &owner,
        owner.id,
        KINDS[0].media,
        &most,
        "of exactly 5 MiB",
    )?;
    let url = Url::parse(&format!("{}{}", ctx.http.base(), avatar_of(owner.id)))
        .map_err(|e| Failure::new("the base URL does not parse", "a URL", e.to_string()))?;
    if url.scheme() != "http" {
        // A server that refuses early may close before an HTTP client has written the body, so
        // over TLS a refusal can be seen only when the client gets to read it.
        let over = image(KINDS[0], &vec![0; MOST - KINDS[0].magic.len() + 1]);
        return match put(ctx, &owner.token, owner.id, KINDS[0].media, over) {
            Ok(exchange) => {
                expect::problem(&exchange, 413, "an avatar of 5 MiB and one byte").map(drop)
            }
            Err(_) => Err(Failure::inconclusive(
                "an over-long avatar's early answer is checked over plain HTTP only",
                "the connection closed before the answer could be read",
            )),
        };
    }
    // Read beside the writing, so that an answer sent before the body is all written is seen.
    let wait = Duration::from_secs(30);
    let cases = [
        (Some(MOST + 1), MOST + 1, "of 5 MiB and one byte, whole"),
        (
            Some(2 * MOST),
            MOST + 1,
            "with a Content-Length of 10 MiB, stopped after 5 MiB and one byte",
        ),
        (None, MOST + 1, "chunked, stopped after 5 MiB and one byte"),
    ];
    for (declared, sent, what) in cases {
        let status = early_answer(ctx, &url, &owner.token, declared, sent, wait)?;
        ensure(status == Some(413), || {
            Failure::new(
                format!("an avatar {what} was not refused with 413 while the client waited"),
                "413 before the client sends more",
                match status {
                    Some(s) => format!("status {s}"),
                    None => format!(
                        "no answer within {} s: the server waits for more of the body",
                        wait.as_secs()
                    ),
                },
            )
        })?;
    }
    Ok(())
}

fn avt_04(ctx: &Ctx) -> Outcome {
    let owner = ctx.user("user")?;
    let kept = stored(ctx, &owner.token, owner.id)?;
    for role in ["user", "moderator"] {
        let other = ctx.user(role)?;
        let exchange = put(
            ctx,
            &other.token,
            owner.id,
            KINDS[1].media,
            image(KINDS[1], b"x"),
        )?;
        expect::problem(
            &exchange,
            403,
            &format!("PUT of another user's avatar by a {role}"),
        )?;
        let delete = Request::delete(avatar_of(owner.id)).bearer(&other.token);
        expect::problem(
            &ctx.send(delete)?,
            403,
            &format!("DELETE of another user's avatar by a {role}"),
        )?;
    }
    let anonymous = [
        Request::put(avatar_of(owner.id)).raw(KINDS[1].media, image(KINDS[1], b"x")),
        Request::delete(avatar_of(owner.id)),
        Request::get(avatar_of(owner.id)),
    ];
    for request in anonymous {
        let what = format!("{} of an avatar without a credential", request.method);
        expect::problem(&ctx.send(request)?, 401, &what)?;
    }
    serves(
        ctx,
        &owner,
        owner.id,
        KINDS[0].media,
        &kept,
        "after refused changes",
    )
}

fn avt_05(ctx: &Ctx) -> Outcome {
    let owner = ctx.user("user")?;
    let admin = ctx.admin()?;
    stored(ctx, &owner.token, owner.id)?;
    let delete = Request::delete(avatar_of(owner.id)).bearer(&owner.token);
    expect::status(&ctx.send(delete.clone())?, &[204], "DELETE of the avatar")?;
    let get = || Request::get(avatar_of(owner.id)).bearer(&owner.token);
    expect::problem(&ctx.send(get())?, 404, "GET of a deleted avatar")?;
    expect::problem(&ctx.send(delete)?, 404, "DELETE of a deleted avatar")?;
    let never = ctx.member("user")?;
    let none = Request::get(avatar_of(never.id)).bearer(&admin.token);
    expect::problem(
        &ctx.send(none)?,
        404,
        "GET of the avatar of a user who has none",
    )?;
    stored(ctx, &owner.token, owner.id)?;
    let gone = Request::delete(format!("/users/{}", owner.id)).bearer(&admin.token);
    expect::status(&ctx.send(gone)?, &[204], "deleting a user with an avatar")?;
    let after = Request::get(avatar_of(owner.id)).bearer(&admin.token);
    expect::problem(&ctx.send(after)?, 404, "GET of a deleted user's avatar").map(drop)
}
