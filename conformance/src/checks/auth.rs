//! CONTRACT §4, Authentication: login, the token's form, and every way a credential is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use super::{Check, Needs, Outcome};
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::inputs;
use crate::property::{Budget, for_all};

pub const CHECKS: &[Check] = &[
    Check {
        id: "AUTH-01",
        section: "auth",
        title: "login answers a bearer token for an active user",
        hint: "answer {access_token, token_type: bearer, expires_in}; match the username ignoring case",
        needs: Needs::Nothing,
        run: auth_01,
    },
    Check {
        id: "AUTH-02",
        section: "auth",
        title: "the token is an HS256 JWT with sub, iat and exp",
        hint: "sign with HS256; sub is the id as a string; exp - iat equals expires_in",
        needs: Needs::Nothing,
        run: auth_02,
    },
    Check {
        id: "AUTH-03",
        section: "auth",
        title: "unknown user and wrong password are the same 401",
        hint: "answer one problem for every failed login",
        needs: Needs::Nothing,
        run: auth_03,
    },
    Check {
        id: "AUTH-04",
        section: "auth",
        title: "a login body without string credentials is 422",
        hint: "validate the login body before checking credentials",
        needs: Needs::Nothing,
        run: auth_04,
    },
    Check {
        id: "AUTH-05",
        section: "auth",
        title: "no Authorization is 401 with WWW-Authenticate: Bearer",
        hint: "send WWW-Authenticate: Bearer with every 401",
        needs: Needs::Nothing,
        run: auth_05,
    },
    Check {
        id: "AUTH-06",
        section: "auth",
        title: "a malformed credential is 401",
        hint: "accept only `Bearer <jwt>`; anything else is 401 with WWW-Authenticate",
        needs: Needs::Nothing,
        run: auth_06,
    },
    Check {
        id: "AUTH-07",
        section: "auth",
        title: "a tampered token is 401",
        hint: "verify the signature over header and payload",
        needs: Needs::Nothing,
        run: auth_07,
    },
    Check {
        id: "AUTH-08",
        section: "auth",
        title: "an unsigned (alg none) token is 401",
        hint: "accept only HS256; never alg none",
        needs: Needs::Nothing,
        run: auth_08,
    },
    Check {
        id: "AUTH-09",
        section: "auth",
        title: "an expired token is 401",
        hint: "validate exp with no leeway",
        needs: Needs::Secret,
        run: auth_09,
    },
    Check {
        id: "AUTH-10",
        section: "auth",
        title: "a token signed with another key is 401",
        hint: "verify with the server's own key and algorithm only, whatever the token's header names",
        needs: Needs::Nothing,
        run: auth_10,
    },
    Check {
        id: "AUTH-11",
        section: "auth",
        title: "a deleted or deactivated user's tokens and logins are refused",
        hint: "load the user on every request and refuse inactive or missing ones",
        needs: Needs::Nothing,
        run: auth_11,
    },
];

fn login(ctx: &Ctx, username: &str, password: &str) -> Result<Exchange, Failure> {
    ctx.send(
        Request::post("/auth/login").json(&json!({"username": username, "password": password})),
    )
}

/// `GET /users/me` with this `Authorization` header value.
fn me_with(ctx: &Ctx, authorization: &str) -> Result<Exchange, Failure> {
    ctx.send(Request::get("/users/me").header("Authorization", authorization))
}

/// A 401 problem with a `WWW-Authenticate` challenge of the Bearer scheme.
fn refused(exchange: &Exchange, what: &str) -> Outcome {
    expect::problem(exchange, 401, what)?;
    let challenge = exchange.header("www-authenticate").unwrap_or("");
    let scheme = challenge.split_whitespace().next().unwrap_or("");
    ensure(scheme.eq_ignore_ascii_case("bearer"), || {
        exchange.fail(
            format!("{what}: the 401 has no Bearer challenge"),
            "WWW-Authenticate: Bearer …",
            format!(
                "WWW-Authenticate: {}",
                exchange.header("www-authenticate").unwrap_or("(none)")
            ),
        )
    })
}

/// The control that keeps a refusal meaningful: this token is accepted before it is altered.
fn accepted(ctx: &Ctx, token: &str) -> Outcome {
    let exchange = me_with(ctx, &format!("Bearer {token}"))?;
    expect::ok_json(&exchange, 200, "GET /users/me with a valid token").map(drop)
}

