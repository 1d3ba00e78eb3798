//! JSON read into a `serde_json::Value` with every object's member names checked to be unique,
//! at any depth (GEN-13). serde_json keeps the last of repeated members silently, so a proxy or
//! a validator that keeps the first would act on another body than this server.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A JSON value whose objects name each member once.
pub struct Unique(pub Value);

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Unique, D::Error> {
        deserializer.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> DeserializeSeed<'de> for UniqueVisitor {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        // Only a finite double is ever parsed: serde_json refuses what overflows it.
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(UniqueVisitor)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) {
                return Err(de::Error::custom(format_args!(
                    "the member `{name}` appears more than once in one object"
                )));
            }
            let value = map.next_value_seed(UniqueVisitor)?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

/// `bytes` as JSON, refused when an object repeats a member name.
pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice::<Unique>(bytes).map(|u| u.0)
}

#[cfg(test)]
mod tests {
    use super::from_slice;

    #[test]
    fn a_repeated_member_is_refused_at_any_depth() {
        for body in [
            r#"{"a": 1, "a": 1}"#,
            r#"{"a": {"b": 1, "c": 2, "b": 3}}"#,
            r#"[{"x": 1}, {"y": 1, "y": 2}]"#,
        ] {
            let error = from_slice(body.as_bytes()).expect_err(body);
            assert!(error.to_string().contains("more than once"), "{error}");
        }
    }

    #[test]
    fn a_body_without_repeats_reads_as_serde_json_reads_it() {
        let body = r#"{"a": [1, -2, 3.5, "s", null, true, {"a": 0}], "b": {"a": 1}, "c": -0}"#;
        let ours = from_slice(body.as_bytes()).expect("JSON");
        let theirs: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(ours, theirs);
    }

    #[test]
    fn nesting_past_the_recursion_limit_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(from_slice(deep.as_bytes()).is_err());
    }
}
