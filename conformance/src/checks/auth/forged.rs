//! AUTH-07 to AUTH-10: tokens the target never issued that it must refuse, edited, unsigned,
//! expired or signed with another key.

use super::*;

/// Ways to alter a valid token.
#[derive(Clone, Debug)]
enum Tamper {
    /// Replace one signature character (never the last, whose low bits may not count).
    Signature(usize, char),
    /// Re-encode the payload with a claim changed, keeping the signature.
    Claim(&'static str),
}

pub(super) fn auth_07(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let admin = ctx.admin()?;
    accepted(ctx, &user.token)?;
    let alphabet: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain(['-', '_'])
        .collect();
    let tamper = prop_oneof![
        (0..42usize, select(alphabet)).prop_map(|(i, c)| Tamper::Signature(i, c)),
        select(vec!["sub", "exp", "role"]).prop_map(Tamper::Claim),
    ];
    let edges = [
        Tamper::Claim("sub"),
        Tamper::Claim("exp"),
        Tamper::Signature(0, 'A'),
    ];
    for_all(ctx.budget, edges, tamper, |tamper| {
        let Some((_, mut claims, signature)) = parts(&user.token) else {
            return Err(Failure::new(
                "the access token is not a JWT",
                "a JWT",
                user.token.clone(),
            ));
        };
        let token = match tamper {
            Tamper::Signature(i, c) => {
                let mut sig: Vec<char> = signature.chars().collect();
                let i = i % sig.len().saturating_sub(1).max(1);
                sig[i] = if sig[i] == *c {
                    if *c == 'A' { 'B' } else { 'A' }
                } else {
                    *c
                };
                let signed = user.token.rsplit_once('.').map_or("", |(signed, _)| signed);
                format!("{signed}.{}", sig.into_iter().collect::<String>())
            }
            Tamper::Claim(claim) => {
                match *claim {
                    "sub" => claims["sub"] = json!(admin.id.to_string()),
                    "exp" => claims["exp"] = json!(claims["exp"].as_i64().unwrap_or(0) + 3600),
                    _ => claims["role"] = json!("admin"),
                }
                let (h, _) = user.token.split_once('.').unwrap_or_default();
                format!("{h}.{}.{signature}", b64(&claims))
            }
        };
        refused(
            &me_with(ctx, &format!("Bearer {token}"))?,
            "a tampered token",
        )
    })
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn claims_for(user: &Session, iat: i64, exp: i64) -> Value {
    json!({"sub": user.id.to_string(), "iat": iat, "exp": exp})
}

pub(super) fn auth_08(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let headers = select(vec![
        json!({"alg": "none"}),
        json!({"alg": "none", "typ": "JWT"}),
        json!({"alg": "None", "typ": "JWT"}),
        json!({"alg": "NONE"}),
    ]);
    let signatures = prop_oneof![Just(String::new()), "[A-Za-z0-9_-]{1,43}"];
    let edges = [(json!({"alg": "none", "typ": "JWT"}), String::new())];
    for_all(
        ctx.budget,
        edges,
        (headers, signatures),
        |(header, signature)| {
            let claims = claims_for(&user, now(), now() + 3600);
            let token = format!("{}.{}.{signature}", b64(header), b64(&claims));
            refused(
                &me_with(ctx, &format!("Bearer {token}"))?,
                "an unsigned token",
            )
        },
    )
}

fn mint(algorithm: Algorithm, secret: &str, claims: &Value) -> Result<String, Failure> {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| {
        Failure::new(
            "a token could not be minted",
            "a signed token",
            e.to_string(),
        )
    })
}

pub(super) fn auth_09(ctx: &Ctx) -> Outcome {
    let Some(secret) = ctx.target.jwt_secret.clone() else {
        return Err(Failure::new(
            "AUTH-09 needs the target's signing secret",
            "--jwt-secret",
            "none",
        ));
    };
    let user = ctx.user("user")?;
    // Expiry is judged by the target's clock, which may be seconds off this machine's.
    let clock = ctx.send(Request::get("/users/me").bearer(&user.token))?;
    let now = target_now(&clock);
    // A token minted with the secret that has not expired must work, or the refusals below would
    // prove nothing about expiry.
    let fresh = mint(
        Algorithm::HS256,
        &secret,
        &claims_for(&user, now, now + 600),
    )?;
    accepted(ctx, &fresh)
        .map_err(|f| f.with_hint("is --jwt-secret the target's signing secret?"))?;
    for_all(ctx.budget, [2], 2..200_000i64, |ago| {
        let exp = now - ago;
        let token = mint(
            Algorithm::HS256,
            &secret,
            &claims_for(&user, exp - 3600, exp),
        )?;
        refused(
            &me_with(ctx, &format!("Bearer {token}"))?,
            "a token that expired",
        )
    })
}

/// The target's clock from an answer's `Date` (whole seconds, rounded down, so the target's time
/// is at least this by any later request); this machine's when the answer has none.
fn target_now(exchange: &Exchange) -> i64 {
    exchange
        .header("date")
        .and_then(|date| httpdate::parse_http_date(date).ok())
        .and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|since| i64::try_from(since.as_secs()).ok())
        .unwrap_or_else(now)
}

/// A token signed with a key that is not the target's.
#[derive(Clone, Debug)]
enum Forgery {
    /// An HMAC algorithm under another secret.
    Hmac(Algorithm, String),
    /// A public-key algorithm (`alg` as the header names it) with a signature of its length:
    /// what a forger holding a key pair of their own sends, and a verifier that lets such
    /// headers past the secret accepts.
    PublicKey(&'static str, Vec<u8>),
}

/// Public-key algorithms of RFC 7518 and RFC 8037, with the length of their signatures.
const PUBLIC_KEY_ALGORITHMS: &[(&str, usize)] = &[
    ("RS256", 256),
    ("RS384", 256),
    ("RS512", 256),
    ("PS256", 256),
    ("ES256", 64),
    ("ES384", 96),
    ("EdDSA", 64),
];

pub(super) fn auth_10(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let real = ctx.target.jwt_secret.clone();
    let algorithms = select(vec![Algorithm::HS256, Algorithm::HS384, Algorithm::HS512]);
    let secrets =
        "[ -~]{1,64}".prop_filter("not the target's key", move |s| Some(s) != real.as_ref());
    let hmac = (algorithms, secrets).prop_map(|(a, s)| Forgery::Hmac(a, s));
    let public_key = select(PUBLIC_KEY_ALGORITHMS).prop_flat_map(|(alg, len)| {
        proptest::collection::vec(any::<u8>(), len)
            .prop_map(move |sig| Forgery::PublicKey(alg, sig))
    });
    let edges = [
        Forgery::Hmac(Algorithm::HS256, "secret".to_owned()),
        Forgery::PublicKey("RS256", vec![0x5a; 256]),
        Forgery::PublicKey("ES256", vec![0xa5; 64]),
    ];
    for_all(
        ctx.budget,
        edges,
        prop_oneof![hmac, public_key],
        |forgery| {
            let claims = claims_for(&user, now(), now() + 600);
            let token = match forgery {
                Forgery::Hmac(algorithm, secret) => mint(*algorithm, secret, &claims)?,
                Forgery::PublicKey(alg, signature) => format!(
                    "{}.{}.{}",
                    b64(&json!({"alg": alg, "typ": "JWT"})),
                    b64(&claims),
                    URL_SAFE_NO_PAD.encode(signature)
                ),
            };
            refused(
                &me_with(ctx, &format!("Bearer {token}"))?,
                "a token signed with another key",
            )
        },
    )
}