fn auth_01(ctx: &Ctx) -> Outcome {
    for_all(ctx.budget, [vec![true; 64]], inputs::case_mask(), |mask| {
        let user = ctx.member("user")?;
        let exchange = login(ctx, &inputs::recase(&user.username, mask), &user.password)?;
        let body = expect::ok_json(&exchange, 200, "a login with the username in another case")?;
        let token = body["access_token"].as_str().filter(|t| !t.is_empty());
        let kind = body["token_type"].as_str().unwrap_or("");
        let lifetime = body["expires_in"].as_f64().filter(|&s| s > 0.0);
        ensure(
            token.is_some() && kind.eq_ignore_ascii_case("bearer") && lifetime.is_some(),
            || {
                exchange.fail(
                "the login's answer is not a bearer token",
                "{\"access_token\": a string, \"token_type\": \"bearer\", \"expires_in\": seconds > 0}",
                exchange.summary(),
            )
            },
        )?;
        let me = me_with(ctx, &format!("Bearer {}", token.unwrap_or("")))?;
        let me = expect::ok_json(&me, 200, "GET /users/me with the new token")?;
        ensure(me["id"].as_u64() == Some(user.id), || {
            exchange.fail(
                "the token authenticates someone else",
                format!("\"id\": {}", user.id),
                format!("\"id\": {}", me["id"]),
            )
        })
    })
}

/// The header and claims of a compact JWS, unverified.
fn parts(token: &str) -> Option<(Value, Value, String)> {
    let mut it = token.split('.');
    let (h, p, s) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    let decode = |s: &str| {
        URL_SAFE_NO_PAD
            .decode(s)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
    };
    Some((decode(h)?, decode(p)?, s.to_owned()))
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn auth_02(ctx: &Ctx) -> Outcome {
    let budget = Budget {
        cases: ctx.budget.cases.min(4),
        ..ctx.budget
    };
    for_all(budget, [()], Just(()), |()| {
        let user = ctx.member("user")?;
        let exchange = login(ctx, &user.username, &user.password)?;
        let body = expect::ok_json(&exchange, 200, "a login")?;
        let token = body["access_token"].as_str().unwrap_or("");
        let Some((header, claims, _)) = parts(token) else {
            return Err(exchange.fail(
                "the access token is not a JWT",
                "header.payload.signature, base64url JSON",
                token.to_owned(),
            ));
        };
        ensure(header["alg"] == "HS256", || {
            exchange.fail(
                "the token is not signed with HS256",
                "\"alg\": \"HS256\"",
                format!("header {header}"),
            )
        })?;
        ensure(claims["sub"] == json!(user.id.to_string()), || {
            exchange.fail(
                "the token's sub is not the user's id as a string",
                format!("\"sub\": \"{}\"", user.id),
                format!("claims {claims}"),
            )
        })?;
        let (iat, exp) = (claims["iat"].as_i64(), claims["exp"].as_i64());
        let lifetime = body["expires_in"].as_i64();
        ensure(
            iat.is_some() && exp.is_some() && exp.zip(iat).map(|(e, i)| e - i) == lifetime,
            || {
                exchange.fail(
                    "the token's lifetime is not expires_in",
                    format!("exp - iat = {}", body["expires_in"]),
                    format!("claims {claims}"),
                )
            },
        )
    })
}

fn auth_03(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let wrong = inputs::password().prop_filter("not the password", |p| *p != user.password);
    for_all(ctx.budget, [], wrong, |password| {
        let unknown = login(ctx, &ctx.unique(), password)?;
        let mistaken = login(ctx, &user.username, password)?;
        let a = expect::problem(&unknown, 401, "a login with an unknown username")?;
        let b = expect::problem(&mistaken, 401, "a login with a wrong password")?;
        for member in ["type", "title", "detail"] {
            ensure(a[member] == b[member], || {
                mistaken.fail(
                    format!("the failed logins differ in `{member}`, which tells a client whether the username exists"),
                    format!("\"{member}\": {} for both", a[member]),
                    format!("unknown user: {}, wrong password: {}", a[member], b[member]),
                )
            })?;
        }
        Ok(())
    })
}

fn auth_04(ctx: &Ctx) -> Outcome {
    let s = || "[A-Za-z0-9]{1,12}";
    let not_string = || inputs::json_value().prop_filter("not a string", |v| !v.is_string());
    let bodies = prop_oneof![
        Just(json!({})),
        s().prop_map(|u| json!({"username": u})),
        s().prop_map(|p| json!({"password": p})),
        (not_string(), s()).prop_map(|(u, p)| json!({"username": u, "password": p})),
        (s(), not_string()).prop_map(|(u, p)| json!({"username": u, "password": p})),
        prop_oneof![
            Just(json!([])),
            Just(json!(1)),
            Just(json!("admin")),
            Just(Value::Null)
        ],
    ]
    .prop_map(|v| v.to_string());
    let malformed = inputs::malformed_json().prop_map(|s| (s, 400u16));
    let strategy = prop_oneof![3 => bodies.prop_map(|b| (b, 422u16)), 1 => malformed];
    let edges = [
        ("{}".to_owned(), 422),
        (json!({"username": "admin"}).to_string(), 422),
        (json!({"username": 1, "password": "x"}).to_string(), 422),
        ("[]".to_owned(), 422),
        ("{\"username\":".to_owned(), 400),
    ];
    for_all(ctx.budget, edges, strategy, |(body, status)| {
        let exchange =
            ctx.send(Request::post("/auth/login").raw("application/json", body.clone()))?;
        expect::problem(
            &exchange,
            *status,
            "a login body that does not hold credentials",
        )
        .map(drop)
    })
}

fn auth_05(ctx: &Ctx) -> Outcome {
    let routes = (0..6usize, 1..100_000u64);
    let edges = (0..6).map(|r| (r, 1));
    for_all(ctx.budget, edges, routes, |(route, id)| {
        let request = match route {
            0 => Request::get("/users"),
            1 => Request::get("/users/me"),
            2 => Request::get(format!("/users/{id}")),
            3 => Request::put(format!("/users/{id}")).json(&json!({})),
            4 => Request::patch(format!("/users/{id}")).json(&json!({})),
            _ => Request::delete(format!("/users/{id}")),
        };
        refused(
            &ctx.send(request)?,
            "a protected route without Authorization",
        )
    })
}

fn auth_06(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    accepted(ctx, &user.token)?;
    let basic = URL_SAFE_NO_PAD.encode(format!("{}:{}", user.username, user.password));
    let credentials = prop_oneof![
        (
            select(vec![
                "Basic", "Token", "Digest", "JWT", "Bearer:", "Bearerx"
            ]),
            "[A-Za-z0-9+/=._-]{0,40}"
        )
            .prop_map(|(scheme, c)| format!("{scheme} {c}")),
        Just("Bearer".to_owned()),
        "[A-Za-z0-9_-]{1,40}".prop_map(|t| format!("Bearer {t}")),
        ("[A-Za-z0-9_-]{1,20}", "[A-Za-z0-9_-]{1,20}").prop_map(|(a, b)| format!("Bearer {a}.{b}")),
        "[A-Za-z0-9_-]{1,10}(\\.[A-Za-z0-9_-]{1,10}){3,5}".prop_map(|t| format!("Bearer {t}")),
    ];
    let edges = [
        format!("Basic {basic}"),
        format!("Token {}", user.token),
        user.token.clone(),
        "Bearer".into(),
        "Bearer not-a-jwt".into(),
    ];
    for_all(ctx.budget, edges, credentials, |authorization| {
        refused(&me_with(ctx, authorization)?, "a malformed credential")
    })
}

/// Ways to alter a valid token.
#[derive(Clone, Debug)]
enum Tamper {
    /// Replace one signature character (never the last, whose low bits may not count).
    Signature(usize, char),
    /// Re-encode the payload with a claim changed, keeping the signature.
    Claim(&'static str),
}

fn auth_07(ctx: &Ctx) -> Outcome {
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

fn auth_08(ctx: &Ctx) -> Outcome {
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

fn auth_09(ctx: &Ctx) -> Outcome {
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

fn auth_10(ctx: &Ctx) -> Outcome {
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

fn auth_11(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let budget = Budget {
        cases: ctx.budget.cases.min(6),
        ..ctx.budget
    };
    for_all(budget, [true, false], any::<bool>(), |deactivate| {
        let user = ctx.user("user")?;
        accepted(ctx, &user.token)?;
        let path = format!("/users/{}", user.id);
        if *deactivate {
            let off = ctx.send(
                Request::patch(path)
                    .bearer(&admin.token)
                    .json(&json!({"is_active": false})),
            )?;
            expect::ok_json(&off, 200, "an admin deactivating a user")?;
        } else {
            let gone = ctx.send(Request::delete(path).bearer(&admin.token))?;
            expect::status(&gone, &[204], "an admin deleting a user")?;
        }
        let what = if *deactivate {
            "a deactivated user's token"
        } else {
            "a deleted user's token"
        };
        refused(&me_with(ctx, &format!("Bearer {}", user.token))?, what)?;
        if !*deactivate {
            return Ok(());
        }
        let right = login(ctx, &user.username, &user.password)?;
        let wrong = login(ctx, &user.username, "Wrong-passw0rd")?;
        let a = expect::problem(&right, 401, "a deactivated user's login")?;
        let b = expect::problem(&wrong, 401, "a login with a wrong password")?;
        ensure(
            a["type"] == b["type"] && a["title"] == b["title"] && a["detail"] == b["detail"],
            || {
                right.fail(
                    "a deactivated user's login is told apart from a wrong password",
                    b.to_string(),
                    a.to_string(),
                )
            },
        )
    })
}
